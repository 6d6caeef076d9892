import type { Model, Node } from '@qint/graph';
import { roundHalfEven } from '@qint/observers';
import { Tensor } from '@qint/tensor';
import type { CalibrationRanges } from './calibrate-options';
import type { QuantizedNodeInfo, SkippedNodeInfo } from './quantize-dynamic-options';
import type { QuantizeStaticOptions } from './quantize-static-options';
import { splitGemm } from './split-gemm';
import { isOnnx } from './node-utils';
import { finishStatic } from './static-finish';
import { staticLayers, type StaticLayer } from './static-plan';
import { activationQParams, quantizeStaticWeight } from './static-weight';
import { graphNamer } from './unique-namer';

/** A float tensor's uint8 twin in the rewritten graph. */
interface QuantizedValue {
  q: string;
  scaleName: string;
  zeroName: string;
  scale: number;
}

const INT32_MAX = 2147483647;

/**
 * ai.onnx ops whose definitions did not change incompatibly between opset 8 and 12: a model made only of these may have
 * its opset raised to 12, the first where MaxPool takes uint8.
 */
const SAFE_TO_OPSET_12 = new Set(['Conv', 'MatMul', 'Gemm', 'Add', 'Sub', 'Mul', 'Div', 'Relu', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'Reshape', 'Flatten', 'Transpose', 'Concat', 'Identity', 'Sigmoid', 'Tanh', 'Softmax']);

/** Whether uint8 MaxPool may be emitted: the model is at opset ≥ 12 already, or only has ops safe to raise it to 12. */
function integerMaxPoolAllowed(model: Model): boolean {
  if ((model.opsetImports[''] ?? 1) >= 12) return true;
  return model.graph.nodes.every((n) => !isOnnx(n) || SAFE_TO_OPSET_12.has(n.opType));
}

/**
 * Static quantization in QOperator form (see {@link quantizeStatic}, `format: 'qoperator'`).
 *
 * @param model - the float model (not modified)
 * @param ranges - calibrated ranges of every layer's input and (fused) output
 * @param options - {@link QuantizeStaticOptions} (exclude already validated)
 * @returns the QOperator model and a report
 * @throws {@link QuantizeError} when nothing can be quantized or a weight has NaN/Inf
 * @example
 * ```ts
 * staticQOperator(model, calibrate(model, batches), { format: 'qoperator' });
 * ```
 */
