import { dtypeInfo, formatShape, shapesEqual, type Tensor } from '@qint/tensor';
import type { OutputComparison } from './onnx-test-case';

/** Every float dtype (float64, bfloat16, float8, float4 included) compares with tolerances, NaN matching NaN. */
function isFloat(t: Tensor): boolean {
  return dtypeInfo(t.dtype).isFloat;
}

/**
 * Compares an actual output with the expected one: exact for integer and bool dtypes, `|a − e| ≤ atol + rtol·|e|`
 * for floats (NaN matches NaN; infinities must be equal).
 *
 * @param actual - what ran
 * @param expected - the reference
 * @param rtol - relative tolerance
 * @param atol - absolute tolerance
 * @returns counts and the largest errors, with a message on failure
 * @example
 * ```ts
 * compareTensors(actual, expected, 1e-3, 1e-7).pass; // true when every element is within tolerance
 * ```
 */
export function compareTensors(
  actual: Tensor | undefined,
  expected: Tensor,
  rtol: number,
  atol: number,
): Omit<OutputComparison, 'dataSet' | 'index' | 'name'> {
  if (actual === undefined) return { pass: false, mismatches: expected.size, maxAbsError: NaN, maxRelError: NaN, message: 'no output produced' };
  if (actual.dtype !== expected.dtype) {
    return { pass: false, mismatches: expected.size, maxAbsError: NaN, maxRelError: NaN, message: `dtype ${actual.dtype}, expected ${expected.dtype}` };
  }
  if (!shapesEqual(actual.shape, expected.shape)) {
    return {
      pass: false,
      mismatches: expected.size,
      maxAbsError: NaN,
      maxRelError: NaN,
      message: `shape ${formatShape(actual.shape)}, expected ${formatShape(expected.shape)}`,
    };
  }
  const a = actual.values();
  const e = expected.values();
  const float = isFloat(expected);
  let mismatches = 0;
  let maxAbs = 0;
  let maxRel = 0;
  let first: string | undefined;
  for (let i = 0; i < e.length; i++) {
    const x = a[i];
    const y = e[i];
    let ok: boolean;
    if (!float) ok = x === y;
    else if (Number.isNaN(y)) ok = Number.isNaN(x);
    else if (!Number.isFinite(y)) ok = x === y;
    else ok = Math.abs(x - y) <= atol + rtol * Math.abs(y);
    const diff = Math.abs(x - y);
    if (Number.isFinite(diff)) {
      if (diff > maxAbs) maxAbs = diff;
      if (y !== 0 && diff / Math.abs(y) > maxRel) maxRel = diff / Math.abs(y);
    }
    if (!ok) {
      mismatches++;
      if (first === undefined) first = `element ${i}: got ${x}, expected ${y}`;
    }
  }
  return mismatches === 0
    ? { pass: true, mismatches, maxAbsError: maxAbs, maxRelError: maxRel }
    : { pass: false, mismatches, maxAbsError: maxAbs, maxRelError: maxRel, message: `${mismatches} of ${e.length} elements differ; first at ${first}` };
}
