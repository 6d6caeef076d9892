import type { Attribute, Graph, Model, Node } from '@qint/graph';
import { calculateQParams, type Convention } from '@qint/observers';
import { Tensor } from '@qint/tensor';
import type { CalibrationRanges } from './calibrate';
import { foldConstant } from './fold-constant';
import { QuantizeError } from './quantize-error';
import type { QuantizeReport, QuantizedNodeInfo, SkippedNodeInfo } from './quantize-dynamic-options';
import { quantizeWeight } from './quantize-weight';

/** Options of {@link quantizeStatic}. */
export interface QuantizeStaticOptions {
  /** Per output channel (default) or one scale per weight. */
  granularity?: 'per_tensor' | 'per_channel';
  /** Arithmetic of every scale (default `'pytorch'`). */
  convention?: Convention;
  /** Halve the weight range (PyTorch's `reduce_range`). */
  reduceRange?: boolean;
  /** Node names or op types left in float (an unknown name is an error). */
  exclude?: readonly string[];
}

const int = (value: number): Attribute => ({ type: 'int', value });

/**
 * Static quantization in QDQ form: each MatMul/Gemm/Conv with a constant weight gets its activation input wrapped
 * in QuantizeLinear → DequantizeLinear (uint8, per tensor, scales from the calibrated range) and its weight replaced
 * by DequantizeLinear of int8 values (symmetric, per output channel on the right axis). onnxruntime fuses the
 * pattern into integer kernels; qint's executor runs it as written. Scales come from `calculateQParams` of
 * @qint/observers; weights from the same `quantizeWeight` as {@link quantizeDynamic}.
 *
 * @param model - the float model (not modified)
 * @param ranges - from {@link calibrate}
 * @param options - {@link QuantizeStaticOptions}
 * @returns the QDQ model and a report
 * @throws {@link QuantizeError} when nothing can be quantized, an excluded name does not exist, or a weight has NaN/Inf
 * @example
 * ```ts
 * const { model: qdq } = quantizeStatic(model, calibrate(model, batches));
 * ```
 */
