/**
 * A size budget in bytes: the total stored bytes of all layers' weights (packed weights + scales + zero points,
 * exactly as {@link Candidate.bytes} counts them) must not exceed `bytes`.
 *
 * @example
 * ```ts
 * const b: BytesBudget = { kind: 'bytes', bytes: 60_000 }; // parseBudget('60KB')
 * ```
 */
export interface BytesBudget {
  kind: 'bytes';
  /** Non-negative integer (fractional inputs are floored: a budget is an upper bound). */
  bytes: number;
}

/**
 * A size budget relative to the **int8 model**: the sum over layers of the bytes of each layer's smallest 8-bit
 * candidate (`bits === 8`, any granularity: weights + scales + zero points). `ratio: 0.5` means "at most half of the
 * int8 model's weight bytes", resolved as `floor(ratio × int8Bytes)`. Pins are ignored when computing the reference.
 * A table with a layer that has no 8-bit candidate cannot take a ratio budget (a {@link BudgetError}).
 *
 * @example
 * ```ts
 * const b: RatioBudget = { kind: 'ratio', ratio: 0.5 }; // parseBudget('0.5x') or parseBudget('50%')
 * ```
 */
export interface RatioBudget {
  kind: 'ratio';
  /** > 0. */
  ratio: number;
}

/**
 * A size budget in average bits per weight, counting everything stored (scales and zero points included, so
 * `int4-block32` with float32 scales is 5 bits per weight): resolved as `floor(bitsPerWeight × totalWeights / 8)` bytes.
 *
 * @example
 * ```ts
 * const b: BitsBudget = { kind: 'bits', bitsPerWeight: 4.5 }; // parseBudget('4.5bits')
 * ```
 */
export interface BitsBudget {
  kind: 'bits';
  /** > 0. */
  bitsPerWeight: number;
}

/**
 * A latency budget: the sum of the chosen candidates' `latencyMs` must not exceed `ms` (layers assumed sequential).
 *
 * @example
 * ```ts
 * const b: LatencyBudget = { kind: 'latency', ms: 12 }; // parseBudget('12ms')
 * ```
 */
export interface LatencyBudget {
  kind: 'latency';
  /** > 0. */
  ms: number;
}

/**
 * Any budget {@link allocate} accepts; build one with {@link parseBudget}. Plain JSON, stored in every {@link Plan}.
 *
 * @example
 * ```ts
 * const b: Budget = { kind: 'bytes', bytes: 60_000 };
 * ```
 */
export type Budget = BytesBudget | RatioBudget | BitsBudget | LatencyBudget;

/**
 * A budget resolved against one table: a limit on the total of one additive cost.
 *
 * @example
 * ```ts
 * resolveBudget('0.5x', table); // { cost: 'bytes', limit: 31234, budget: { kind: 'ratio', ratio: 0.5 }, ... }
 * ```
 */
export interface ResolvedBudget {
  /** The budget as parsed. */
  budget: Budget;
  /** Which per-candidate cost is summed: `bytes` or `latencyMs`. */
  cost: 'bytes' | 'latency';
  /** Upper bound on the total cost (bytes, or milliseconds). */
  limit: number;
  /** Smallest reachable total (every layer at its cheapest allowed candidate, pins respected). */
  minReachable: number;
  /** Largest reachable total (every layer at its most expensive allowed candidate, pins respected). */
  maxReachable: number;
  /** For ratio budgets, the int8 model's weight bytes the ratio refers to. */
  int8Bytes?: number;
  /** Total weights of the table (for bits-per-weight figures). */
  totalWeights: number;
  /** Human-readable budget as the user wrote it, resolved (e.g. `'0.5x (= 31,234 bytes)'`). */
  label: string;
}
