// Independent reference solvers for the tests: exhaustive enumeration (small tables) and a classic dynamic program
// over every exact integer cost (larger tables with small byte counts). Both sum costs and damages in table order,
// as the library does, so optimal values must match exactly.
import type { SensitivityTable } from '../src/index';

export interface Point {
  cost: number;
  damage: number;
}

function allowed(table: SensitivityTable): number[][] {
  return table.layers.map((l) =>
    l.pinned === undefined ? l.candidates.map((_, i) => i) : [l.candidates.findIndex((c) => c.id === l.pinned)],
  );
}

/** Every plan's (cost, damage), by enumeration. */
export function enumerate(table: SensitivityTable, cost: 'bytes' | 'latency' = 'bytes'): Point[] {
  const opts = allowed(table);
  const out: Point[] = [];
  const idx = new Array(opts.length).fill(0);
  for (;;) {
    let c = 0;
    let d = 0;
    for (let l = 0; l < opts.length; l++) {
      const cand = table.layers[l].candidates[opts[l][idx[l]]];
      c += cost === 'bytes' ? cand.bytes : (cand.latencyMs as number);
      d += cand.damage;
    }
    out.push({ cost: c, damage: d });
    let l = opts.length - 1;
    while (l >= 0 && ++idx[l] === opts[l].length) idx[l--] = 0;
    if (l < 0) return out;
  }
}

/** Least damage within the budget, ties broken by least cost; undefined if nothing fits. */
export function bestWithin(points: readonly Point[], budget: number): Point | undefined {
  let best: Point | undefined;
  for (const p of points) {
    if (p.cost > budget) continue;
    if (!best || p.damage < best.damage || (p.damage === best.damage && p.cost < best.cost)) best = p;
  }
  return best;
}

/** Distinct non-dominated points, cost ascending. */
export function frontierOf(points: readonly Point[]): Point[] {
  const sorted = [...points].sort((a, b) => a.cost - b.cost || a.damage - b.damage);
  const out: Point[] = [];
  for (const p of sorted) if (out.length === 0 || p.damage < out[out.length - 1].damage) out.push(p);
  return out;
}

/** Least damage for every exact total byte count (Infinity where unreachable), by DP over costs. */
export function dpByCost(table: SensitivityTable): Float64Array {
  const opts = allowed(table);
  let max = 0;
  for (let l = 0; l < opts.length; l++) max += Math.max(...opts[l].map((i) => table.layers[l].candidates[i].bytes));
  let dp = new Float64Array(max + 1).fill(Infinity);
  dp[0] = 0;
  for (let l = 0; l < opts.length; l++) {
    const next = new Float64Array(max + 1).fill(Infinity);
    for (let c = 0; c <= max; c++) {
      if (dp[c] === Infinity) continue;
      for (const i of opts[l]) {
        const cand = table.layers[l].candidates[i];
        const d = dp[c] + cand.damage;
        if (d < next[c + cand.bytes]) next[c + cand.bytes] = d;
      }
    }
    dp = next;
  }
  return dp;
}
