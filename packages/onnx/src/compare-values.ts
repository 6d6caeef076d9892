import { OptionalValue, TensorSequence, type Value } from '@qint/graph';
import { Tensor } from '@qint/tensor';
import { compareTensors } from './compare-tensors';
import type { OutputComparison } from './onnx-test-case';

type Comparison = Omit<OutputComparison, 'dataSet' | 'index' | 'name'>;

const fail = (message: string): Comparison => ({ pass: false, mismatches: 1, maxAbsError: NaN, maxRelError: NaN, message });

function describe(v: Value | undefined): string {
  if (v === undefined) return 'nothing';
  if (v instanceof TensorSequence) return `a sequence of ${v.length}`;
  if (v instanceof OptionalValue) return v.hasElement ? 'an optional with a value' : 'an empty optional';
  return 'a tensor';
}

/**
 * Compares values that may be sequences or optionals (element by element, with {@link compareTensors}'s rules):
 * a sequence must have the same length, an optional the same presence.
 *
 * @param actual - what ran
 * @param expected - the reference
 * @param rtol - relative tolerance
 * @param atol - absolute tolerance
 * @returns counts and the largest errors over all elements, with a message on failure
 * @example
 * ```ts
 * compareValues(result.seq, expectedSequence, 1e-3, 1e-7).pass;
 * ```
 */
export function compareValues(actual: Value | undefined, expected: Value, rtol: number, atol: number): Comparison {
  if (expected instanceof Tensor) return actual === undefined || actual instanceof Tensor ? compareTensors(actual, expected, rtol, atol) : fail(`got ${describe(actual)}, expected a tensor`);
  if (expected instanceof OptionalValue) {
    if (!(actual instanceof OptionalValue)) {
      // An optional with a value compares with the bare value (onnx's own runner unwraps them the same way).
      if (actual !== undefined && expected.value !== undefined) return compareValues(actual, expected.value, rtol, atol);
      return fail(`got ${describe(actual)}, expected ${describe(expected)}`);
    }
    if (actual.hasElement !== expected.hasElement) return fail(`got ${describe(actual)}, expected ${describe(expected)}`);
    return expected.value === undefined ? { pass: true, mismatches: 0, maxAbsError: 0, maxRelError: 0 } : compareValues(actual.value, expected.value, rtol, atol);
  }
  if (!(actual instanceof TensorSequence)) return fail(`got ${describe(actual)}, expected ${describe(expected)}`);
  if (actual.length !== expected.length) return fail(`sequence of ${actual.length} tensor(s), expected ${expected.length}`);
  let mismatches = 0;
  let maxAbs = 0;
  let maxRel = 0;
  let message: string | undefined;
  expected.items.forEach((e, i) => {
    const c = compareTensors(actual.items[i], e, rtol, atol);
    mismatches += c.mismatches;
    if (c.maxAbsError > maxAbs || Number.isNaN(c.maxAbsError)) maxAbs = c.maxAbsError;
    if (c.maxRelError > maxRel || Number.isNaN(c.maxRelError)) maxRel = c.maxRelError;
    if (!c.pass && message === undefined) message = `sequence item ${i}: ${c.message}`;
  });
  return message === undefined
    ? { pass: true, mismatches, maxAbsError: maxAbs, maxRelError: maxRel }
    : { pass: false, mismatches, maxAbsError: maxAbs, maxRelError: maxRel, message };
}
