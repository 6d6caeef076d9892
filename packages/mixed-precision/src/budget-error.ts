import { QintError, type QintErrorOptions } from '@qint/tensor';

/**
 * A budget that cannot be parsed or cannot be met: a malformed budget string, a non-positive or non-finite value,
 * a size below the smallest reachable model or above the largest, a ratio budget on a table without 8-bit
 * candidates, a latency budget on a table without measured latencies. The message states the reachable range.
 *
 * @example
 * ```ts
 * try { allocate(table, '10KB'); }
 * catch (e) { if (e instanceof BudgetError) console.log(e.message); }
 * // budget 10KB (10,000 bytes) is below the smallest reachable size 14.2 KB (14,213 bytes; all layers at their
 * // smallest candidate); reachable: 14.2 KB – 104.0 KB
 * ```
 */
export class BudgetError extends QintError {
  declare readonly code: 'ERR_BUDGET';
  /**
   * @param message - names the budget, what was wrong and what range is reachable
   * @param options - `cause` of the error
   */
  constructor(message: string, options?: QintErrorOptions) {
    super('ERR_BUDGET', message, options);
  }
}
