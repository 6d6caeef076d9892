// A budget is a limit on what the user sees. Byte budgets count what `quantize` reports as weightBytesAfter (every
// initializer of the written model: layer weights with their scales, plus biases, shape constants and weights of
// layers the quantizer does not touch), while the allocator sums the layers' candidate bytes only. The difference is
// taken off before allocating, and the applied plan is checked against the budget in the reported bytes (and tightened
// if it is over). A budget above everything reachable is met by the largest plan, not refused.
import type { QuantizeDynamicResult } from '@qint/dynamic';
import type { Model } from '@qint/graph';
import { BudgetError, parseBudget, resolveBudget, type Budget, type Plan, type SensitivityTable } from '@qint/mixed-precision';

function initializerBytes(model: Model): number {
  let n = 0;
  for (const t of model.graph.initializers.values()) n += t.data.byteLength;
  return n;
}

/**
 * Chooses and applies the plan for `budget`.
 *
 * @param model - the float model
 * @param table - its sensitivity table (restricted to what the output holds)
 * @param budget - as the user gave it
 * @param choose - the allocator (plain or re-measured) for a resolved budget
 * @param apply - applies a plan
 * @returns the plan and the quantized model; for a byte budget, `report.weightBytesAfter` ≤ the budget
 * @throws `BudgetError` (of @qint/mixed-precision) when no plan fits, with the reachable range in reported bytes
 */
export function fitBudget(
  model: Model,
  table: SensitivityTable,
  budget: string | number,
  choose: (budget: string | number | Budget) => Plan,
  apply: (plan: Plan) => QuantizeDynamicResult,
): { plan: Plan; result: QuantizeDynamicResult } {
  const parsed = parseBudget(budget);
  const resolved = resolveBudget(parsed, table);
  if (parsed.kind !== 'bytes') {
    // Latency, ratios and bits per weight measure the layers themselves. Above the largest reachable plan (float
    // faster than the budget, 50x the int8 size) the budget is met by that plan.
    const over = resolved.limit > resolved.maxReachable;
    const plan = choose(!over ? budget : parsed.kind === 'latency' ? { kind: 'latency', ms: resolved.maxReachable } : { kind: 'bytes', bytes: resolved.maxReachable });
    return { plan, result: apply(plan) };
  }
  const want = parsed.bytes;
  // Bytes outside the table's layers: everything but the layers' own float32 weights (a layer's weight may be folded
  // from constants, e.g. Reshape(initializer), so it is counted from the table, not looked up by name).
  let outside = initializerBytes(model);
  for (const layer of table.layers) outside -= layer.weightCount * 4;
  let limit = want - outside;
  for (let attempt = 0; attempt < 5; attempt++) {
    // Candidate byte counts are predictions (a zero point the stored form does not need, ...): below the predicted
    // minimum the smallest plan is still tried, and judged by what it really weighs.
    const atMinimum = limit <= resolved.minReachable;
    const plan = choose({ kind: 'bytes', bytes: Math.min(Math.max(limit, resolved.minReachable), resolved.maxReachable) });
    const result = apply(plan);
    const over = result.report.weightBytesAfter - want;
    if (over <= 0) return { plan, result };
    if (atMinimum) {
      throw new BudgetError(
        `budget ${typeof budget === 'number' ? budget : budget.trim()} (${want.toLocaleString('en-US')} bytes of weights as reported, of which ${outside.toLocaleString('en-US')} are biases and other constants no plan changes) cannot be met; ` +
          `the smallest plan weighs ${result.report.weightBytesAfter.toLocaleString('en-US')} bytes; reachable: ${result.report.weightBytesAfter.toLocaleString('en-US')} – ${(resolved.maxReachable + outside).toLocaleString('en-US')} bytes`,
      );
    }
    limit -= over;
  }
  throw new BudgetError(`budget ${want.toLocaleString('en-US')} bytes: the plans found kept exceeding it; give a smaller budget`);
}
