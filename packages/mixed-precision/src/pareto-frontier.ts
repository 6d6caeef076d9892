import { ValueError } from '@qint/tensor';
import { predictPlan } from './create-plan';
import { FrontierLimitExceeded, solveBest, solveFrontier, type Solution, type SolverLayer } from './internal/pareto-merge';
import { tableSolverLayers } from './internal/table-solver-layers';
import type { Plan } from './plan';
import { resolveValidated } from './resolve-budget';
import type { SensitivityTable } from './sensitivity-table';
import { validateTable } from './validate-table';

/**
 * Options of {@link paretoFrontier}.
 *
 * @example
 * ```ts
 * paretoFrontier(table, { points: 20, cost: 'bytes' });
 * ```
 */
export interface ParetoFrontierOptions {
  /**
   * Thin the frontier to at most this many points, evenly spaced in cost: for K targets from the cheapest to the
   * least-damage point, the frontier point with the largest cost ≤ each target (duplicates dropped, so fewer than K
   * points may come back, even when the frontier has more). Every point returned is an exact frontier point; for K ≥ 2
   * the first and last points of the frontier are always included (K = 1 gives the least-damage point).
   */
  points?: number;
  /** Trade damage against `'bytes'` (default) or `'latency'` (every allowed candidate needs `latencyMs`). */
  cost?: 'bytes' | 'latency';
  /**
   * Largest intermediate set the exact merge may hold (default 200,000; 20,000 when `points` is given), and 50× that
   * over all layers together (the merge keeps one back-pointer per plan per layer). Beyond it,
   * with `points` the K points are found by K + 1 exact allocations instead (the same points, without the whole
   * frontier in memory); without `points`, a ValueError is thrown.
   */
  maxSize?: number;
}

/**
 * All non-dominated plans of a table: no other plan is both no larger and no more damaging, with one of the two
 * strictly smaller. Sorted by size ascending (so damage strictly descending); the first point is the smallest plan,
 * the last the least damaging. Computed exactly in one pass of the Pareto merge that {@link allocate} uses.
 *
 * @param table - the sensitivity table
 * @param options - `points` to thin for display, `cost` to trade against latency, `maxSize` as a memory guard
 * @returns one {@link Plan} per frontier point; each plan's budget is a bytes (or latency) budget equal to its cost
 * @throws SensitivityTableError if the table is invalid
 * @throws BudgetError for a latency frontier when some candidate has no `latencyMs`
 * @throws ValueError if `points` is not a positive integer, or the frontier outgrows `maxSize` without `points`
 * @example
 * ```ts
 * for (const p of paretoFrontier(table, { points: 20 })) console.log(p.predicted.bytes, p.predicted.damage);
 * ```
 */
export function paretoFrontier(table: SensitivityTable, options: ParetoFrontierOptions = {}): Plan[] {
  validateTable(table);
  const cost = options.cost ?? 'bytes';
  if (cost !== 'bytes' && cost !== 'latency') throw new ValueError(`paretoFrontier: options.cost must be 'bytes' or 'latency', got ${JSON.stringify(cost)}`);
  const { points } = options;
  if (points !== undefined && (!Number.isSafeInteger(points) || points < 1)) {
    throw new ValueError(`paretoFrontier: options.points must be a positive integer, got ${String(points)}`);
  }
  const maxSize = options.maxSize ?? (points === undefined ? 200_000 : 20_000);
  if (!(maxSize >= 1)) throw new ValueError(`paretoFrontier: options.maxSize must be ≥ 1, got ${String(maxSize)}`);
  // Checks latencies are present (a BudgetError otherwise) and gives the reachable range.
  const range = resolveValidated(cost === 'latency' ? { kind: 'latency', ms: 0 } : { kind: 'bytes', bytes: 0 }, table);
  const layers = tableSolverLayers(table, cost);
  const integer = cost === 'bytes';

  let solutions: Solution[];
  try {
    solutions = solveFrontier(layers, integer, maxSize);
    if (points !== undefined) solutions = thin(solutions, points);
  } catch (e) {
    if (!(e instanceof FrontierLimitExceeded)) throw e;
    if (points === undefined) {
      throw new ValueError(
        `paretoFrontier: the exact frontier outgrew options.maxSize (${e.kind === 'set' ? `${maxSize.toLocaleString('en-US')} plans` : `${(50 * maxSize).toLocaleString('en-US')} plans kept over all layers`} after layer ${e.layer + 1} of ${layers.length}); pass options.points to get that many evenly spaced exact points, or raise maxSize`,
      );
    }
    solutions = thinBySolving(layers, points, range.minReachable, range.maxReachable, integer);
  }
  return solutions.map((s) => {
    const choice: Record<string, string> = {};
    table.layers.forEach((layer, l) => {
      choice[layer.name] = layer.candidates[s.choice[l]].id;
    });
    return {
      version: 1,
      budget: integer ? { kind: 'bytes', bytes: s.cost } : { kind: 'latency', ms: s.cost },
      layers: choice,
      predicted: predictPlan(table, choice),
    };
  });
}

function targets(lo: number, hi: number, k: number): number[] {
  if (k === 1) return [hi];
  return Array.from({ length: k }, (_, j) => (j === k - 1 ? hi : lo + ((hi - lo) * j) / (k - 1)));
}

/** For each target, the frontier point with the largest cost ≤ target. */
function thin(frontier: Solution[], k: number): Solution[] {
  const out: Solution[] = [];
  let i = 0;
  for (const t of targets(frontier[0].cost, frontier[frontier.length - 1].cost, k)) {
    while (i + 1 < frontier.length && frontier[i + 1].cost <= t) i++;
    if (out[out.length - 1] !== frontier[i]) out.push(frontier[i]);
  }
  return out;
}

/** The same points as {@link thin}, found by exact allocations at each target (no full frontier in memory). */
function thinBySolving(layers: SolverLayer[], k: number, minCost: number, maxCost: number, integer: boolean): Solution[] {
  // The least-damage point is the best plan at the largest budget; the cheapest point the best at the smallest.
  const last = solveBest(layers, maxCost, integer) as Solution;
  const out: Solution[] = [];
  for (const t of targets(minCost, last.cost, k)) {
    const s = solveBest(layers, integer ? Math.floor(t) : t, integer) as Solution;
    const prev = out[out.length - 1];
    if (!prev || prev.cost !== s.cost) out.push(s);
  }
  return out;
}
