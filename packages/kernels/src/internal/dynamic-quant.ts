// The activation quantization of DynamicQuantizeLinear and of the fused dynamic linear kernel, in one place so the
// two cannot drift apart. Every float operation is rounded to float32 (Math.fround) as the KernelBackend contract fixes.
import { roundHalfToEven } from '../numerics';

const fround = Math.fround;

/** Scale and zero point of an 8-bit unsigned dynamic quantization. */
export interface DynamicParams {
  scale: number;
  zeroPoint: number;
}

/**
 * `lo = min(0, min x)`, `hi = max(0, max x)` over `x[start, end)`, ignoring NaN and ±Infinity (so one bad value does
 * not wipe out the whole tensor); `scale = f32(f32(hi − lo) / 255)`; `zeroPoint = clamp(roundEven(f32(−lo / scale)), 0, 255)`,
 * or 0 when the scale is 0 (all-zero or empty input).
 */
export function dynamicParams(x: Float32Array, start: number, end: number): DynamicParams {
  let lo = 0;
  let hi = 0;
  for (let i = start; i < end; i++) {
    const v = x[i];
    if (v < lo) {
      if (v !== -Infinity) lo = v;
    } else if (v > hi && v !== Infinity) hi = v;
  }
  return dynamicParamsFromRange(lo, hi);
}

/**
 * Scale and zero point of DynamicQuantizeLinear from a range `[lo, hi]` that includes 0 (as {@link dynamicParams}
 * finds it; exported so a backend that finds the range itself derives the params by the same rule):
 * `scale = f32(f32(hi − lo) / 255)`, `zeroPoint = clamp(roundEven(f32(−lo / scale)), 0, 255)`, or both 0 when the scale is 0.
 *
 * @example
 * ```ts
 * dynamicParamsFromRange(-1, 3); // { scale: Math.fround(4 / 255), zeroPoint: 64 }
 * ```
 */
export function dynamicParamsFromRange(lo: number, hi: number): DynamicParams {
  const scale = fround(fround(hi - lo) / 255);
  if (scale === 0) return { scale: 0, zeroPoint: 0 };
  let zp = roundHalfToEven(fround(-lo / scale));
  zp = zp < 0 ? 0 : zp > 255 ? 255 : zp;
  return { scale, zeroPoint: zp };
}

/**
 * Quantizes `x[start, end)` to uint8 with the given params into `out[outStart …]`, optionally minus `shift`
 * (the zero point, so the dynamic linear kernel gets centred values directly).
 * `q = clamp(roundEven(f32(x / scale)) + zeroPoint, 0, 255)`; NaN → zeroPoint (real 0); +Inf → 255; −Inf → 0.
 * A zero scale gives all zeros.
 */
export function quantizeDynamic(
  x: Float32Array,
  start: number,
  end: number,
  params: DynamicParams,
  out: { [i: number]: number },
  outStart: number,
  shift: number,
): void {
  const { scale, zeroPoint } = params;
  if (scale === 0) {
    for (let i = start, o = outStart; i < end; i++, o++) out[o] = -shift;
    return;
  }
  for (let i = start, o = outStart; i < end; i++, o++) {
    const v = x[i];
    let q = roundHalfToEven(fround(v / scale)) + zeroPoint;
    if (q < 0) q = 0;
    else if (q > 255) q = 255;
    else if (q !== q) q = zeroPoint;
    out[o] = q - shift;
  }
}