export function staticQOperator(model: Model, ranges: CalibrationRanges, options: QuantizeStaticOptions) {
  const exclude = new Set(options.exclude ?? []);
  const { model: split, origin } = splitGemm(model, exclude);
  const graph = split.graph;
  const convention = options.convention ?? 'pytorch';
  const perChannel = (options.granularity ?? 'per_channel') === 'per_channel';
  const layers = new Map<Node, StaticLayer>(staticLayers(graph, new Set(['Conv', 'MatMul'])).map((l) => [l.node, l]));
  const initializers = new Map(graph.initializers);
  const fresh = graphNamer(graph);
  const quantized: QuantizedNodeInfo[] = [];
  const skipped: SkippedNodeInfo[] = [];
  const warnings: string[] = [];
  const out: Node[] = [];
  const fusedAway = new Set<Node>();
  const quantOf = new Map<string, QuantizedValue>();
  const intMaxPool = integerMaxPoolAllowed(model);
  let intMaxPools = 0;
  const constScalar = (base: string, t: Tensor): string => {
    const name = fresh(base);
    initializers.set(name, t);
    return name;
  };
  /** Scale and zero-point initializers of a calibrated float tensor (uint8, per tensor, affine). */
  const qparamsOf = (name: string): { scale: number; scaleName: string; zeroName: string } => {
    const p = activationQParams(ranges[name], convention);
    return { scale: p.scale, scaleName: constScalar(`${name}_scale`, p.scaleTensor), zeroName: constScalar(`${name}_zero_point`, p.zeroTensor) };
  };
  /** The uint8 version of a float activation: reused when a quantized layer made it, else a QuantizeLinear. */
  const quantizedInput = (x: string): QuantizedValue => {
    let v = quantOf.get(x);
    if (!v) {
      const p = qparamsOf(x);
      v = { q: fresh(`${x}_quantized`), ...p };
      out.push({ name: fresh(`${x}_QuantizeLinear`), opType: 'QuantizeLinear', domain: '', inputs: [x, p.scaleName, p.zeroName], outputs: [v.q], attributes: {} });
      quantOf.set(x, v);
    }
    return v;
  };

  graph.nodes.forEach((node, index) => {
    if (fusedAway.has(node)) return;
    const orig = origin.get(node) ?? node;
    const label = orig.name || `#${index}`;
    const layer = layers.get(node);
    if (!layer) {
      if (isOnnx(node) && ['MatMul', 'Gemm', 'Conv'].includes(node.opType)) {
        const reason = exclude.has(node.name) || exclude.has(node.opType) ? 'excluded by options.exclude' : node.opType === 'Gemm' ? 'Gemm with transA = 1 or a non-constant B/C has no QLinearMatMul form' : 'weight is not a float32 constant (or has an unsupported rank)';
        skipped.push({ node: label, opType: orig.opType, reason });
      }
      if (intMaxPool && isOnnx(node) && node.opType === 'MaxPool' && (node.outputs[1] ?? '') === '' && quantOf.has(node.inputs[0])) {
        // Max commutes with the monotone uint8 grid: pooling the quantized tensor is exact, with its scale and zero point.
        const x = quantOf.get(node.inputs[0])!;
        const y = node.outputs[0];
        const yq = fresh(`${y}_quantized`);
        out.push({ ...node, inputs: [x.q], outputs: [yq] });
        out.push({ name: fresh(`${y}_DequantizeLinear`), opType: 'DequantizeLinear', domain: '', inputs: [yq, x.scaleName, x.zeroName], outputs: [y], attributes: {} });
        quantOf.set(y, { ...x, q: yq });
        intMaxPools++;
        return;
      }
      out.push(node);
      return;
    }
    const skip = (reason: string): void => {
      skipped.push({ node: label, opType: orig.opType, reason });
      out.push(node);
    };
    if (exclude.has(orig.name) || exclude.has(orig.opType)) return skip('excluded by options.exclude');
    for (const t of [layer.x, layer.y]) if (!ranges[t]) return skip(`no calibrated range for "${t}"`);
    const w = layer.weight;
    const isConv = node.opType === 'Conv';
    const wq = quantizeStaticWeight(w, isConv ? 0 : 1, perChannel, options.reduceRange ?? false, convention, label, options.weightType);
    const channels = wq.scales.length;
    const x = quantizedInput(layer.x);
    const wName = constScalar(`${label}_W_quantized`, wq.values);
    const wScale = constScalar(`${label}_W_scale`, wq.scale);
    const wZero = constScalar(`${label}_W_zero_point`, wq.zeroPoint);
    const y = qparamsOf(layer.y);
    const yq = fresh(`${layer.y}_quantized`);
    const inputs = [x.q, x.scaleName, x.zeroName, wName, wScale, wZero, y.scaleName, y.zeroName];
    if (isConv && layer.bias) {
      // ONNX QLinearConv: B is int32 with scale x_scale · w_scale[m] and zero point 0.
      const b = new Int32Array(layer.bias.length);
      let clamped = 0;
      for (let m = 0; m < b.length; m++) {
        const v = roundHalfEven(layer.bias[m] / (x.scale * wq.scales[perChannel ? m : 0]));
        b[m] = Math.max(-INT32_MAX - 1, Math.min(INT32_MAX, v));
        if (b[m] !== v) clamped++;
      }
      if (clamped) warnings.push(`${label}: ${clamped} bias value(s) exceed int32 at scale x_scale·w_scale and were clamped`);
      inputs.push(constScalar(`${label}_B_quantized`, Tensor.from('int32', [b.length], b)));
    }
    out.push({ name: label, opType: isConv ? 'QLinearConv' : 'QLinearMatMul', domain: '', inputs, outputs: [yq], attributes: isConv ? node.attributes : {} });
    // The float twin for consumers without a quantized form; dropped at the end if only quantized layers read it.
    out.push({ name: fresh(`${layer.y}_DequantizeLinear`), opType: 'DequantizeLinear', domain: '', inputs: [yq, y.scaleName, y.zeroName], outputs: [layer.y], attributes: {} });
    quantOf.set(layer.y, { q: yq, ...y });
    for (const f of layer.fused) fusedAway.add(f);
    const fusedNote = layer.fused.length ? ` (+${layer.fused.map((f) => f.opType).join('+')})` : '';
    quantized.push({
      node: label,
      opType: orig.opType,
      as: `${isConv ? 'QLinearConv' : 'QLinearMatMul'}${fusedNote}`,
      bits: 8,
      granularity: perChannel ? 'per_channel' : 'per_tensor',
      blockSize: 0,
      symmetric: true,
      perRow: false,
      rounding: 'nearest',
      weightBytesBefore: w.size * 4 + (layer.bias ? layer.bias.length * 4 : 0),
      weightBytesAfter: w.size + channels * 5 + (layer.bias ? layer.bias.length * 4 : 0),
    });
  });
  return intMaxPools
    ? finishStatic(model, { nodes: out, initializers, quantized, skipped, warnings }, 12, 'QLinearConv/QLinearMatMul and uint8 MaxPool')
    : finishStatic(model, { nodes: out, initializers, quantized, skipped, warnings }, 10, 'QLinearConv/QLinearMatMul');
}
