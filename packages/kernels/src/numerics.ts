// Shared numeric helpers of the op functions and the JS backend. They are exported because the graph executor,
// the quantizers and the WASM backend's tests must round, saturate and bound K exactly as the kernels do.
import { dtypeInfo, float16BitsToFloat32, float32ToFloat16Bits, ShapeError, type DType } from '@qint/tensor';

/**
 * Rounds to the nearest integer, ties to even (NumPy `rint`, ONNX, PyTorch). NaN and ±Infinity are returned as is.
 *
 * @param v - any number
 * @returns the nearest integer, ties to the even one
 * @example
 * ```ts
 * roundHalfToEven(2.5); // 2
 * roundHalfToEven(-3.5); // -4
 * ```
 */
export function roundHalfToEven(v: number): number {
  const r = Math.round(v); // ties toward +Infinity
  // Only an exact tie (r − v === 0.5) can be rounded the wrong way, and only when r is odd.
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * 1.5·2^52: `t + ROUND_MAGIC - ROUND_MAGIC` rounds a float64 `t` with |t| < 2^51 to an integer, ties to even (as
 * {@link roundHalfToEven}, without its call and branch: the hot loops of the JS backend use it). Not exported from
 * the package.
 */
export const ROUND_MAGIC = 6755399441055744;

/** Rounds `v` to the nearest float16 value (ties to even), returned as a number. */
export function roundToFloat16(v: number): number {
  return float16BitsToFloat32(float32ToFloat16Bits(v));
}

/**
 * Clamps `v` to `[lo, hi]`; NaN becomes `nanValue`.
 *
 * @param v - the value
 * @param lo - lower bound
 * @param hi - upper bound
 * @param nanValue - what NaN maps to (default `lo`)
 * @returns the clamped value
 * @example
 * ```ts
 * saturate(300, 0, 255); // 255
 * ```
 */
export function saturate(v: number, lo: number, hi: number, nanValue = lo): number {
  if (v < lo) return lo;
  if (v > hi) return hi;
  return v === v ? v : nanValue;
}

/** Largest int32. */
export const INT32_MAX = 2147483647;

/**
 * The largest reduction length K for which `Σ_k (a − a_zp)(b − b_zp)` cannot overflow int32 for any 8-bit
 * operands and any zero points of their type: `|a − a_zp| ≤ 255` and `|b − b_zp| ≤ 255` for u8 and s8 alike, so
 * `K_max = floor((2^31 − 1) / (255 · 255)) = floor(2147483647 / 65025) = 33025`.
 */
export const MAX_SAFE_K_8BIT = 33025;

/**
 * Largest `|q − zp|` over the values of `dtype` and the given zero points (all zero points of the dtype when
 * `zeroPoints` is omitted).
 *
 * @param dtype - integer dtype of the operand
 * @param zeroPoints - the zero points actually used (optional)
 * @returns the worst-case magnitude of a zero-point-corrected value
 * @example
 * ```ts
 * maxCenteredMagnitude('int8'); // 255
 * maxCenteredMagnitude('int8', [0]); // 128
 * ```
 */
export function maxCenteredMagnitude(dtype: DType, zeroPoints?: ArrayLike<number>): number {
  const { min, max } = dtypeInfo(dtype);
  if (!zeroPoints || zeroPoints.length === 0) return max - min;
  let worst = 0;
  for (let i = 0; i < zeroPoints.length; i++) {
    const z = zeroPoints[i];
    worst = Math.max(worst, max - z, z - min);
  }
  return worst;
}

/**
 * The largest K for which an int32 sum of K products `(a − a_zp)(b − b_zp)` cannot overflow.
 * Without zero points this is the worst case over every zero point of the types (33025 for any pair of 8-bit
 * types); with the actual zero points it is tighter (e.g. s8 × s8 with both zero points 0: 131071).
 *
 * @param aDtype - dtype of the left operand (int8, uint8, or a narrower type)
 * @param bDtype - dtype of the right operand
 * @param aZeroPoints - zero points of `a` actually used (optional)
 * @param bZeroPoints - zero points of `b` actually used (optional)
 * @returns `floor((2^31 − 1) / (max|a − a_zp| · max|b − b_zp|))`
 * @example
 * ```ts
 * maxSafeK('uint8', 'int8'); // 33025
 * maxSafeK('uint8', 'int4'); // 561433
 * ```
 */
export function maxSafeK(aDtype: DType, bDtype: DType, aZeroPoints?: ArrayLike<number>, bZeroPoints?: ArrayLike<number>): number {
  const p = maxCenteredMagnitude(aDtype, aZeroPoints) * maxCenteredMagnitude(bDtype, bZeroPoints);
  return p === 0 ? Number.MAX_SAFE_INTEGER : Math.floor(INT32_MAX / p);
}

/**
 * Throws when a reduction of length `k` could overflow int32.
 *
 * @param op - the op's name, for the message
 * @param k - the reduction length
 * @param limit - the largest allowed K (from {@link maxSafeK})
 * @param detail - what the limit was computed for, for the message
 * @throws {@link ShapeError} with code `ERR_OVERFLOW`
 * @example
 * ```ts
 * assertSafeK('matMulInteger', 40000, maxSafeK('uint8', 'int8'), 'uint8 × int8'); // throws
 * ```
 */
export function assertSafeK(op: string, k: number, limit: number, detail: string): void {
  if (k > limit) {
    throw new ShapeError(
      `${op}: reduction length K = ${k} may overflow the int32 accumulator for ${detail}; the largest safe K is ${limit} ` +
        `(floor((2^31 − 1) / (max|a − a_zp| · max|b − b_zp|))). Split the reduction or use narrower zero-point-centred ranges.`,
      { overflow: true },
    );
  }
}
