import { ValueError, type QintErrorOptions } from '@qint/tensor';
import { summarizeIssues } from './internal/summarize-issues';

/**
 * A sensitivity table that cannot be allocated over: duplicate layer names, a layer without candidates, duplicate
 * candidate ids in a layer, negative/NaN/infinite `bytes`, `damage` or `latencyMs`, fractional byte counts, a pin
 * naming no candidate of its layer. Every problem found is listed in {@link SensitivityTableError.issues}. Its code
 * is `ERR_VALUE`, and it is also a `ValueError`.
 *
 * @example
 * ```ts
 * try { validateTable(table); }
 * catch (e) { if (e instanceof SensitivityTableError) console.log(e.issues); }
 * ```
 */
export class SensitivityTableError extends ValueError {
  declare readonly code: 'ERR_VALUE';
  /** Every problem found, one sentence each. */
  readonly issues: readonly string[];
  /**
   * @param issues - one sentence per problem, each naming the field (e.g. `table.layers[3].candidates[1].damage`)
   * @param options - `cause` of the error
   */
  constructor(issues: readonly string[], options?: QintErrorOptions) {
    super(summarizeIssues('invalid sensitivity table', issues), options);
    this.issues = Object.freeze([...issues]);
  }
}
