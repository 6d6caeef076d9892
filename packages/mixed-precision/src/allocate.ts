import type { Budget } from './budget';
import { predictPlan } from './create-plan';
import { assertReachable } from './internal/assert-reachable';
import { solveBest } from './internal/pareto-merge';
import { tableSolverLayers } from './internal/table-solver-layers';
import type { Plan } from './plan';
import { resolveValidated } from './resolve-budget';
import type { SensitivityTable } from './sensitivity-table';
import { validateTable } from './validate-table';
import { BudgetError } from './budget-error';

/**
 * Chooses one candidate per layer so that the total predicted damage is the least possible while the total size
 * (or latency) stays within the budget — an exact solution of the multiple-choice knapsack problem, not a heuristic.
 * Pinned layers keep their pin. Among plans of equal least damage, the cheapest is returned.
 *
 * Method: a layer-by-layer merge of Pareto sets of partial plans with exact pruning (feasibility, and the LP
 * relaxation bound against a greedy incumbent); see the package README. Thousands of layers take well under a second.
 *
 * @param table - per-layer candidates with bytes, damage and (for latency budgets) latencyMs
 * @param budget - `'60KB'`, `'1.5MB'`, `60000`, `'0.5x'`, `'4.5bits'`, `'12ms'` or a {@link Budget} (see {@link parseBudget})
 * @returns the plan, with `predicted` totals
 * @throws SensitivityTableError if the table is invalid (duplicate names, negative or NaN bytes/damage, …)
 * @throws BudgetError for a malformed budget, or one outside the reachable range (the message states the range)
 * @example
 * ```ts
 * const plan = allocate(table, '60KB');
 * plan.layers;    // { fc1: 'int4-block32', fc2: 'int8-per-channel', … }
 * plan.predicted; // { bytes: 59872, damage: 0.0831, avgBitsPerWeight: 4.68 }
 * ```
 */
export function allocate(table: SensitivityTable, budget: string | number | Budget): Plan {
  validateTable(table);
  const resolved = resolveValidated(budget, table);
  assertReachable(resolved);
  const layers = tableSolverLayers(table, resolved.cost);
  const solution = solveBest(layers, resolved.limit, resolved.cost === 'bytes');
  if (!solution) {
    // Unreachable for a limit inside [min, max] (the all-cheapest plan fits); kept as a typed error, not a crash.
    throw new BudgetError(`budget ${resolved.label}: no plan fits`);
  }
  const choice: Record<string, string> = {};
  table.layers.forEach((layer, l) => {
    choice[layer.name] = layer.candidates[solution.choice[l]].id;
  });
  return { version: 1, budget: resolved.budget, layers: choice, predicted: predictPlan(table, choice) };
}
