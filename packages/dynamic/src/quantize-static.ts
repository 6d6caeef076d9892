import type { Model } from '@qint/graph';
import type { CalibrationRanges, CalibrationState } from './calibrate-options';
import type { QuantizeReport } from './quantize-dynamic-options';
import { QuantizeError } from './quantize-error';
import type { QuantizeStaticOptions } from './quantize-static-options';
import { staticQdq } from './static-qdq';
import { staticQOperator } from './static-qoperator';

/**
 * Static quantization from calibrated activation ranges. Weights are int8 symmetric (per output channel by default,
 * on the right axis: Conv 0, MatMul `[K, N]` 1, Gemm with transB 0), computed by the same `quantizeWeight` as
 * {@link quantizeDynamic}; activations are uint8 affine per tensor with scales from `calculateQParams` of
 * @qint/observers applied to the calibrated range.
 *
 * - `format: 'qdq'` (default) wraps each MatMul/Gemm/Conv's activation in QuantizeLinear → DequantizeLinear and
 *   its weight in DequantizeLinear; the float op stays.
 * - `format: 'qoperator'` emits QuantizeLinear at the input, QLinearConv / QLinearMatMul between quantized tensors
 *   (a Conv's bias — its B, or a following per-channel Add — becomes QLinearConv's int32 B with scale
 *   x_scale·w_scale; a following Relu is fused through the output range; Gemm becomes QLinearMatMul + float Add of
 *   its bias), and DequantizeLinear at graph outputs and before every op that has no quantized form.
 *
 * @param model - the float model (not modified)
 * @param ranges - from {@link calibrate}, or a {@link CalibrationState} from {@link calibrateState}
 * @param options - {@link QuantizeStaticOptions}
 * @returns the quantized model and a report (quantized / skipped layers with reasons, warnings, weight bytes)
 * @throws {@link QuantizeError} when nothing can be quantized, an excluded name does not exist, a weight has NaN/Inf,
 * a calibrated range is not finite, or `format` is unknown
 * @example
 * ```ts
 * const state = calibrateState(model, batches, { observer: 'percentile' });
 * const { model: qop } = quantizeStatic(model, state, { format: 'qoperator' });
 * ```
 */
export function quantizeStatic(model: Model, ranges: CalibrationRanges | CalibrationState, options: QuantizeStaticOptions = {}): { model: Model; report: QuantizeReport } {
  const r: CalibrationRanges = typeof (ranges as CalibrationState).ranges === 'function' ? (ranges as CalibrationState).ranges() : (ranges as CalibrationRanges);
  if (r === null || typeof r !== 'object') throw new QuantizeError(`quantizeStatic: "ranges" must be the result of calibrate or calibrateState, got ${String(r)}`);
  for (const [name, v] of Object.entries(r)) {
    if (!v || !Number.isFinite(v.min) || !Number.isFinite(v.max) || v.min > v.max) {
      throw new QuantizeError(`quantizeStatic: the range of "${name}" must be finite with min ≤ max, got ${JSON.stringify(v)}`, { node: name });
    }
  }
  const graph = model.graph;
  const names = new Set(graph.nodes.map((n) => n.name));
  const types = new Set(graph.nodes.map((n) => n.opType));
  for (const e of options.exclude ?? []) if (!names.has(e) && !types.has(e)) throw new QuantizeError(`quantizeStatic: "exclude" names "${e}", which is neither a node name nor an op type in the graph`, { node: e });
  if (options.weightType !== undefined && options.weightType !== 'uint8' && options.weightType !== 'int8') {
    throw new QuantizeError(`quantizeStatic: "weightType" must be 'uint8' or 'int8', got ${JSON.stringify(options.weightType)}`);
  }
  const format = options.format ?? 'qdq';
  if (format === 'qdq') return staticQdq(model, r, options);
  if (format === 'qoperator') return staticQOperator(model, r, options);
  throw new QuantizeError(`quantizeStatic: "format" must be 'qdq' or 'qoperator', got ${JSON.stringify(format)}`);
}
