import type { Model, Node } from '@qint/graph';
import type { CalibrationRanges } from './calibrate-options';
import { foldConstant } from './fold-constant';
import { indexGraph } from './graph-index';
import { intAttr as int, isOnnx, numAttr } from './node-utils';
import type { QuantizedNodeInfo, SkippedNodeInfo } from './quantize-dynamic-options';
import type { QuantizeStaticOptions } from './quantize-static-options';
import { finishStatic } from './static-finish';
import { activationQParams, quantizeStaticWeight } from './static-weight';
import { graphNamer } from './unique-namer';

/**
 * Static quantization in QDQ form: each MatMul/Gemm/Conv with a constant weight gets its activation input wrapped
 * in QuantizeLinear → DequantizeLinear (uint8, per tensor, scales from the calibrated range) and its weight replaced
 * by DequantizeLinear of int8 values (symmetric, per output channel on the right axis). onnxruntime fuses the
 * pattern into integer kernels; qint's executor runs it as written.
 *
 * @param model - the float model (not modified)
 * @param ranges - calibrated ranges
 * @param options - {@link QuantizeStaticOptions} (exclude already validated)
 * @returns the QDQ model and a report
 * @throws {@link QuantizeError} when nothing can be quantized or a weight has NaN/Inf
 * @example
 * ```ts
 * staticQdq(model, calibrate(model, batches), {});
 * ```
 */
export function staticQdq(model: Model, ranges: CalibrationRanges, options: QuantizeStaticOptions) {
  const graph = model.graph;
  const exclude = new Set(options.exclude ?? []);
  const convention = options.convention ?? 'pytorch';
  const perChannel = (options.granularity ?? 'per_channel') === 'per_channel';
  const { producers } = indexGraph(graph);
  const initializers = new Map(graph.initializers);
  const fresh = graphNamer(graph);
  const quantized: QuantizedNodeInfo[] = [];
  const skipped: SkippedNodeInfo[] = [];
  const qdqOf = new Map<string, string>();
  const out: Node[] = [];
  graph.nodes.forEach((node, index) => {
    const label = node.name || `#${index}`;
    if (!isOnnx(node) || !['MatMul', 'Gemm', 'Conv'].includes(node.opType)) return void out.push(node);
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
    const transB = node.opType === 'Gemm' && numAttr(node, 'transB', 0) !== 0;
    if (node.opType === 'Gemm' && numAttr(node, 'transA', 0) !== 0) return skip('transA = 1 is not supported');
    if (node.opType !== 'Conv' && w.rank !== 2) return skip(`weight has rank ${w.rank}`);
    // Output channels: Conv dim 0, Gemm(transB) dim 0, MatMul/Gemm dim 1 of [K, N].
    const axis = node.opType === 'Conv' || transB ? 0 : 1;
    const q = quantizeStaticWeight(w, axis, perChannel, options.reduceRange ?? false, convention, label, options.weightType);
    const wq = fresh(`${label}_W_${q.values.dtype}`);
    const ws = fresh(`${label}_W_scale`);
    const wz = fresh(`${label}_W_zero_point`);
    const wdq = fresh(`${label}_W_dq`);
    initializers.set(wq, q.values);
    initializers.set(ws, q.scale);
    initializers.set(wz, q.zeroPoint);
    const x = node.inputs[0];
    let xdq = qdqOf.get(x);
    if (!xdq) {
      const p = activationQParams(range, convention);
      const xs = fresh(`${x}_scale`);
      const xz = fresh(`${x}_zero_point`);
      const xq = fresh(`${x}_q`);
      xdq = fresh(`${x}_dq`);
      initializers.set(xs, p.scaleTensor);
      initializers.set(xz, p.zeroTensor);
      out.push(
        { name: fresh(`${x}_QuantizeLinear`), opType: 'QuantizeLinear', domain: '', inputs: [x, xs, xz], outputs: [xq], attributes: {} },
        { name: fresh(`${x}_DequantizeLinear`), opType: 'DequantizeLinear', domain: '', inputs: [xq, xs, xz], outputs: [xdq], attributes: {} },
      );
      qdqOf.set(x, xdq);
    }
    out.push(
      { name: fresh(`${label}_W_DequantizeLinear`), opType: 'DequantizeLinear', domain: '', inputs: [wq, ws, wz], outputs: [wdq], attributes: perChannel ? { axis: int(axis) } : {} },
      { ...node, inputs: [xdq, wdq, ...node.inputs.slice(2)] },
    );
    quantized.push({ node: label, opType: node.opType, as: 'QDQ', bits: 8, granularity: perChannel ? 'per_channel' : 'per_tensor', blockSize: 0, symmetric: true, perRow: false, rounding: 'nearest', weightBytesBefore: w.size * 4, weightBytesAfter: w.size + q.scales.length * 4 + q.zeroPoint.size });
  });
  return finishStatic(model, { nodes: out, initializers, quantized, skipped, warnings: [] }, 13, 'per-axis DequantizeLinear');
}
