import type { ResolvedBudget } from './budget';
import { BudgetError } from './budget-error';
import { checkLayers, predictPlan } from './create-plan';
import type { Plan, PlanPrediction } from './plan';
import { PlanError } from './plan-error';
import { resolveValidated } from './resolve-budget';
import type { SensitivityTable } from './sensitivity-table';
import { validateTable } from './validate-table';

/**
 * What {@link validatePlan} found about a structurally valid plan.
 *
 * @example
 * ```ts
 * const { plan, stale, withinBudget } = validatePlan(edited, table);
 * if (stale) console.log('prediction recomputed:', plan.predicted);
 * ```
 */
export interface PlanCheck {
  /** The plan, with `layers` in table order and `predicted` recomputed from the table. */
  plan: Plan;
  /** `true` when the plan's own `predicted` differs from the recomputed one (e.g. after a hand edit). */
  stale: boolean;
  /** The plan's budget resolved against the table. */
  budget: ResolvedBudget;
  /** Whether the recomputed total (bytes, or latency for latency budgets) is within the budget. */
  withinBudget: boolean;
}

/**
 * Checks a plan (typically read from JSON, maybe edited by hand) against the table it is meant for, and recomputes
 * its prediction. Structural problems are errors; a plan over its budget is not (a user may overrule the
 * allocator) — see `withinBudget`.
 *
 * @param plan - the plan to check (any value)
 * @param table - the sensitivity table the plan refers to
 * @returns the normalized plan, whether its prediction was stale, and whether it is within its budget
 * @throws SensitivityTableError if the table is invalid
 * @throws PlanError listing every problem: not an object, `version` ≠ 1, a malformed or (for ratio/latency budgets)
 *   unresolvable budget, a layer missing or unknown, an unknown candidate id, a pinned layer set to another
 *   candidate, a missing or malformed `predicted`
 * @example
 * ```ts
 * const { plan, stale, withinBudget } = validatePlan(JSON.parse(readFileSync('plan.json', 'utf8')), table);
 * ```
 */
export function validatePlan(plan: unknown, table: SensitivityTable): PlanCheck {
  validateTable(table);
  if (plan === null || typeof plan !== 'object' || Array.isArray(plan)) throw new PlanError(['plan must be an object']);
  const p = plan as Partial<Plan>;
  const issues: string[] = [];
  if (p.version !== 1) issues.push(`plan.version must be 1, got ${JSON.stringify(p.version)}`);
  let budget: ResolvedBudget | undefined;
  if (p.budget === undefined) {
    issues.push('plan.budget is missing');
  } else {
    try {
      budget = resolveValidated(p.budget, table);
    } catch (e) {
      if (!(e instanceof BudgetError)) throw e;
      issues.push(`plan.budget: ${e.message}`);
    }
  }
  issues.push(...checkLayers(table, p.layers));
  const pred = p.predicted as Partial<PlanPrediction> | undefined;
  if (pred === null || typeof pred !== 'object') {
    issues.push('plan.predicted must be an object { bytes, damage, avgBitsPerWeight }');
  } else {
    for (const key of ['bytes', 'damage', 'avgBitsPerWeight'] as const) {
      const v = pred[key];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) issues.push(`plan.predicted.${key} must be a finite number ≥ 0, got ${String(v)}`);
    }
    if (pred.latencyMs !== undefined && (typeof pred.latencyMs !== 'number' || !Number.isFinite(pred.latencyMs) || pred.latencyMs < 0)) {
      issues.push(`plan.predicted.latencyMs must be a finite number ≥ 0 when present, got ${String(pred.latencyMs)}`);
    }
  }
  if (issues.length > 0 || !budget) throw new PlanError(issues);
  const layers = Object.fromEntries(table.layers.map((l) => [l.name, (p.layers as Record<string, string>)[l.name]]));
  const predicted = predictPlan(table, layers);
  const old = pred as PlanPrediction;
  const differs = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? a !== b : Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  const stale =
    old.bytes !== predicted.bytes ||
    differs(old.damage, predicted.damage) ||
    differs(old.avgBitsPerWeight, predicted.avgBitsPerWeight) ||
    differs(old.latencyMs, predicted.latencyMs);
  const total = budget.cost === 'latency' ? (predicted.latencyMs ?? Infinity) : predicted.bytes;
  return {
    plan: { version: 1, budget: budget.budget, layers, predicted },
    stale,
    budget,
    withinBudget: total <= budget.limit,
  };
}
