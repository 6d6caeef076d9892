import { Tensor } from '@qint/tensor';
import type { OpOptions } from './backend-registry';
import { dynamicParams, quantizeDynamic } from './internal/dynamic-quant';
import { requireDType } from './internal/validate';

/**
 * ONNX DynamicQuantizeLinear: quantizes float32 `x` to uint8 with a scale and zero point computed from its own range.
 * `scale = (max(0, max x) − min(0, min x)) / 255` (in float32), `zero_point = saturate(roundHalfToEven(−min(0, min x) / scale))`,
 * `y = saturate(roundHalfToEven(x / scale) + zero_point)`.
 *
 * Documented edge cases (ONNX leaves them open): an all-zero or empty input gives scale 0, zero point 0 and y all 0
 * (no division by zero); NaN and ±Infinity are left out of the range, NaN quantizes to the zero point (real 0),
 * +Infinity to 255 and −Infinity to 0 — so one bad value never wipes out the whole tensor.
 *
 * @param x - float32 input of any shape
 * @param _options - `{ backend }` (unused: this op has no backend primitive)
 * @returns `[y, y_scale, y_zero_point]`: uint8 of `x`'s shape, float32 scalar, uint8 scalar
 * @throws {@link DTypeError} when `x` is not float32
 * @example
 * ```ts
 * const [y, scale, zp] = dynamicQuantizeLinear(Tensor.from('float32', [3], [0, 2, -1]));
 * // scale = 3/255, zp = 85, y = [85, 255, 0]
 * ```
 */
export function dynamicQuantizeLinear(x: Tensor, _options?: OpOptions): [Tensor<'uint8'>, Tensor<'float32'>, Tensor<'uint8'>] {
  requireDType('dynamicQuantizeLinear', 'x', x, ['float32'] as const);
  const data = x.data as Float32Array;
  const params = dynamicParams(data, 0, data.length);
  const y = new Uint8Array(data.length);
  quantizeDynamic(data, 0, data.length, params, y, 0, 0);
  return [Tensor.from('uint8', x.shape, y), Tensor.scalar('float32', params.scale), Tensor.scalar('uint8', params.zeroPoint)];
}
