import { dtypeInfo, isQuantDType, type QuantDType } from './dtype';
import { DTypeError } from './dtype-error';
import { formatShape, normalizeAxis, type Shape } from './shape';
import { ShapeError } from './shape-error';
import { ValueError } from './value-error';

/** How scales and zero points map onto a tensor. */
export type QuantGranularity = 'per-tensor' | 'per-axis' | 'blocked';

/**
 * Quantization parameters of an affine mapping `real = (q − zeroPoint) · scale`, per tensor, per axis (one pair per
 * index along `axis`) or blocked (one pair per `blockSize` consecutive elements along `axis`, as ONNX opset 21).
 *
 * For blocked params, `scale`/`zeroPoint` are row-major over the tensor's shape with `shape[axis]` replaced by
 * `ceil(shape[axis] / blockSize)` (ONNX's layout). Instances are immutable and validated on construction:
 * finite positive scales, integer zero points inside `[qmin, qmax]` of `dtype`.
 *
 * @example
 * ```ts
 * const p = QuantParams.perAxis('int8', 0, [0.1, 0.2], [0, 0]);
 * p.validateFor([2, 16]); // ok
 * ```
 */
export class QuantParams {
  readonly granularity: QuantGranularity;
  /** The quantized integer type. */
  readonly dtype: QuantDType;
  /** Scales (length 1 per tensor). */
  readonly scale: Float32Array;
  /** Zero points (same length as `scale`). */
  readonly zeroPoint: Int32Array;
  /** The quantized axis for per-axis and blocked params, normalized to be non-negative once validated for a shape; -1 otherwise. */
  readonly axis: number;
  /** Block length along `axis` for blocked params; 0 otherwise. */
  readonly blockSize: number;

  private constructor(
    granularity: QuantGranularity,
    dtype: QuantDType,
    scale: ArrayLike<number>,
    zeroPoint: ArrayLike<number> | undefined,
    axis: number,
    blockSize: number,
  ) {
    if (!isQuantDType(dtype)) {
      throw new DTypeError(`QuantParams dtype must be one of int8, uint8, int16, uint16, int4, uint4, int2, uint2, got ${String(dtype)}`);
    }
    const { min, max } = dtypeInfo(dtype);
    if (scale.length === 0) throw new ValueError('QuantParams scale must not be empty', { quantParams: true });
    // Typed-array copies and plain loops: files with millions of block scales construct these on load.
    const scales = scale instanceof Float32Array ? scale.slice() : Float32Array.from(scale);
    for (let i = 0; i < scales.length; i++) {
      const s = scales[i];
      // `!(s > 0)` also catches NaN; Infinity is the only other value to refuse.
      if (!(s > 0) || s === Infinity) {
        throw new ValueError(`QuantParams scale[${i}] must be finite and > 0, got ${s}`, { quantParams: true });
      }
    }
    let zps: Int32Array;
    if (zeroPoint === undefined) zps = new Int32Array(scales.length);
    else {
      if (zeroPoint.length !== scales.length) {
        throw new ValueError(`QuantParams zeroPoint has ${zeroPoint.length} entries but scale has ${scales.length}`, { quantParams: true });
      }
      const integral = zeroPoint instanceof Int32Array || zeroPoint instanceof Int8Array || zeroPoint instanceof Uint8Array || zeroPoint instanceof Int16Array || zeroPoint instanceof Uint16Array;
      zps = new Int32Array(zeroPoint.length);
      for (let i = 0; i < zeroPoint.length; i++) {
        const z = zeroPoint[i];
        if ((!integral && !Number.isInteger(z)) || z < min || z > max) {
          throw new ValueError(`QuantParams zeroPoint[${i}] = ${z} is not an integer in [${min}, ${max}] of ${dtype}`, { quantParams: true });
        }
        zps[i] = z;
      }
    }
    if (granularity !== 'per-tensor' && !Number.isInteger(axis)) {
      throw new ValueError(`QuantParams axis must be an integer, got ${axis}`, { quantParams: true });
    }
    if (granularity === 'blocked' && (!Number.isSafeInteger(blockSize) || blockSize < 1)) {
      throw new ValueError(`QuantParams blockSize must be a positive integer, got ${blockSize}`, { quantParams: true });
    }
    this.granularity = granularity;
    this.dtype = dtype;
    this.scale = scales;
    this.zeroPoint = zps;
    this.axis = axis;
    this.blockSize = blockSize;
    Object.freeze(this);
  }

