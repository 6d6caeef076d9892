import { assertFiniteCalibration } from './non-finite-calibration-error';
import { QINT_DOMAIN, foldConstants, pack3Bit, type Attribute, type Graph, type Model, type Node } from '@qint/graph';
import { formatShape, Tensor } from '@qint/tensor';
import { foldConstant } from './fold-constant';
import { gptqRound } from './gptq-round';
import { isLayerGrams } from './is-layer-grams';
import { collectLayerGrams } from './layer-grams';
import { indexGraph, pruneUnused } from './graph-index';
import { convAttributes, intAttr as int, isOnnx, numAttr } from './node-utils';
import { QuantizeError } from './quantize-error';
import { isFloatWeight, widenWeight } from './widen-weight';
import { isMsAttention, quantizeMsAttention } from './quantize-ms-attention';
import type {
  NodeQuantSettings,
  QuantizeDynamicOptions,
  QuantizeReport,
  LayerGrams,
  QuantizedNodeInfo,
  SkippedNodeInfo,
  WeightGranularity,
  WeightRounding,
} from './quantize-dynamic-options';
import { quantizeWeight, type QuantizedWeight, type WeightQuantSettings } from './quantize-weight';
import { isRecurrentOp, quantizeRecurrent } from './quantize-recurrent';
import { graphNamer } from './unique-namer';
import { quantizeWithSubgraphs } from './quantize-subgraphs';

/** The result of {@link quantizeDynamic}: a new model (the input is untouched) and what was done. */
export interface QuantizeDynamicResult {
  model: Model;
  report: QuantizeReport;
}

// 'Attention' is com.microsoft Attention (its packed QKV weight); ai.onnx Attention has no weight.
const DEFAULT_OP_TYPES = ['MatMul', 'Gemm', 'Conv', 'LSTM', 'GRU', 'RNN', 'Attention'];

function bytesOf(t: Tensor | undefined): number {
  return t ? t.data.byteLength : 0;
}

function checkSettings(s: NodeQuantSettings, where: string): void {
  if (s.bits !== undefined && ![8, 4, 3, 2].includes(s.bits)) throw new QuantizeError(`${where}: "bits" must be 8, 4, 3 or 2, got ${String(s.bits)}`);
  if (s.granularity !== undefined && !['per_tensor', 'per_channel', 'per_block'].includes(s.granularity)) {
    throw new QuantizeError(`${where}: "granularity" must be 'per_tensor', 'per_channel' or 'per_block', got ${String(s.granularity)}`);
  }
  if (s.blockSize !== undefined && (!Number.isSafeInteger(s.blockSize) || s.blockSize < 2)) {
    throw new QuantizeError(`${where}: "blockSize" must be an integer ≥ 2 (32, 64 and 128 are typical), got ${String(s.blockSize)}`);
  }
  if (s.rounding !== undefined && s.rounding !== 'nearest' && s.rounding !== 'gptq') throw new QuantizeError(`${where}: "rounding" must be 'nearest' or 'gptq', got ${String(s.rounding)}`);
}

/**
 * The Gram matrices of the nodes that round with GPTQ (computed from the calibration batches, or taken as given), or
 * undefined when no node does.
 */
