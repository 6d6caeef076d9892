// The float32 erf of the WASM backend (assembly/elementwise.ts `erfV`/`erfS`: the rational x·P(x²)/Q(x²) of
// Eigen/XLA on [−4, 4]), operation for operation with every step rounded to float32, so the JS backend's exact-Gelu
// primitive is bit-identical with the WASM backend's. (The float64 `erf` of ../erf.ts stays the accurate reference.)
const fround = Math.fround;

const A1 = fround(-1.60960333262415e-2);
const A3 = fround(-2.95459980854025e-3);
const A5 = fround(-7.34990630326855e-4);
const A7 = fround(-5.69250639462346e-5);
const A9 = fround(-2.10102402082508e-6);
const A11 = fround(2.77068142495902e-8);
const A13 = fround(-2.72614225801306e-10);
const B0 = fround(-1.42647390514189e-2);
const B2 = fround(-7.37332916720468e-3);
const B4 = fround(-1.68282697438203e-3);
const B6 = fround(-2.13374055278905e-4);
const B8 = fround(-1.45660718464996e-5);

/**
 * erf(x) for a float32 `x`, bit for bit one lane of the WASM backend's `erfV` (and its scalar tail `erfS`): clamp to
 * [−4, 4] as `f32x4.pmax`/`pmin` (NaN passes through), then Horner in x² for P and Q, one float32 division.
 * Absolute error below 3e-7 against the true erf.
 *
 * @param x0 - a float32 value
 * @returns the float32 result (NaN for NaN)
 */
export function erfF32(x0: number): number {
  let x = x0 < -4 ? -4 : x0;
  if (4 < x) x = 4;
  const x2 = fround(x * x);
  let p = fround(fround(x2 * A13) + A11);
  p = fround(fround(p * x2) + A9);
  p = fround(fround(p * x2) + A7);
  p = fround(fround(p * x2) + A5);
  p = fround(fround(p * x2) + A3);
  p = fround(fround(p * x2) + A1);
  p = fround(p * x);
  let q = fround(fround(x2 * B8) + B6);
  q = fround(fround(q * x2) + B4);
  q = fround(fround(q * x2) + B2);
  q = fround(fround(q * x2) + B0);
  return fround(p / q);
}
