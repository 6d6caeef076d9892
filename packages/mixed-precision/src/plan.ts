import type { Budget } from './budget';

/**
 * What a plan is predicted to cost and lose, summed over layers from the table's candidates.
 *
 * @example
 * ```ts
 * plan.predicted; // { bytes: 59872, damage: 0.0831, avgBitsPerWeight: 4.68 }
 * ```
 */
export interface PlanPrediction {
  /** Total stored weight bytes (packed weights + scales + zero points). */
  bytes: number;
  /** Total predicted damage (sum of the chosen candidates' `damage`, added in table order). */
  damage: number;
  /** `8 × bytes / totalWeights` (scales and zero points included); 0 for a table without weights. */
  avgBitsPerWeight: number;
  /** Sum of the chosen candidates' `latencyMs`, present when every chosen candidate has one. */
  latencyMs?: number;
}

/**
 * A mixed-precision plan: one candidate id per layer. Plain JSON — save it with `JSON.stringify`, edit it by hand,
 * check it with {@link validatePlan} (which recomputes `predicted`), apply it with the dynamic quantizer.
 *
 * @example
 * ```ts
 * const plan: Plan = { version: 1, budget: { kind: 'bytes', bytes: 60000 },
 *   layers: { fc1: 'int4-block32', fc2: 'int8-per-channel' },
 *   predicted: { bytes: 59872, damage: 0.0831, avgBitsPerWeight: 4.68 } };
 * ```
 */
export interface Plan {
  /** Format version; always 1. */
  version: 1;
  /** The budget the plan was made for (for frontier points: a bytes budget equal to the point's size). */
  budget: Budget;
  /** Layer name → candidate id, for every layer of the table. */
  layers: Record<string, string>;
  /** Predicted totals. */
  predicted: PlanPrediction;
}
