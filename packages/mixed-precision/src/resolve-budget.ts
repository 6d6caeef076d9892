import type { Budget, ResolvedBudget } from './budget';
import { BudgetError } from './budget-error';
import { parseBudget } from './parse-budget';
import type { Candidate, LayerSensitivity, SensitivityTable } from './sensitivity-table';
import { validateTable } from './validate-table';

/**
 * Resolves a budget against a table: which cost is limited (bytes or latency), the limit, and the reachable range.
 * Bytes budgets are taken as they are; ratio budgets become `floor(ratio × int8Bytes)` (see {@link RatioBudget});
 * bits budgets `floor(bitsPerWeight × totalWeights / 8)`; latency budgets limit the sum of `latencyMs`.
 * Does not check that the limit is reachable ({@link allocate} does).
 *
 * @param budget - a budget string, byte count or object (see {@link parseBudget})
 * @param table - the sensitivity table
 * @returns the resolved budget
 * @throws SensitivityTableError if the table is invalid
 * @throws BudgetError for a malformed budget, a ratio budget when some layer has no 8-bit candidate, a latency
 *   budget when some allowed candidate has no `latencyMs`
 * @example
 * ```ts
 * resolveBudget('4bits', table).limit; // floor(4 × totalWeights / 8)
 * ```
 */
export function resolveBudget(budget: string | number | Budget, table: SensitivityTable): ResolvedBudget {
  validateTable(table);
  return resolveValidated(budget, table);
}

/** {@link resolveBudget} for a table already validated. */
export function resolveValidated(spec: string | number | Budget, table: SensitivityTable): ResolvedBudget {
  const budget = parseBudget(spec);
  const written = typeof spec === 'string' ? spec.trim() : typeof spec === 'number' ? String(spec) : JSON.stringify(spec);
  let totalWeights = 0;
  for (const layer of table.layers) totalWeights += layer.weightCount;
  if (budget.kind === 'latency') {
    for (const layer of table.layers) {
      const missing = allowedCandidates(layer).find((c) => c.latencyMs === undefined);
      if (missing) {
        throw new BudgetError(
          `latency budget ${written} needs latencyMs on every candidate, but layer "${layer.name}" candidate "${missing.id}" has none; measure latencies or use a size budget`,
        );
      }
    }
  }
  const cost = budget.kind === 'latency' ? 'latency' : 'bytes';
  const costOf = cost === 'latency' ? (c: Candidate) => c.latencyMs as number : (c: Candidate) => c.bytes;
  let minReachable = 0;
  let maxReachable = 0;
  for (const layer of table.layers) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const c of allowedCandidates(layer)) {
      lo = Math.min(lo, costOf(c));
      hi = Math.max(hi, costOf(c));
    }
    minReachable += lo;
    maxReachable += hi;
  }
  const base = { budget, cost, minReachable, maxReachable, totalWeights } as const;
  switch (budget.kind) {
    case 'bytes':
      return { ...base, limit: budget.bytes, label: `${written} (${budget.bytes.toLocaleString('en-US')} bytes)` };
    case 'latency':
      return { ...base, limit: budget.ms, label: `${written} (${budget.ms} ms)` };
    case 'bits': {
      const limit = Math.floor((budget.bitsPerWeight * totalWeights) / 8);
      return { ...base, limit, label: `${written} (${budget.bitsPerWeight} bits/weight × ${totalWeights.toLocaleString('en-US')} weights = ${limit.toLocaleString('en-US')} bytes)` };
    }
    case 'ratio': {
      const int8Bytes = int8ModelBytes(table, written);
      const limit = Math.floor(budget.ratio * int8Bytes);
      return {
        ...base,
        limit,
        int8Bytes,
        label: `${written} (${budget.ratio} × int8 model ${int8Bytes.toLocaleString('en-US')} bytes = ${limit.toLocaleString('en-US')} bytes)`,
      };
    }
  }
}

/** The candidates a layer may take: its pin, or all of them. */
export function allowedCandidates(layer: LayerSensitivity): Candidate[] {
  return layer.pinned === undefined ? layer.candidates : layer.candidates.filter((c) => c.id === layer.pinned);
}

function int8ModelBytes(table: SensitivityTable, written: string): number {
  let total = 0;
  for (const layer of table.layers) {
    let best = Infinity;
    for (const c of layer.candidates) if (c.bits === 8 && c.granularity !== 'float') best = Math.min(best, c.bytes);
    if (best === Infinity) {
      throw new BudgetError(
        `ratio budget ${written} is relative to the int8 model, but layer "${layer.name}" has no 8-bit candidate; add one or use a bytes or bits budget`,
      );
    }
    total += best;
  }
  return total;
}