function gramsFor(model: Model, options: QuantizeDynamicOptions, opTypes: ReadonlySet<string>, exclude: ReadonlySet<string>): LayerGrams | undefined {
  const gptqNodes: string[] = [];
  model.graph.nodes.forEach((node, index) => {
    const label = node.name || `#${index}`;
    if (!isOnnx(node) || node.opType === 'Attention' || !opTypes.has(node.opType) || exclude.has(node.name) || exclude.has(node.opType)) return;
    const rounding = options.overrides?.[node.name]?.rounding ?? options.rounding ?? 'nearest';
    // Recurrent layers round to nearest (their inputs differ per step: no single Gram matrix).
    if (rounding === 'gptq' && !isRecurrentOp(node.opType)) gptqNodes.push(label);
  });
  if (gptqNodes.length === 0) return undefined;
  const c = options.calibration;
  if (c === undefined || c === null) {
    throw new QuantizeError(
      `quantizeDynamic: rounding 'gptq' (node "${gptqNodes[0]}"${gptqNodes.length > 1 ? ` and ${gptqNodes.length - 1} more` : ''}) needs "calibration": feeds to run the float model on, or layerGrams(model, feeds)`,
      { node: gptqNodes[0] },
    );
  }
  if (isLayerGrams(c)) return c;
  if (typeof (c as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new QuantizeError('quantizeDynamic: "calibration" must be an iterable of feeds (input name → Tensor) or the result of layerGrams');
  }
  assertFiniteCalibration('quantizeDynamic (gptq)', c);
  return collectLayerGrams(model, c, { nodes: gptqNodes, opTypes: [...opTypes] }, false);
}

/** Storage tensor of quantized weight values: int8/int4/int2, or a uint8 3-bit stream. */
function weightTensor(q: QuantizedWeight, shape: readonly number[]): Tensor {
  if (q.bits === 8) return Tensor.from('int8', shape, q.values);
  if (q.bits === 4) return Tensor.from('int4', shape, Array.from(q.values));
  if (q.bits === 2) return Tensor.from('int2', shape, Array.from(q.values));
  const bytes = pack3Bit(q.values);
  return Tensor.from('uint8', [bytes.length], bytes);
}

function zeroPointTensor(q: QuantizedWeight, scaleShape: readonly number[]): Tensor | undefined {
  if (!q.zeroPoints) return undefined;
  const dtype = q.bits === 4 ? 'int4' : q.bits === 2 ? 'int2' : 'int8';
  return Tensor.from(dtype, scaleShape, Array.from(q.zeroPoints));
}

/** Names the first NaN/Inf of a float weight by its index in the weight as the model stores it. */
function checkFinite(w: Tensor, name: string, node: string): void {
  const d = w.data as Float32Array;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i])) {
      throw new QuantizeError(`node "${node}": weight "${name}" ${formatShape(w.shape)} element ${i} is ${d[i]}; weights must be finite to be quantized`, { node });
    }
  }
}

/**
 * Dynamically quantizes a float model: MatMul and Gemm with a constant weight become `ai.qint::DynamicLinear`
 * (fused kernel, 8/4/3/2-bit weights; a following per-output bias Add is folded in), Conv becomes
 * `ai.qint::DynamicConv`, and MatMul between two activations (attention) becomes DynamicQuantizeLinear ×2 →
 * MatMulInteger → Cast → Mul. Weights reached through Identity/Reshape/Transpose/Squeeze/Unsqueeze/Flatten of
 * initializers are folded. Activations are quantized at run time (uint8, per tensor or per row).
 *
 * @param model - the float model (not modified)
 * @param options - {@link QuantizeDynamicOptions}
 * @returns the quantized model and a {@link QuantizeReport} (quantized and skipped nodes, weight bytes before/after)
 * @throws {@link QuantizeError} when nothing can be quantized, a weight holds NaN/Inf, an excluded or overridden node
 *   does not exist, or an option is out of range
 * @example
 * ```ts
 * const { model: q, report } = quantizeDynamic(model, { bits: 4, granularity: 'per_block', blockSize: 32 });
 * console.log(report.weightBytesAfter / report.weightBytesBefore);
 * const y = createSession(q).run({ input });
 * ```
 */
export function quantizeDynamic(model: Model, options: QuantizeDynamicOptions = {}): QuantizeDynamicResult {
  return quantizeWithSubgraphs(model, options, quantizeDynamicGraph);
}

