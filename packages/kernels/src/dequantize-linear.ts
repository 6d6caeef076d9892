import { float32ToFloat16Array, Tensor } from '@qint/tensor';
import type { OpOptions } from './backend-registry';
import { forEachParamRun, quantLayout } from './internal/quant-layout';
import { intValues, readScales, readZeroPoints, requireDType, requireShape } from './internal/validate';

/** Attributes of {@link dequantizeLinear} (ONNX DequantizeLinear, opset 10–21). */
export interface DequantizeLinearOptions extends OpOptions {
  /** The per-axis / blocked axis (default 1, may be negative). */
  axis?: number;
  /** Block length along `axis` for blocked quantization (default 0). */
  blockSize?: number;
}

const OP = 'dequantizeLinear';
const INPUT_DTYPES = ['int8', 'uint8', 'int16', 'uint16', 'int4', 'uint4', 'int2', 'uint2', 'int32'] as const;

/**
 * ONNX DequantizeLinear: `y = (x − x_zero_point) · x_scale`, per tensor, per axis or blocked (see
 * {@link quantizeLinear}). Computed in float32 as ONNX's reference does; the output has the scale's dtype
 * (float32, or float16 rounded to nearest even from the float32 result).
 *
 * @param x - quantized input: int8, uint8, int16, uint16, int4, uint4, int2, uint2 or int32
 * @param xScale - float32 or float16 scales, finite and > 0
 * @param xZeroPoint - optional zero points, same dtype as `x` and same shape as `xScale`
 * @param options - {@link DequantizeLinearOptions}
 * @returns the real-valued tensor, same shape as `x`
 * @throws {@link DTypeError} for a wrong input/scale/zero-point dtype
 * @throws {@link ShapeError} when the scale or zero point does not fit `x`
 * @throws {@link ValueError} for a NaN/Inf/≤ 0 scale or an out-of-range zero point
 * @example
 * ```ts
 * dequantizeLinear(Tensor.from('uint8', [2], [0, 255]), Tensor.scalar('float32', 2), Tensor.scalar('uint8', 128)).toArray(); // [-256, 254]
 * ```
 */
export function dequantizeLinear(x: Tensor, xScale: Tensor, xZeroPoint?: Tensor, options: DequantizeLinearOptions = {}): Tensor {
  requireDType(OP, 'x', x, INPUT_DTYPES);
  const scales = readScales(OP, 'x_scale', xScale);
  const layout = quantLayout(OP, x, xScale, 'x_scale', options.axis ?? 1, options.blockSize ?? 0);
  let zps: Int32Array | undefined;
  if (xZeroPoint !== undefined && xZeroPoint !== null) {
    if (!(xZeroPoint.size === 1 && xScale.size === 1)) requireShape(OP, 'x_zero_point', xZeroPoint, xScale.shape, 'the shape of "x_scale"');
    zps = readZeroPoints(OP, 'x_zero_point', xZeroPoint, x.dtype);
  }
  const src = intValues(x);
  const out = new Float32Array(x.size);
  forEachParamRun(layout, (start, end, param) => {
    const s = scales[param];
    const z = zps ? zps[param] : 0;
    // (x − z) is an exact integer; converting it to float32 first matches the reference for int32 inputs too.
    for (let i = start; i < end; i++) out[i] = Math.fround(src[i] - z) * s;
  });
  if (xScale.dtype === 'float16') return Tensor.from('float16', x.shape, float32ToFloat16Array(out));
  return Tensor.from('float32', x.shape, out);
}