  /**
   * One scale and zero point for the whole tensor.
   *
   * @param dtype - quantized type
   * @param scale - a finite scale > 0
   * @param zeroPoint - an integer inside the dtype's range (default 0)
   * @returns the params
   * @throws {@link ValueError} (`ERR_QUANT_PARAMS`) on an invalid scale or zero point
   * @example
   * ```ts
   * QuantParams.perTensor('uint8', 0.02, 128);
   * ```
   */
  static perTensor(dtype: QuantDType, scale: number, zeroPoint = 0): QuantParams {
    return new QuantParams('per-tensor', dtype, [scale], [zeroPoint], -1, 0);
  }

  /**
   * One scale and zero point per index along `axis` (e.g. per output channel).
   *
   * @param dtype - quantized type
   * @param axis - the quantized axis (negative counts from the end)
   * @param scale - one scale per index
   * @param zeroPoint - one zero point per index (default all 0)
   * @returns the params
   * @throws {@link ValueError} (`ERR_QUANT_PARAMS`) on an invalid scale, zero point or axis
   * @example
   * ```ts
   * QuantParams.perAxis('int8', 0, [0.1, 0.05]);
   * ```
   */
  static perAxis(dtype: QuantDType, axis: number, scale: ArrayLike<number>, zeroPoint?: ArrayLike<number>): QuantParams {
    return new QuantParams('per-axis', dtype, scale, zeroPoint, axis, 0);
  }

  /**
   * One scale and zero point per block of `blockSize` consecutive elements along `axis`.
   *
   * @param dtype - quantized type
   * @param axis - the blocked axis
   * @param blockSize - elements per block (the last block may be shorter)
   * @param scale - row-major over the tensor's shape with `shape[axis]` replaced by `ceil(shape[axis]/blockSize)`
   * @param zeroPoint - same layout as `scale` (default all 0)
   * @returns the params
   * @throws {@link ValueError} (`ERR_QUANT_PARAMS`) on an invalid scale, zero point, axis or block size
   * @example
   * ```ts
   * QuantParams.blocked('int4', 1, 32, scales);
   * ```
   */
  static blocked(dtype: QuantDType, axis: number, blockSize: number, scale: ArrayLike<number>, zeroPoint?: ArrayLike<number>): QuantParams {
    return new QuantParams('blocked', dtype, scale, zeroPoint, axis, blockSize);
  }

  /**
   * The shape of the scale/zero-point arrays for a tensor of `shape`: `[]` per tensor, `[shape[axis]]` per axis,
   * and the blocked shape for blocked params.
   *
   * @param shape - the quantized tensor's shape
   * @returns the expected shape of `scale`
   * @throws {@link ValueError} when the axis is out of range for `shape`
   * @example
   * ```ts
   * QuantParams.blocked('int4', 1, 32, new Array(8).fill(1)).scaleShape([4, 64]); // [4, 2]
   * ```
   */
  scaleShape(shape: Shape): number[] {
    if (this.granularity === 'per-tensor') return [];
    const axis = normalizeAxis(this.axis, shape.length, 'QuantParams axis');
    if (this.granularity === 'per-axis') return [shape[axis]];
    const out = shape.slice();
    out[axis] = Math.ceil(shape[axis] / this.blockSize);
    return out;
  }

  /**
   * Checks that these params fit a tensor of `shape`.
   *
   * @param shape - the quantized tensor's shape
   * @throws {@link ShapeError} when the number of scales does not match the shape
   * @throws {@link ValueError} when the axis is out of range
   * @example
   * ```ts
   * QuantParams.perAxis('int8', 0, [1, 1, 1]).validateFor([2, 4]); // throws: 3 scales for 2 channels
   * ```
   */
  validateFor(shape: Shape): void {
    const expected = this.scaleShape(shape).reduce((a, b) => a * b, 1);
    if (this.scale.length !== expected) {
      throw new ShapeError(
        `QuantParams (${this.granularity}${this.granularity === 'per-tensor' ? '' : `, axis ${this.axis}`}${this.blockSize ? `, block ${this.blockSize}` : ''}) has ${this.scale.length} scales but a tensor of shape ${formatShape(shape)} needs ${expected}`,
      );
    }
  }

  /** A plain JSON-safe description (used by file formats and logs). */
  toJSON(): { granularity: QuantGranularity; dtype: QuantDType; scale: number[]; zeroPoint: number[]; axis?: number; blockSize?: number } {
    return {
      granularity: this.granularity,
      dtype: this.dtype,
      scale: Array.from(this.scale),
      zeroPoint: Array.from(this.zeroPoint),
      ...(this.granularity === 'per-tensor' ? {} : { axis: this.axis }),
      ...(this.granularity === 'blocked' ? { blockSize: this.blockSize } : {}),
    };
  }
}
