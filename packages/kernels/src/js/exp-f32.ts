// The float32 exp of the WASM backend (assembly/elementwise.ts `expV`/`expS`), operation for operation: the same
// Cephes coefficients, every product and sum rounded to float32 (Math.fround; plain WASM SIMD has no FMA, and a float64
// operation on two float32 values rounds to the same float32 as the float32 operation), so the JS backend's
// Softmax is bit-identical with the WASM backend's.
import { ROUND_MAGIC } from '../numerics';

const fround = Math.fround;

const EXP_HI = fround(88.3762626647949);
const EXP_LO = fround(-87.3365478515625);
const LOG2E = fround(1.44269504088896341);
const LN2_HI = fround(0.693359375);
const LN2_LO = fround(-2.12194440e-4);
const P0 = fround(1.9875691500e-4);
const P1 = fround(1.3981999507e-3);
const P2 = fround(8.3334519073e-3);
const P3 = fround(4.1665795894e-2);
const P4 = fround(1.6666665459e-1);
const P5 = fround(5.0000001201e-1);

/**
 * 2^fx as WASM builds it from the float bits `(fx + 127) << 23`, indexed by `fx + 127` (fx is an integer in
 * [−127, 128] after the clamp): the exponent field 0 gives +0, 255 gives +Infinity.
 */
const POW2 = (() => {
  const t = new Float64Array(256);
  for (let i = 1; i < 255; i++) t[i] = 2 ** (i - 127);
  t[255] = Infinity;
  return t;
})();

/**
 * exp(x) for a float32 `x`, bit for bit what one lane of the WASM backend's `expV` (and its scalar tail `expS`)
 * returns: the clamp to [EXP_LO, EXP_HI] as `f32x4.pmax`/`pmin` (a NaN passes through), `f32x4.nearest` (ties to
 * even), Cody–Waite reduction, the degree-5 polynomial and the exponent built from bits.
 *
 * @param x0 - a float32 value (a Float32Array element or a Math.fround result)
 * @returns the float32 result (NaN for NaN)
 */
export function expF32(x0: number): number {
  // pmax(x0, LO) = x0 < LO ? LO : x0; pmin(x, HI) = HI < x ? HI : x. A NaN passes both and makes y NaN; its
  // 2^fx index is then (NaN | 0) + 127, the entry 1.
  let x = x0 < EXP_LO ? EXP_LO : x0;
  if (EXP_HI < x) x = EXP_HI;
  const t = fround(x * LOG2E);
  // f32x4.nearest; it keeps the sign of a zero result (−0.3 → −0) where this gives +0, which cannot show: a zero fx
  // only changes the sign of a zero r, and r − fx·LN2_LO ends at +0 either way (then y = 1).
  const fx = t + ROUND_MAGIC - ROUND_MAGIC;
  // Cody–Waite: fx·LN2_HI is exact (8 × 9 significant bits), and so is x − fx·LN2_HI in float32 (|r| < 0.375 and both
  // terms are multiples of x's ulp, or fx = 0 for |x| < 0.25; checked for every float32 x in the clamp range), so
  // neither needs Math.fround.
  let r = x - fx * LN2_HI;
  r = fround(r - fround(fx * LN2_LO));
  let y = fround(fround(P0 * r) + P1);
  y = fround(fround(y * r) + P2);
  y = fround(fround(y * r) + P3);
  y = fround(fround(y * r) + P4);
  y = fround(fround(y * r) + P5);
  y = fround(fround(fround(fround(y * r) * r) + r) + 1);
  return fround(y * POW2[(fx | 0) + 127]);
}