export function quantizeStatic(model: Model, ranges: CalibrationRanges, options: QuantizeStaticOptions = {}): { model: Model; report: QuantizeReport } {
  const graph = model.graph;
  const exclude = new Set(options.exclude ?? []);
  const names = new Set(graph.nodes.map((n) => n.name));
  const types = new Set(graph.nodes.map((n) => n.opType));
  for (const e of exclude) if (!names.has(e) && !types.has(e)) throw new QuantizeError(`quantizeStatic: "exclude" names "${e}", which is neither a node name nor an op type in the graph`, { node: e });
  const convention = options.convention ?? 'pytorch';
  const perChannel = (options.granularity ?? 'per_channel') === 'per_channel';
  const producers = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) producers.set(o, n);
  const initializers = new Map(graph.initializers);
  const used = new Set<string>([...initializers.keys(), ...graph.inputs.map((v) => v.name), ...producers.keys()]);
  const fresh = (b: string): string => {
    let name = b;
    for (let i = 1; used.has(name); i++) name = `${b}_${i}`;
    used.add(name);
    return name;
  };
  const quantized: QuantizedNodeInfo[] = [];
  const skipped: SkippedNodeInfo[] = [];
  const qdqOf = new Map<string, string>();
  const out: Node[] = [];
  graph.nodes.forEach((node, index) => {
    const label = node.name || `#${index}`;
    if ((node.domain !== '' && node.domain !== 'ai.onnx') || !['MatMul', 'Gemm', 'Conv'].includes(node.opType)) return void out.push(node);
    const skip = (reason: string): void => {
      skipped.push({ node: label, opType: node.opType, reason });
      out.push(node);
    };
    if (exclude.has(node.name) || exclude.has(node.opType)) return skip('excluded by options.exclude');
    const folded = foldConstant(graph, node.inputs[1], producers);
    if (!folded || folded.tensor.dtype !== 'float32') return skip('weight is not a float32 constant');
    const w = folded.tensor;
    const range = ranges[node.inputs[0]];
    if (!range) return skip(`no calibrated range for input "${node.inputs[0]}"`);
    const transB = node.opType === 'Gemm' && node.attributes.transB?.type === 'int' && node.attributes.transB.value === 1;
    if (node.opType === 'Gemm' && node.attributes.transA?.type === 'int' && node.attributes.transA.value === 1) return skip('transA = 1 is not supported');
    if (node.opType !== 'Conv' && w.rank !== 2) return skip(`weight has rank ${w.rank}`);
    // Output channels: Conv dim 0, Gemm(transB) dim 0, MatMul/Gemm dim 1 of [K, N].
    const axis = node.opType === 'Conv' || transB ? 0 : 1;
    const n = w.shape[axis];
    const k = w.size / n;
    // quantizeWeight reads output-major [n, k]: a [K, N] weight is transposed in, and its values transposed back.
    const rows = (axis === 0 ? w.data : w.transpose().data) as Float32Array;
    const q = quantizeWeight(rows, n, k, {
      bits: 8, granularity: perChannel ? 'per_channel' : 'per_tensor', blockSize: 0, symmetric: true, weightType: 'int8',
      reduceRange: options.reduceRange ?? false, convention, rangeMethod: 'minmax', percentile: 100,
    }, label);
    const values = axis === 0 ? q.values : (Tensor.from('int8', [n, k], q.values).transpose().data as Int8Array);
    const wq = fresh(`${label}_W_int8`);
    const ws = fresh(`${label}_W_scale`);
    const wdq = fresh(`${label}_W_dq`);
    initializers.set(wq, Tensor.from('int8', w.shape, values));
    initializers.set(ws, perChannel ? Tensor.from('float32', [n], q.scales) : Tensor.from('float32', [], [q.scales[0]]));
    const x = node.inputs[0];
    let xdq = qdqOf.get(x);
    if (!xdq) {
      const p = calculateQParams(range.min, range.max, { dtype: 'uint8', qscheme: 'per_tensor_affine', convention });
      const xs = fresh(`${x}_scale`);
      const xz = fresh(`${x}_zero_point`);
      const xq = fresh(`${x}_q`);
      xdq = fresh(`${x}_dq`);
      initializers.set(xs, Tensor.from('float32', [], [p.scale[0]]));
      initializers.set(xz, Tensor.from('uint8', [], [p.zeroPoint[0]]));
      out.push(
        { name: fresh(`${x}_QuantizeLinear`), opType: 'QuantizeLinear', domain: '', inputs: [x, xs, xz], outputs: [xq], attributes: {} },
        { name: fresh(`${x}_DequantizeLinear`), opType: 'DequantizeLinear', domain: '', inputs: [xq, xs, xz], outputs: [xdq], attributes: {} },
      );
      qdqOf.set(x, xdq);
    }
    out.push(
      { name: fresh(`${label}_W_DequantizeLinear`), opType: 'DequantizeLinear', domain: '', inputs: [wq, ws], outputs: [wdq], attributes: perChannel ? { axis: int(axis) } : {} },
      { ...node, inputs: [xdq, wdq, ...node.inputs.slice(2)] },
    );
    quantized.push({ node: label, opType: node.opType, as: 'QDQ', bits: 8, granularity: perChannel ? 'per_channel' : 'per_tensor', blockSize: 0, symmetric: true, perRow: false, weightBytesBefore: w.size * 4, weightBytesAfter: w.size + q.scales.length * 4 });
  });
  if (quantized.length === 0) throw new QuantizeError(`quantizeStatic: nothing to quantize${skipped.length ? ` — ${skipped.map((s) => `${s.opType} "${s.node}": ${s.reason}`).join('; ')}` : ''}`);
  // Weights now come from DequantizeLinear: drop the float initializers (and folding nodes) nothing uses.
  let nodes = out;
  for (let changed = true; changed; ) {
    const refs = new Set<string>(graph.outputs.map((o) => o.name));
    for (const nd of nodes) for (const i of nd.inputs) refs.add(i);
    const kept = nodes.filter((nd) => !['Reshape', 'Transpose', 'Identity', 'Squeeze', 'Unsqueeze', 'Flatten', 'Constant'].includes(nd.opType) || nd.outputs.some((o) => refs.has(o)));
    changed = kept.length !== nodes.length;
    nodes = kept;
  }
  const refs = new Set<string>(graph.outputs.map((o) => o.name));
  for (const nd of nodes) for (const i of nd.inputs) refs.add(i);
  for (const name of [...initializers.keys()]) if (!refs.has(name)) initializers.delete(name);
  const inputs = graph.inputs.filter((v) => !graph.initializers.has(v.name) || initializers.has(v.name));
  const g: Graph = { ...graph, nodes, inputs, initializers };
  const opset = Math.max(model.opsetImports[''] ?? 1, 13);
  let before = 0;
  for (const t of graph.initializers.values()) before += t.data.byteLength;
  let after = 0;
  for (const t of initializers.values()) after += t.data.byteLength;
  return {
    model: { ...model, opsetImports: { ...model.opsetImports, '': opset }, graph: g },
    report: { quantized, skipped, warnings: opset !== model.opsetImports[''] ? [`the ai.onnx opset was raised to 13 for per-axis DequantizeLinear`] : [], weightBytesBefore: before, weightBytesAfter: after },
  };
}
