import { ValueError, type QintErrorOptions } from '@qint/tensor';
import { summarizeIssues } from './internal/summarize-issues';

/**
 * A plan that does not fit its sensitivity table: wrong `version`, a layer missing or unknown to the table, an
 * unknown candidate id, a pinned layer set to another candidate, a malformed budget or prediction. Every problem
 * found is listed in {@link PlanError.issues} (the message shows the first ones), so an edited plan can be fixed in
 * one go. Its code is `ERR_VALUE`, and it is also a `ValueError`.
 *
 * @example
 * ```ts
 * try { validatePlan(JSON.parse(text), table); }
 * catch (e) { if (e instanceof PlanError) for (const issue of e.issues) console.log(issue); }
 * ```
 */
export class PlanError extends ValueError {
  declare readonly code: 'ERR_VALUE';
  /** Every problem found, one sentence each. */
  readonly issues: readonly string[];
  /**
   * @param issues - one sentence per problem, each naming the field (e.g. `plan.layers["fc1"]`)
   * @param options - `cause` of the error
   */
  constructor(issues: readonly string[], options?: QintErrorOptions) {
    super(summarizeIssues('invalid plan', issues), options);
    this.issues = Object.freeze([...issues]);
  }
}