/** quantizeDynamic of one graph (its subgraphs are quantized by quantizeWithSubgraphs, as graphs of their own). */
function quantizeDynamicGraph(model: Model, options: QuantizeDynamicOptions): QuantizeDynamicResult {
  if (!model || !model.graph || !(model.graph.initializers instanceof Map)) throw new QuantizeError('quantizeDynamic: "model" must be a Model with a graph');
  checkSettings(options, 'quantizeDynamic options');
  // Weights in Constant nodes or behind constant chains (a sliced packed Q/K/V projection, an Identity of a shared
  // initializer) become initializers first, so every layer whose weight is a constant is quantized and counted.
  const graph = foldConstants(model).graph;
  const opTypes = new Set(options.opTypes ?? DEFAULT_OP_TYPES);
  const percentile = options.percentile ?? 99.99;
  if (!(percentile > 50 && percentile <= 100)) throw new QuantizeError(`quantizeDynamic: "percentile" must be in (50, 100], got ${percentile}`);
  if (options.weightType !== undefined && options.weightType !== 'int8' && options.weightType !== 'uint8') {
    throw new QuantizeError(`quantizeDynamic: "weightType" must be 'int8' or 'uint8', got ${String(options.weightType)}`);
  }
  if (options.rangeMethod !== undefined && !['minmax', 'mse', 'percentile'].includes(options.rangeMethod)) {
    throw new QuantizeError(`quantizeDynamic: "rangeMethod" must be 'minmax', 'mse' or 'percentile', got ${String(options.rangeMethod)}`);
  }
  const names = new Set(graph.nodes.map((n) => n.name).filter((n) => n !== ''));
  const types = new Set(graph.nodes.map((n) => n.opType));
  const exclude = new Set(options.exclude ?? []);
  for (const e of exclude) {
    if (!names.has(e) && !types.has(e)) {
      throw new QuantizeError(`quantizeDynamic: "exclude" names "${e}", which is neither a node name nor an op type in the graph`, { node: e });
    }
  }
  for (const [name, s] of Object.entries(options.overrides ?? {})) {
    if (!names.has(name)) throw new QuantizeError(`quantizeDynamic: "overrides" names node "${name}", which is not in the graph`, { node: name });
    checkSettings(s, `overrides["${name}"]`);
  }
  const dampening = options.gptqDampening ?? 0.01;
  if (!(Number.isFinite(dampening) && dampening >= 0)) throw new QuantizeError(`quantizeDynamic: "gptqDampening" must be a finite number ≥ 0, got ${dampening}`);
  const grams = gramsFor(model, options, opTypes, exclude);
  /** GPTQ-rounds `q` when the node asks for it (the scales stay those of the range method). */
  const round = (rounding: WeightRounding, label: string, w: Float32Array, q: QuantizedWeight, settings: WeightQuantSettings, groups: number): QuantizedWeight => {
    if (rounding !== 'gptq') return q;
    const g = grams!.layers.get(label);
    if (!g) throw new QuantizeError(`node "${label}": rounding 'gptq', but "calibration" holds no Gram matrix for it (layerGrams of another model, or with "nodes" leaving it out?)`, { node: label });
    if (g.k !== q.k || g.groups !== groups) {
      throw new QuantizeError(`node "${label}": the calibration Gram matrix is for K = ${g.k} in ${g.groups} group(s), but the weight has K = ${q.k} in ${groups}`, { node: label });
    }
    return gptqRound(w, g.gram, q, settings, label, { groups, dampening });
  };

  const { producers, consumers } = indexGraph(graph);
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  const graphInputs = new Map(graph.inputs.map((v) => [v.name, v]));
  const initializers = new Map(graph.initializers);
  const fresh = graphNamer(graph);

  const quantized: QuantizedNodeInfo[] = [];
  const skipped: SkippedNodeInfo[] = [];
  const warnings: string[] = [];
  const replaced = new Map<Node, Node[]>();
  const dropped = new Set<Node>();
  const foldedNodes = new Set<Node>();
  let needsOpset11 = false;
  const sharedWeights = new Map<string, { q: QuantizedWeight; wq: Tensor; sc: Tensor; zp: Tensor | undefined; wName: string; sName: string; zName: string }>();
  const weightIds = new WeakMap<Tensor, number>();
  let nextWeightId = 0;
  const weightId = (t: Tensor): number => {
    let id = weightIds.get(t);
    if (id === undefined) {
      id = nextWeightId++;
      weightIds.set(t, id);
    }
    return id;
  };

  graph.nodes.forEach((node, index) => {
    const label = node.name || `#${index}`;
    if (isOnnx(node) ? node.opType === 'Attention' : !isMsAttention(node)) return;
    if (!opTypes.has(node.opType) || dropped.has(node)) return;
    const skip = (reason: string): void => void skipped.push({ node: label, opType: node.opType, reason });
    if (exclude.has(node.name) || exclude.has(node.opType)) return skip('excluded by options.exclude');
    const o: NodeQuantSettings = { ...options, ...(options.overrides?.[node.name] ?? {}) };
    const granularity: WeightGranularity = o.granularity ?? 'per_channel';
    const settings: WeightQuantSettings = {
      bits: o.bits ?? 8,
      granularity,
      blockSize: o.blockSize ?? 32,
      symmetric: o.symmetric ?? true,
      weightType: options.weightType ?? 'int8',
      reduceRange: options.reduceRange ?? false,
      convention: options.convention ?? 'pytorch',
      rangeMethod: options.rangeMethod ?? 'minmax',
      percentile,
    };
    const base = node.name || node.outputs[0] || `node${index}`;
    /** The quantized weight, its scales and zero points (when stored) as fresh initializers of this layer. */
    const addWeight = (q: QuantizedWeight, shape: readonly number[], scaleShape: readonly number[]) => {
      const wq = weightTensor(q, shape);
      const sc = Tensor.from('float32', scaleShape, q.scales);
      const zp = zeroPointTensor(q, scaleShape);
      const wName = fresh(`${base}_W_q${q.bits}`);
      const sName = fresh(`${base}_W_scale`);
      initializers.set(wName, wq);
      initializers.set(sName, sc);
      let zName = '';
      if (zp) initializers.set((zName = fresh(`${base}_W_zero_point`)), zp);
      return { wq, sc, zp, wName, sName, zName };
    };
    const rounding: WeightRounding = o.rounding ?? 'nearest';

    if (isMsAttention(node)) {
      const r = quantizeMsAttention(graph, node, label, base, settings, rounding, producers, fresh);
      if (typeof r === 'string') return skip(r);
      replaced.set(node, r.nodes);
      for (const [name, t] of r.initializers) initializers.set(name, t);
      for (const f of r.folded) foldedNodes.add(f);
      needsOpset11 = true;
      quantized.push(r.info);
      return;
    }

    if (isRecurrentOp(node.opType)) {
      // GPTQ needs each weight's input Gram matrix; for W and R of a recurrent layer those are per-step inputs, which
      // layerGrams does not collect. The layer stays float with that reason (as com.microsoft Attention does) rather
      // than being rounded some other way than asked.
      if (rounding === 'gptq') return skip(`GPTQ rounding has no ${node.opType} form (its step inputs are not collected); give this node rounding 'nearest' in overrides to quantize it`);
      const done = quantizeRecurrent(graph, node, label, settings, producers, fresh);
      if (typeof done === 'string') return skip(done);
      for (const [k, v] of done.initializers) initializers.set(k, v);
      for (const f of done.folded) foldedNodes.add(f);
      warnings.push(...done.warnings);
      replaced.set(node, [done.node]);
      quantized.push(done.info);
      return;
    }

    if (node.opType === 'MatMul' || node.opType === 'Gemm') {
      const weightInput = node.inputs[1];
      const folded = foldConstant(graph, weightInput, producers);
      if (!folded) {
        if (node.opType === 'Gemm') return skip('weight B is not a constant');
        if (options.activationMatMul === false) return skip('both inputs are activations and options.activationMatMul is false');
        replaced.set(node, activationMatMul(node, base, fresh));
        needsOpset11 = true;
        quantized.push({ node: label, opType: node.opType, as: 'DynamicQuantizeLinear+MatMulInteger', bits: 8, granularity: 'activation', blockSize: 0, symmetric: false, perRow: false, rounding: 'nearest', weightBytesBefore: 0, weightBytesAfter: 0 });
        return;
      }
      const original = folded.tensor;
      if (!isFloatWeight(original)) return skip(`weight is ${original.dtype}, not float32, float16 or bfloat16`);
      const w = widenWeight(original);
      let biasBytesBefore = 0;
      if (w.rank !== 2) return skip(`weight has rank ${w.rank}; only 2-D weights [K, N] are quantized (batched MatMul stays float)`);
      if (w.size < (options.minWeightElements ?? 0)) return skip(`weight has ${w.size} elements, fewer than options.minWeightElements`);
      checkFinite(w, weightInput, label);
      let wt: Float32Array;
      let k: number;
      let n: number;
      let bias: Tensor | undefined;
      let output = node.outputs[0];
      let fusedAdd: Node | undefined;
      if (node.opType === 'Gemm') {
        if (numAttr(node, 'transA', 0) !== 0) return skip('transA = 1 is not supported (the activation must be [M, K])');
        const alpha = numAttr(node, 'alpha', 1);
        const beta = numAttr(node, 'beta', 1);
        const transB = numAttr(node, 'transB', 0) !== 0;
        [n, k] = transB ? [w.shape[0], w.shape[1]] : [w.shape[1], w.shape[0]];
        wt = (transB ? Float32Array.from(w.data as Float32Array) : w.transpose().data) as Float32Array;
        if (alpha !== 1) for (let i = 0; i < wt.length; i++) wt[i] = Math.fround(wt[i] * alpha);
        if (node.inputs[2]) {
          const c = foldConstant(graph, node.inputs[2], producers);
          if (!c || !isFloatWeight(c.tensor) || c.tensor.size !== n || c.tensor.shape[c.tensor.rank - 1] !== n) {
            return skip('C is not a constant per-output bias of N elements');
          }
          biasBytesBefore = c.tensor.data.byteLength;
          bias = Tensor.from('float32', [n], Float32Array.from(widenWeight(c.tensor).data as Float32Array, (v) => Math.fround(v * beta)));
        }
      } else {
        [k, n] = w.shape as [number, number];
        wt = w.transpose().data as Float32Array; // [K, N] → [N, K], a fresh copy
        // Fold a following `Add(MatMul, bias[N])` into the fused kernel when the Add is the MatMul's only consumer.
        const users = consumers.get(output) ?? [];
        const aInfo = graphInputs.get(node.inputs[0]);
        if (users.length === 1 && users[0].opType === 'Add' && isOnnx(users[0]) && !graphOutputs.has(output) && aInfo?.shape?.length !== 1) {
          const add = users[0];
          const other = add.inputs[0] === output ? add.inputs[1] : add.inputs[0];
          const c = other === output ? undefined : foldConstant(graph, other, producers);
          const t = c?.tensor;
          if (t && isFloatWeight(t) && t.size === n && (t.rank === 1 || (t.rank === 2 && t.shape[0] === 1))) {
            biasBytesBefore = t.data.byteLength;
            bias = Tensor.from('float32', [n], Float32Array.from(widenWeight(t).data as Float32Array));
            fusedAdd = add;
            output = add.outputs[0];
            for (const f of c!.folded) foldedNodes.add(f);
          }
        }
      }
      if (settings.granularity === 'per_block' && settings.blockSize >= k) {
        warnings.push(`node "${label}": block size ${settings.blockSize} ≥ K = ${k}; quantized per channel instead`);
        settings.granularity = 'per_channel';
      }
      // A weight shared by several layers (an Identity of one initializer, deduplicated by foldConstants) is quantized
      // once when the layers quantize it the same way (nearest rounding: GPTQ rounds per layer's own inputs).
      const shareKey =
        rounding === 'nearest' ? `${weightId(w)}|${node.opType}|${numAttr(node, 'transB', 0)}|${numAttr(node, 'alpha', 1)}|${JSON.stringify(settings)}` : undefined;
      let shared = shareKey === undefined ? undefined : sharedWeights.get(shareKey);
      if (!shared) {
        const q = round(rounding, label, wt, quantizeWeight(wt, n, k, settings, label), settings, 1);
        const scaleShape = q.blockSize > 0 ? [n, Math.ceil(k / q.blockSize)] : settings.granularity === 'per_tensor' ? [1] : [n];
        shared = { q, ...addWeight(q, [n, k], scaleShape) };
        if (shareKey !== undefined) sharedWeights.set(shareKey, shared);
      }
      const { q, wq, sc, zp, wName, sName, zName } = shared;
      let bName = '';
      if (bias) initializers.set((bName = fresh(`${base}_bias`)), bias);
      const perRow = o.perRow ?? false;
      const dl: Node = {
        name: fresh(`${base}_dynamic`),
        opType: 'DynamicLinear',
        domain: QINT_DOMAIN,
        inputs: [node.inputs[0], wName, sName, zName, bName],
        outputs: [output],
        attributes: { bits: int(q.bits), block_size: int(q.blockSize), per_row: int(perRow ? 1 : 0), K: int(k), N: int(n) },
      };
      replaced.set(node, [dl]);
      for (const f of folded.folded) foldedNodes.add(f);
      if (fusedAdd) dropped.add(fusedAdd);
      quantized.push({
        node: label,
        opType: node.opType,
        as: 'DynamicLinear',
        bits: q.bits,
        granularity: settings.granularity,
        blockSize: q.blockSize,
        symmetric: settings.symmetric,
        perRow,
        rounding,
        // Against the original storage: a float16 model's weights count 2 bytes each.
        weightBytesBefore: original.data.byteLength + biasBytesBefore,
        weightBytesAfter: bytesOf(wq) + bytesOf(sc) + bytesOf(zp) + bytesOf(bias),
      });
      return;
    }

    // Conv
    const folded = foldConstant(graph, node.inputs[1], producers);
    if (!folded) return skip('weight W is not a constant');
    const original = folded.tensor;
    if (!isFloatWeight(original)) return skip(`weight is ${original.dtype}, not float32, float16 or bfloat16`);
    const w = widenWeight(original);
    if (w.rank !== 3 && w.rank !== 4) return skip(`weight has rank ${w.rank}; 1-D and 2-D convolutions are quantized`);
    if (w.size < (options.minWeightElements ?? 0)) return skip(`weight has ${w.size} elements, fewer than options.minWeightElements`);
    checkFinite(w, node.inputs[1], label);
    let b: Tensor | undefined;
    let biasBefore = 0;
    if (node.inputs[2]) {
      const c = foldConstant(graph, node.inputs[2], producers);
      if (!c || !isFloatWeight(c.tensor)) return skip('bias B is not a float constant');
      biasBefore = c.tensor.data.byteLength;
      b = widenWeight(c.tensor);
      for (const f of c.folded) foldedNodes.add(f);
    }
    if (settings.granularity === 'per_block') {
      warnings.push(`node "${label}": Conv has no per-block form; quantized per output channel`);
      settings.granularity = 'per_channel';
    }
    const m = w.shape[0];
    const k = w.size / m;
    const q = round(rounding, label, w.data as Float32Array, quantizeWeight(w.data as Float32Array, m, k, settings, label), settings, numAttr(node, 'group', 1));
    const scaleShape = settings.granularity === 'per_tensor' ? [1] : [m];
    const { wq, sc, zp, wName, sName, zName } = addWeight(q, w.shape, scaleShape);
    let bName = '';
    if (b) initializers.set((bName = fresh(`${base}_bias`)), b);
    const attributes = convAttributes(node);
    // A 3-bit weight is stored as a flat packed stream: the node keeps its shape.
    if (q.bits === 3) attributes.weight_shape = { type: 'ints', value: w.shape.slice() };
    replaced.set(node, [
      { name: fresh(`${base}_dynamic`), opType: 'DynamicConv', domain: QINT_DOMAIN, inputs: [node.inputs[0], wName, sName, zName, bName], outputs: [node.outputs[0]], attributes },
    ]);
    for (const f of folded.folded) foldedNodes.add(f);
    quantized.push({
      node: label,
      opType: 'Conv',
      as: 'DynamicConv',
      bits: q.bits,
      granularity: settings.granularity,
      blockSize: 0,
      symmetric: settings.symmetric,
      perRow: false,
      rounding,
      weightBytesBefore: original.data.byteLength + biasBefore,
      weightBytesAfter: bytesOf(wq) + bytesOf(sc) + bytesOf(zp) + bytesOf(b),
    });
  });

  if (quantized.length === 0) {
    const already = graph.nodes.filter((n) => /^(QLinear|DynamicQuantize|MatMulInteger|ConvInteger|MatMulNBits|DequantizeLinear)/.test(n.opType) || n.domain === QINT_DOMAIN);
    const hint = already.length ? ` (it holds ${already.length} quantized node(s) such as ${already[0].opType}: is it already quantized?)` : '';
    const why = skipped.length ? skipped.map((s) => `${s.opType} "${s.node}": ${s.reason}`).join('; ') : `the graph has no ${[...opTypes].join('/')} node${hint}`;
    throw new QuantizeError(`quantizeDynamic: nothing to quantize — ${why}`);
  }

  const rewritten: Node[] = [];
  for (const node of graph.nodes) {
    if (dropped.has(node)) continue;
    rewritten.push(...(replaced.get(node) ?? [node]));
  }
  // Drop folded weight-producing nodes (Reshape of an initializer, …) and initializers that nothing uses any more.
  const nodes = pruneUnused(rewritten, graph.outputs.map((o) => o.name), (n) => foldedNodes.has(n), initializers);

  // Older exporters list initializers as graph inputs too; those that were quantized away must leave the inputs.
  const inputs = graph.inputs.filter((v) => !graph.initializers.has(v.name) || initializers.has(v.name));
  const shadowed = graph.inputs.filter((v) => graph.initializers.has(v.name)).length;
  if (shadowed > 0) warnings.push(`${shadowed} initializer(s) were also listed as graph inputs; they were treated as constants`);
  const quantParams = graph.quantParams ? new Map([...graph.quantParams].filter(([k]) => initializers.has(k))) : undefined;
  const newGraph: Graph = { ...graph, nodes, inputs, initializers, ...(quantParams ? { quantParams } : {}) };
  const opsetImports: Record<string, number> = { ...model.opsetImports, [QINT_DOMAIN]: 1 };
  const onnxOpset = opsetImports[''] ?? opsetImports['ai.onnx'] ?? 1;
  if (needsOpset11 && onnxOpset < 11) {
    opsetImports[''] = 11;
    delete opsetImports['ai.onnx'];
    warnings.push(`the ai.onnx opset was raised from ${onnxOpset} to 11 for DynamicQuantizeLinear/MatMulInteger`);
  }
  // The float model's own bytes: its initializers and Constant-node values (folding may have copied a shared weight).
  let before = 0;
  for (const t of model.graph.initializers.values()) before += bytesOf(t);
  for (const n of model.graph.nodes) {
    const v = n.opType === 'Constant' && isOnnx(n) ? n.attributes.value : undefined;
    if (v?.type === 'tensor') before += bytesOf(v.value);
  }
  let after = 0;
  for (const t of initializers.values()) after += bytesOf(t);
  return {
    model: { ...model, opsetImports, graph: newGraph },
    report: { quantized, skipped, warnings, weightBytesBefore: before, weightBytesAfter: after },
  };
}

/** MatMul of two activations: both sides quantized at run time (ORT's pattern, standard ops only). */
function activationMatMul(node: Node, base: string, fresh: (b: string) => string): Node[] {
  const [a, b] = node.inputs;
  const v = (s: string): string => fresh(`${base}_${s}`);
  const [aq, as, az, bq, bs, bz, acc, accF, sc] = ['A_q', 'A_scale', 'A_zp', 'B_q', 'B_scale', 'B_zp', 'acc', 'acc_f', 'scale'].map(v);
  const mk = (op: string, inputs: string[], outputs: string[], attributes: Record<string, Attribute> = {}): Node => ({
    name: fresh(`${base}_${op}`),
    opType: op,
    domain: '',
    inputs,
    outputs,
    attributes,
  });
  return [
    mk('DynamicQuantizeLinear', [a], [aq, as, az]),
    mk('DynamicQuantizeLinear', [b], [bq, bs, bz]),
    mk('MatMulInteger', [aq, bq, az, bz], [acc]),
    mk('Cast', [acc], [accF], { to: int(1) }),
    mk('Mul', [as, bs], [sc]),
    mk('Mul', [accF, sc], [node.outputs[0]]),
  ];
}
