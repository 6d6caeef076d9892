// Requantization of int32 accumulators (QLinearMatMul, QLinearConv), following ONNX's reference implementation:
// the real multiplier `a_scale · b_scale / y_scale` is computed in the scales' own precision (float32, or float16
// when all scales are float16), the product with the int32 accumulator in float64, then round half to even,
// add the zero point and saturate.
import { roundHalfToEven, roundToFloat16 } from './numerics';

/**
 * The real multiplier `aScale · bScale / yScale`, each operation rounded to the scales' precision.
 *
 * @param aScale - scale of the first operand
 * @param bScale - scale of the second operand
 * @param yScale - scale of the output
 * @param precision - `'float32'` (default) or `'float16'` (when all three scales are float16, as ONNX's reference computes)
 * @returns the multiplier
 * @example
 * ```ts
 * requantizeMultiplier(0.5, 0.25, 0.125); // 1
 * ```
 */
export function requantizeMultiplier(aScale: number, bScale: number, yScale: number, precision: 'float32' | 'float16' = 'float32'): number {
  if (precision === 'float16') return roundToFloat16(roundToFloat16(aScale * bScale) / yScale);
  return Math.fround(Math.fround(aScale * bScale) / yScale);
}

/**
 * One requantized value: `clamp(roundHalfToEven(acc · multiplier) + zeroPoint, qmin, qmax)`.
 *
 * @param acc - the int32 accumulator
 * @param multiplier - from {@link requantizeMultiplier}
 * @param zeroPoint - the output zero point
 * @param qmin - smallest output value (e.g. 0 for uint8)
 * @param qmax - largest output value (e.g. 255)
 * @returns the saturated integer
 * @example
 * ```ts
 * requantizeValue(5, 0.5, 10, 0, 255); // 12 (2.5 rounds to 2)
 * ```
 */
export function requantizeValue(acc: number, multiplier: number, zeroPoint: number, qmin: number, qmax: number): number {
  const q = roundHalfToEven(acc * multiplier) + zeroPoint;
  return q < qmin ? qmin : q > qmax ? qmax : q;
}
