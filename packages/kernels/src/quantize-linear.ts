import {
  allocateData,
  DTypeError,
  dtypeInfo,
  isPackedDType,
  isQuantDType,
  packSubByte,
  Tensor,
  type PackedDType,
  type QuantDType,
} from '@qint/tensor';
import type { OpOptions } from './backend-registry';
import { forEachParamRun, quantLayout } from './internal/quant-layout';
import { readScales, readZeroPoints, requireDType, requireShape } from './internal/validate';
import { roundHalfToEven, roundToFloat16 } from './numerics';

/** Attributes of {@link quantizeLinear} (ONNX QuantizeLinear, opset 10–21). */
export interface QuantizeLinearOptions extends OpOptions {
  /** The per-axis / blocked axis (default 1, may be negative). */
  axis?: number;
  /** Block length along `axis` for blocked quantization (default 0: per tensor or per axis). */
  blockSize?: number;
  /**
   * ONNX applies `saturate` to float8 outputs only and ignores it for integer outputs, which always saturate to the
   * type's range; accepted for attribute parity and ignored likewise (qint has no float8 output).
   */
  saturate?: boolean;
  /** Output type when `yZeroPoint` is absent (ONNX `output_dtype`; default uint8). */
  outputDtype?: QuantDType;
}

const OP = 'quantizeLinear';

/**
 * ONNX QuantizeLinear: `y = saturate(roundHalfToEven(x / y_scale) + y_zero_point)`, per tensor (scalar scale), per
 * axis (1-D scale along `axis`) or blocked (`blockSize > 0`, scale of the input's rank with `ceil(dim / blockSize)`
 * along `axis`). The output type is the zero point's dtype (else `outputDtype`, else uint8); int4/uint4/int2/uint2
 * outputs are packed, element 0 in the low bits.
 *
 * The quotient is computed as ONNX's reference does: in float32 for float32 input, rounded to float16 when input
 * and scale are float16, in float64 for int32 input. NaN quantizes to the zero point; ±Infinity saturates.
 *
 * @param x - float32, float16 or int32 input
 * @param yScale - float32 or float16 scales, finite and > 0
 * @param yZeroPoint - optional zero points of the output dtype, same shape as `yScale`
 * @param options - {@link QuantizeLinearOptions}
 * @returns the quantized tensor, same shape as `x`
 * @throws {@link DTypeError} for a wrong input/scale/zero-point dtype
 * @throws {@link ShapeError} when the scale or zero point does not fit `x` for the granularity
 * @throws {@link ValueError} for a NaN/Inf/≤ 0 scale, a bad axis or block size
 * @example
 * ```ts
 * const y = quantizeLinear(Tensor.from('float32', [3], [0, 1.5, 300]), Tensor.scalar('float32', 2), Tensor.scalar('uint8', 128));
 * y.toArray(); // [128, 129, 255]
 * ```
 */
export function quantizeLinear(x: Tensor, yScale: Tensor, yZeroPoint?: Tensor, options: QuantizeLinearOptions = {}): Tensor {
  requireDType(OP, 'x', x, ['float32', 'float16', 'int32'] as const);
  const scales = readScales(OP, 'y_scale', yScale);
  let dtype: QuantDType;
  if (yZeroPoint !== undefined && yZeroPoint !== null) {
    requireDType(OP, 'y_zero_point', yZeroPoint, ['int8', 'uint8', 'int16', 'uint16', 'int4', 'uint4', 'int2', 'uint2'] as const);
    dtype = yZeroPoint.dtype;
    if (options.outputDtype !== undefined && options.outputDtype !== dtype) {
      throw new DTypeError(`${OP}: attribute "output_dtype" (${options.outputDtype}) differs from input "y_zero_point" dtype (${dtype})`);
    }
  } else {
    dtype = options.outputDtype ?? 'uint8';
    if (!isQuantDType(dtype)) {
      throw new DTypeError(`${OP}: attribute "output_dtype" must be int8, uint8, int16, uint16, int4, uint4, int2 or uint2, got ${String(dtype)}`);
    }
  }
  const layout = quantLayout(OP, x, yScale, 'y_scale', options.axis ?? 1, options.blockSize ?? 0);
  let zps: Int32Array | undefined;
  if (yZeroPoint) {
    if (!(yZeroPoint.size === 1 && yScale.size === 1)) requireShape(OP, 'y_zero_point', yZeroPoint, yScale.shape, 'the shape of "y_scale"');
    zps = readZeroPoints(OP, 'y_zero_point', yZeroPoint, dtype);
  }
  const { min, max } = dtypeInfo(dtype);
  const n = x.size;
  const packed = isPackedDType(dtype);
  const out = packed ? new Int8Array(n) : (allocateData(dtype, n) as Int8Array | Uint8Array | Int16Array | Uint16Array);
  const half = x.dtype === 'float16' && yScale.dtype === 'float16';
  const src: ArrayLike<number> = x.dtype === 'float16' ? x.values() : (x.data as Float32Array | Int32Array);
  const inFloat32 = x.dtype !== 'int32';
  forEachParamRun(layout, (start, end, param) => {
    const s = scales[param];
    const z = zps ? zps[param] : 0;
    for (let i = start; i < end; i++) {
      let v = src[i] / s;
      if (half) v = roundToFloat16(v);
      else if (inFloat32) v = Math.fround(v);
      let q = roundHalfToEven(v) + z;
      if (q < min) q = min;
      else if (q > max) q = max;
      else if (q !== q) q = z;
      out[i] = q;
    }
  });
  const data = packed ? packSubByte(out, dtype as PackedDType) : out;
  return Tensor.from(dtype, x.shape, data as never);
}
