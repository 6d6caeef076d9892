import type { ResolvedBudget } from '../budget';
import { BudgetError } from '../budget-error';
import { formatBytes } from '../format-bytes';

/** Throws a {@link BudgetError} stating the reachable range when the budget lies outside it. */
export function assertReachable(r: ResolvedBudget): void {
  if (r.limit >= r.minReachable && r.limit <= r.maxReachable) return;
  const below = r.limit < r.minReachable;
  const short = (v: number) => (r.cost === 'latency' ? `${round(v)} ms` : formatBytes(v));
  let range = `reachable: ${short(r.minReachable)} – ${short(r.maxReachable)}`;
  if (r.budget.kind === 'bits' && r.totalWeights > 0) {
    range += ` (${bpw(r.minReachable, r.totalWeights)} – ${bpw(r.maxReachable, r.totalWeights)} bits/weight)`;
  } else if (r.budget.kind === 'ratio' && r.int8Bytes) {
    range += ` (${(r.minReachable / r.int8Bytes).toFixed(3)}x – ${(r.maxReachable / r.int8Bytes).toFixed(3)}x of the int8 model)`;
  }
  const what = r.cost === 'latency' ? 'latency' : 'size';
  const exact = (v: number) => (r.cost === 'latency' ? '' : `${v.toLocaleString('en-US')} bytes: `);
  const message = below
    ? `budget ${r.label} is below the smallest reachable ${what} ${short(r.minReachable)} (${exact(r.minReachable)}all layers at their ${r.cost === 'latency' ? 'fastest' : 'smallest'} allowed candidate); ${range}`
    : `budget ${r.label} is above the largest reachable ${what} ${short(r.maxReachable)} (${exact(r.maxReachable)}all layers at their ${r.cost === 'latency' ? 'slowest' : 'largest'} allowed candidate, e.g. float); ${range}`;
  throw new BudgetError(message);
}

function round(v: number): string {
  return Number(v.toPrecision(6)).toString();
}

function bpw(bytes: number, weights: number): string {
  return ((8 * bytes) / weights).toFixed(2);
}
