import type { OutputComparison } from './onnx-test-case';

/**
 * Why a conformance case did not pass.
 * - `unsupported-type` (a skip): the model or its data uses a value type qint cannot hold — a tensor element type
 *   (e.g. double, string, float8), a sequence or an optional. Refused while decoding, before any op is looked at.
 * - `unsupported-op` (a failure): the executor refused the graph at load because an operator, or an attribute or input
 *   of it, is not supported (`UnsupportedOpError`). This is missing coverage, so it counts against qint.
 * - `load-error` (a failure): the case did not load for another reason (a decode or graph error).
 * - `run-error` (a failure): the session loaded but `run` threw — a defect: what loads must run.
 * - `wrong` (a failure): it ran and an output differs from the expected one beyond tolerance.
 * - `random-output` (a skip): the graph draws random numbers (Bernoulli, RandomUniform, RandomNormal, their *Like
 *   forms, Multinomial) and its outputs have the expected dtypes and shapes but other values: the expected values
 *   are one draw, not checkable by value (a case whose draws match is a pass).
 */
export type ConformanceReason = 'unsupported-type' | 'unsupported-op' | 'load-error' | 'run-error' | 'wrong' | 'random-output';

/** The outcome of {@link runConformanceCase} for one case. */
export interface ConformanceResult {
  readonly name: string;
  /** `skip` only for `unsupported-type` and `random-output`; every other reason is a `fail`. */
  readonly status: 'pass' | 'skip' | 'fail';
  readonly reason?: ConformanceReason;
  /** One line: the error message, or the first failing output and its first differing element. */
  readonly detail?: string;
  /** For `unsupported-op`: the operators refused (`Op` for ai.onnx, `domain::Op` otherwise), in order of first use. */
  readonly ops?: readonly string[];
  /** For cases that ran: the largest |actual − expected| over every output of every data set (NaN if a dtype or shape differed). */
  readonly maxAbsError?: number;
  /** For cases that ran: the largest |actual − expected| / |expected| over every output (expected ≠ 0). */
  readonly maxRelError?: number;
  /** For cases that ran: every output comparison. */
  readonly outputs?: readonly OutputComparison[];
}
