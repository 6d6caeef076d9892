// QuantizeLinear / DequantizeLinear with float8 and float4e2m1 values (ONNX opset 19+ / 21+): the scaled value is
// rounded to the nearest code of the format (ties to even) instead of to an integer, with `saturate` for float8.
import { DTypeError, ShapeError, Tensor, encodeMinifloat, formatShape, isMinifloatDType, type DType, type MinifloatDType } from '@qint/tensor';
import { fromNumbers, packCodes, prod } from './tensor-utils';

/** Axis and block size of a quantization op, as its attributes give them. */
export interface MinifloatQuantOptions {
  readonly axis: number;
  readonly blockSize: number;
}

/** For every element of `shape`, the index of its scale: one scale, one per `axis` entry, or one per block along it. */
function scaleIndex(shape: readonly number[], scale: Tensor, options: MinifloatQuantOptions, what: string): (i: number) => number {
  if (scale.size === 1 && options.blockSize <= 0) return () => 0;
  const rank = shape.length;
  const axis = options.axis < 0 ? options.axis + rank : options.axis;
  if (axis < 0 || axis >= rank) throw new ShapeError(`${what}: axis ${options.axis} is out of range for rank ${rank}`);
  let inner = 1;
  for (let d = axis + 1; d < rank; d++) inner *= shape[d];
  const dim = shape[axis];
  if (options.blockSize > 0) {
    const blocks = Math.ceil(dim / options.blockSize);
    if (scale.size * dim !== blocks * prod(shape)) {
      throw new ShapeError(`${what}: scale ${formatShape(scale.shape)} does not match ${formatShape(shape)} in blocks of ${options.blockSize} on axis ${axis}`);
    }
    const bs = options.blockSize;
    return (i) => {
      const inIdx = i % inner;
      const a = ((i - inIdx) / inner) % dim;
      const outer = Math.floor(i / (inner * dim));
      return (outer * blocks + Math.floor(a / bs)) * inner + inIdx;
    };
  }
  if (scale.size !== dim) throw new ShapeError(`${what}: scale has ${scale.size} values but axis ${axis} of ${formatShape(shape)} has ${dim}`);
  return (i) => Math.floor(i / inner) % dim;
}


/**
 * QuantizeLinear to a float8/float4 type: `y = cast(x / y_scale + y_zero_point)`.
 *
 * @param x - float input
 * @param scale - y_scale (scalar, per axis or per block)
 * @param zeroPoint - optional y_zero_point (gives the output type)
 * @param to - the output type when there is no zero point
 * @param saturate - ONNX's `saturate` (float8 only; float4e2m1 always saturates)
 * @param options - axis and block size
 * @returns the quantized tensor
 * @throws {@link DTypeError} when the zero point's type is not `to`
 */
export function quantizeToMinifloat(
  x: Tensor,
  scale: Tensor,
  zeroPoint: Tensor | undefined,
  to: MinifloatDType,
  saturate: boolean,
  options: MinifloatQuantOptions,
): Tensor {
  if (zeroPoint && zeroPoint.dtype !== to) throw new DTypeError(`QuantizeLinear: y_zero_point is ${zeroPoint.dtype} but the output type is ${to}`);
  const xv = x.values();
  const sv = scale.values();
  const zv = zeroPoint?.values();
  const at = scaleIndex(x.shape, scale, options, 'QuantizeLinear');
  const codes = new Uint8Array(x.size);
  for (let i = 0; i < codes.length; i++) {
    const k = at(i);
    codes[i] = encodeMinifloat(to, Math.fround(Math.fround(xv[i] / sv[k]) + (zv ? zv[k] : 0)), saturate);
  }
  return Tensor.from(to, x.shape, to === 'float4e2m1' ? packCodes(codes) : codes);
}

/**
 * DequantizeLinear of float8/float4 values: `y = (x − x_zero_point) · x_scale`, in the scale's float type.
 *
 * @param x - float8 or float4e2m1 input
 * @param scale - x_scale
 * @param zeroPoint - optional x_zero_point, of x's type
 * @param options - axis and block size
 * @returns the dequantized tensor
 * @throws {@link DTypeError} when the zero point's type differs from x's
 */
export function dequantizeMinifloat(x: Tensor, scale: Tensor, zeroPoint: Tensor | undefined, options: MinifloatQuantOptions): Tensor {
  if (zeroPoint && zeroPoint.dtype !== x.dtype) throw new DTypeError(`DequantizeLinear: x_zero_point is ${zeroPoint.dtype} but x is ${x.dtype}`);
  const xv = x.values();
  const sv = scale.values();
  const zv = zeroPoint?.values();
  const at = scaleIndex(x.shape, scale, options, 'DequantizeLinear');
  const out = new Float32Array(x.size);
  for (let i = 0; i < out.length; i++) {
    const k = at(i);
    out[i] = (xv[i] - (zv ? zv[k] : 0)) * sv[k];
  }
  return fromNumbers(scale.dtype, x.shape, out);
}

/** Whether a quantization op's value type is one of the float8/float4 formats. */
export function isMinifloatQuant(dtype: DType | undefined): dtype is MinifloatDType {
  return dtype !== undefined && isMinifloatDType(dtype);
}
