// The exact solver behind allocate() and paretoFrontier(): a layer-by-layer merge of Pareto sets.
//
// After layers 0..l, the set P_l holds every non-dominated (cost, damage) pair reachable by choosing one candidate for
// each of those layers, sorted by cost with strictly decreasing damage. P_{l+1} = nondominated(P_l ⊕ C_{l+1}): every
// pair plus every candidate of the next layer, dominated pairs dropped. Dropping is exact because costs and damages
// add: if a ≤ a' and b ≤ b' then a + x ≤ a' + x for any completion x, so a dominated partial plan can never beat the
// plan that dominates it (this holds in floating point too, since rounding is monotone). The last set is the exact
// frontier; the best plan under a budget is its last pair within the budget.
//
// For a budget, two exact prunings keep the sets small (branch and bound on top of the merge):
//   - feasibility: a partial plan whose cost plus the cheapest completion exceeds the budget is dropped;
//   - bound: the LP relaxation of the remaining multiple-choice knapsack (greedy over the lower convex hulls of the
//     remaining layers' candidates, by damage saved per byte; Sinha & Zoltners 1979) gives a lower bound on the damage
//     of any completion, and its integral part a feasible completion (an upper bound, the incumbent). A partial plan
//     whose bound exceeds the incumbent by more than the rounding margin cannot lead to an optimum and is dropped.
// Neither loses the optimum, so the result equals brute force (tests check this on random instances).

/** One layer as the solver sees it: its allowed candidates reduced to their own Pareto set. */
export interface SolverLayer {
  /** Option costs, strictly increasing. */
  costs: Float64Array;
  /** Option damages, strictly decreasing. */
  damages: Float64Array;
  /** Index of each option in the layer's `candidates` array. */
  candidate: Int32Array;
}

/** A solution: one candidate index per layer, with its totals summed in layer order. */
export interface Solution {
  choice: Int32Array;
  cost: number;
  damage: number;
}

/** Thrown (internally) when a frontier grows beyond the caller's limit. */
export class FrontierLimitExceeded {
  constructor(
    readonly layer: number,
    readonly size: number,
    /** `'set'`: one partial set exceeded the limit; `'total'`: the back-pointers kept for all layers did. */
    readonly kind: 'set' | 'total' = 'set',
  ) {}
}

/**
 * Reduces candidates to their Pareto set: sorted by cost, then damage, then original order; a candidate is kept
 * only if its damage is strictly below every cheaper-or-equal one. Equal (cost, damage) pairs keep the first.
 */
export function solverLayer(costs: ArrayLike<number>, damages: ArrayLike<number>, allowed: ArrayLike<number>): SolverLayer {
  const order = Array.from(allowed);
  order.sort((a, b) => costs[a] - costs[b] || damages[a] - damages[b] || a - b);
  const keep: number[] = [];
  let best = Infinity;
  for (const i of order) {
    if (damages[i] < best) {
      keep.push(i);
      best = damages[i];
    }
  }
  return {
    costs: Float64Array.from(keep, (i) => costs[i]),
    damages: Float64Array.from(keep, (i) => damages[i]),
    candidate: Int32Array.from(keep),
  };
}

interface Step {
  parent: Int32Array;
  option: Uint16Array;
}

interface Suffix {
  /** Sum over the remaining layers of their cheapest option's cost / damage. */
  baseCost: number;
  baseDamage: number;
  /** cumCost[j], cumGain[j]: totals of the first j hull segments in efficiency order (length n + 1). */
  cumCost: Float64Array;
  cumGain: Float64Array;
  /** Efficiency (damage saved per unit cost) of segment j. */
  eff: Float64Array;
  /** Layer and within-layer index (hull step) of segment j. */
  layer: Int32Array;
  n: number;
}

interface Hulls {
  /** Per layer: option indices of the lower convex hull, cost ascending. */
  points: Int32Array[];
  /** All segments sorted by efficiency descending (then layer, then position), as parallel arrays. */
  segLayer: Int32Array;
  /** Position of the segment within its layer's hull (0 = from the cheapest point). */
  segPos: Int32Array;
  segCost: Float64Array;
  segGain: Float64Array;
  segEff: Float64Array;
  /** Suffix sums of each layer's cheapest option: suffixBase*[s] = Σ_{l ≥ s}. */
  suffixBaseCost: Float64Array;
  suffixBaseDamage: Float64Array;
}

function buildHulls(layers: readonly SolverLayer[]): Hulls {
  const points: Int32Array[] = [];
  const segs: { layer: number; pos: number; cost: number; gain: number; eff: number }[] = [];
  layers.forEach((layer, l) => {
    const hull: number[] = [];
    for (let i = 0; i < layer.costs.length; i++) {
      // Lower convex hull of (cost, damage) with costs increasing: drop the middle point b of (a, b, i) unless it
      // lies strictly below the chord a–i, i.e. unless a→b saves strictly more damage per unit cost than a→i.
      while (hull.length >= 2) {
        const a = hull[hull.length - 2];
        const b = hull[hull.length - 1];
        const effAB = (layer.damages[a] - layer.damages[b]) / (layer.costs[b] - layer.costs[a]);
        const effAI = (layer.damages[a] - layer.damages[i]) / (layer.costs[i] - layer.costs[a]);
        if (effAB > effAI) break;
        hull.pop();
      }
      hull.push(i);
    }
    points.push(Int32Array.from(hull));
    let prevEff = Infinity;
    for (let t = 0; t + 1 < hull.length; t++) {
      const cost = layer.costs[hull[t + 1]] - layer.costs[hull[t]];
      const gain = layer.damages[hull[t]] - layer.damages[hull[t + 1]];
      // Rounding may break strict decrease by an ulp; clamping keeps each layer's segments in hull order in the
      // global sort, so every prefix of that order is a valid plan. The bound error it adds is covered by the margin.
      const eff = Math.min(gain / cost, prevEff);
      prevEff = eff;
      segs.push({ layer: l, pos: t, cost, gain, eff });
    }
  });
  segs.sort((x, y) => y.eff - x.eff || x.layer - y.layer || x.pos - y.pos);
  const L = layers.length;
  const suffixBaseCost = new Float64Array(L + 1);
  const suffixBaseDamage = new Float64Array(L + 1);
  for (let l = L - 1; l >= 0; l--) {
    suffixBaseCost[l] = suffixBaseCost[l + 1] + layers[l].costs[0];
    suffixBaseDamage[l] = suffixBaseDamage[l + 1] + layers[l].damages[0];
  }
  return {
    points,
    segLayer: Int32Array.from(segs, (s) => s.layer),
    segPos: Int32Array.from(segs, (s) => s.pos),
    segCost: Float64Array.from(segs, (s) => s.cost),
    segGain: Float64Array.from(segs, (s) => s.gain),
    segEff: Float64Array.from(segs, (s) => s.eff),
    suffixBaseCost,
    suffixBaseDamage,
  };
}

/** The LP-relaxation data of layers s..L−1. O(total segments). */
function suffixOf(h: Hulls, s: number): Suffix {
  const total = h.segLayer.length;
  let n = 0;
  for (let t = 0; t < total; t++) if (h.segLayer[t] >= s) n++;
  const cumCost = new Float64Array(n + 1);
  const cumGain = new Float64Array(n + 1);
  const eff = new Float64Array(n);
  const layer = new Int32Array(n);
  let j = 0;
  for (let t = 0; t < total; t++) {
    if (h.segLayer[t] < s) continue;
    cumCost[j + 1] = cumCost[j] + h.segCost[t];
    cumGain[j + 1] = cumGain[j] + h.segGain[t];
    eff[j] = h.segEff[t];
    layer[j] = h.segLayer[t];
    j++;
  }
  return { baseCost: h.suffixBaseCost[s], baseDamage: h.suffixBaseDamage[s], cumCost, cumGain, eff, layer, n };
}

interface MergeOptions {
  /** Upper bound on the total cost; `Infinity` for the whole frontier. */
  budget: number;
  /** Use the LP bound and incumbent (only meaningful with a finite budget). Default true. */
  bound?: boolean;
  /** Throw {@link FrontierLimitExceeded} when a partial set grows beyond this. Default unlimited. */
  maxSetSize?: number;
  /** Throw {@link FrontierLimitExceeded} when all sets together (kept for backtracking) grow beyond this. */
  maxTotalSize?: number;
  /** Costs are integers (bytes): sums are exact and no feasibility tolerance is needed. */
  integerCosts: boolean;
  /** Damage of a known feasible plan: partial plans that cannot beat it are dropped. Default Infinity. */
  upper?: number;
}

interface MergeResult {
  steps: Step[];
  /** Final set (cost ascending, damage strictly descending), all with cost ≤ budget. */
  cost: Float64Array;
  damage: Float64Array;
  /** Best completed-by-greedy plan seen (only with bounds). */
  incumbent?: { step: number; item: number; rem: number; value: number };
  hulls?: Hulls;
}

/** Runs the merge over all layers. */
function mergeLayers(layers: readonly SolverLayer[], options: MergeOptions): MergeResult {
  const { budget, integerCosts } = options;
  const useBound = (options.bound ?? true) && Number.isFinite(budget) && layers.length > 0;
  const maxSetSize = options.maxSetSize ?? Infinity;
  const maxTotalSize = options.maxTotalSize ?? Infinity;
  let total = 0;
  // Tolerances only matter for non-integer costs (latency), whose sums depend on the order of addition; the final
  // answer is always checked against the budget with the exact left-to-right sum.
  const costTol = integerCosts ? 0 : 1e-9 * (Math.abs(budget) + 1);
  const margin = damageMargin(layers);

  const hulls = useBound || Number.isFinite(budget) ? buildHulls(layers) : undefined;
  const L = layers.length;
  let cost = new Float64Array([0]);
  let damage = new Float64Array([0]);
  const steps: Step[] = [];
  let U = options.upper ?? Infinity;
  let incumbent: MergeResult['incumbent'];

  if (useBound && hulls) {
    const sfx = suffixOf(hulls, 0);
    const rem = budget - sfx.baseCost;
    if (rem >= -costTol) {
      let j = sfx.n;
      while (j > 0 && sfx.cumCost[j] > rem) j--;
      const value = sfx.baseDamage - sfx.cumGain[j];
      if (value < U) {
        U = value;
        incumbent = { step: -1, item: 0, rem, value: U };
      }
    }
  }

  const heads = new Int32Array(64);
  for (let l = 0; l < L; l++) {
    const layer = layers[l];
    const m = layer.costs.length;
    const F = cost.length;
    const restCost = hulls ? hulls.suffixBaseCost[l + 1] : 0;
    const costCap = budget - restCost + costTol;
    const sfx = useBound && hulls ? suffixOf(hulls, l + 1) : undefined;
    let j = sfx ? sfx.n : 0;

    let outCost = new Float64Array(Math.min(F * m, 1024));
    let outDamage = new Float64Array(outCost.length);
    let outParent = new Int32Array(outCost.length);
    let outOption = new Uint16Array(outCost.length);
    let count = 0;
    let bestDamage = Infinity;
    const h = m <= heads.length ? heads : new Int32Array(m);
    h.fill(0, 0, m);
    for (;;) {
      // m-way merge of the sorted streams (P_l + option o), by cost then damage.
      let pick = -1;
      let pc = Infinity;
      let pd = Infinity;
      for (let o = 0; o < m; o++) {
        const i = h[o];
        if (i >= F) continue;
        const c = cost[i] + layer.costs[o];
        const d = damage[i] + layer.damages[o];
        if (c < pc || (c === pc && d < pd)) {
          pick = o;
          pc = c;
          pd = d;
        }
      }
      if (pick < 0 || pc > costCap) break; // every remaining pair costs at least pc: none can fit
      const parent = h[pick]++;
      if (!(pd < bestDamage)) continue; // dominated by a cheaper-or-equal pair already seen
      bestDamage = pd;
      // Non-integer costs can round two sums to the same cost; the later one has less damage and replaces the
      // earlier, so that costs stay strictly increasing along the set.
      const at = count > 0 && outCost[count - 1] === pc ? count - 1 : count;
      if (sfx) {
        const rem = budget - pc - sfx.baseCost;
        while (j > 0 && sfx.cumCost[j] > rem) j--;
        const ubRest = sfx.baseDamage - sfx.cumGain[j];
        const lbRest = j < sfx.n ? ubRest - Math.max(0, rem - sfx.cumCost[j]) * sfx.eff[j] : ubRest;
        if (pd + lbRest > U + margin) continue; // no completion can reach the incumbent
        if (pd + ubRest < U && rem >= -costTol) {
          U = pd + ubRest;
          incumbent = { step: l, item: at, rem, value: U };
        }
      }
      if (at === outCost.length) {
        const grow = <T extends Float64Array | Int32Array | Uint16Array>(a: T): T => {
          const b = new (a.constructor as new (n: number) => T)(a.length * 2);
          b.set(a);
          return b;
        };
        outCost = grow(outCost);
        outDamage = grow(outDamage);
        outParent = grow(outParent);
        outOption = grow(outOption);
      }
      outCost[at] = pc;
      outDamage[at] = pd;
      outParent[at] = parent;
      outOption[at] = pick;
      count = at + 1;
      if (count > maxSetSize) throw new FrontierLimitExceeded(l, count);
    }
    total += count;
    if (total > maxTotalSize) throw new FrontierLimitExceeded(l, total, 'total');
    cost = outCost.slice(0, count);
    damage = outDamage.slice(0, count);
    steps.push({ parent: outParent.slice(0, count), option: outOption.slice(0, count) });
  }
  return { steps, cost, damage, incumbent, hulls };
}

/** Option index per layer of item `item` of the set after layer `step`, by following parents back. */
function backtrack(steps: readonly Step[], step: number, item: number, out: Int32Array): void {
  for (let l = step; l >= 0; l--) {
    out[l] = steps[l].option[item];
    item = steps[l].parent[item];
  }
}

/** Totals of a choice of options, summed in layer order (the order every solution and the tests use). */
function totals(layers: readonly SolverLayer[], option: Int32Array): { cost: number; damage: number } {
  let cost = 0;
  let damage = 0;
  for (let l = 0; l < layers.length; l++) {
    cost += layers[l].costs[option[l]];
    damage += layers[l].damages[option[l]];
  }
  return { cost, damage };
}

function toSolution(layers: readonly SolverLayer[], option: Int32Array): Solution {
  const { cost, damage } = totals(layers, option);
  return { choice: Int32Array.from(option, (o, l) => layers[l].candidate[o]), cost, damage };
}

/** Rounding margin for damage comparisons: far above the error of summing the damages, far below any real gap. */
function damageMargin(layers: readonly SolverLayer[]): number {
  let scale = 0;
  for (const layer of layers) scale += layer.damages[0];
  return 1e-9 * scale + Number.MIN_VALUE;
}

/**
 * A good feasible plan and a valid lower bound, from the LP relaxation: take hull segments in order of damage saved
 * per unit cost while they fit (the LP's integral part), then keep scanning and take any later segment that is the
 * next one of its layer and still fits. `lambda` is the LP's price of one unit of cost (the efficiency of the first
 * segment that did not fit; 0 when all fit).
 */
function greedyPlan(layers: readonly SolverLayer[], hulls: Hulls, budget: number): { option: Int32Array; lambda: number } | undefined {
  const L = layers.length;
  let left = budget - hulls.suffixBaseCost[0];
  if (left < 0) return undefined;
  const taken = new Int32Array(L);
  let lambda = 0;
  for (let t = 0; t < hulls.segLayer.length; t++) {
    const l = hulls.segLayer[t];
    if (hulls.segPos[t] !== taken[l]) continue; // an earlier segment of this layer was skipped
    if (hulls.segCost[t] <= left) {
      left -= hulls.segCost[t];
      taken[l]++;
    } else if (lambda === 0) {
      lambda = hulls.segEff[t];
    }
  }
  return { option: Int32Array.from(taken, (k, l) => hulls.points[l][k]), lambda };
}

/**
 * Lagrangian variable fixing: with price λ ≥ 0, every plan within the budget has damage ≥ Σ_l min_o (d_lo + λ·c_lo)
 * − λ·budget + rc_l(o) for each of its options o, where rc_l(o) = d_lo + λ·c_lo − min_o' (d_lo' + λ·c_lo') ≥ 0.
 * An option whose bound exceeds a known plan's damage cannot be in an optimum and is dropped.
 */
function fixByReducedCost(layers: readonly SolverLayer[], lambda: number, budget: number, upper: number, margin: number): SolverLayer[] {
  const mins = layers.map((layer) => {
    let m = Infinity;
    for (let o = 0; o < layer.costs.length; o++) m = Math.min(m, layer.damages[o] + lambda * layer.costs[o]);
    return m;
  });
  let bound = -lambda * budget;
  for (const m of mins) bound += m;
  return layers.map((layer, l) => {
    const keep: number[] = [];
    for (let o = 0; o < layer.costs.length; o++) {
      const rc = layer.damages[o] + lambda * layer.costs[o] - mins[l];
      if (bound + rc <= upper + margin) keep.push(o);
    }
    if (keep.length === layer.costs.length) return layer;
    return {
      costs: Float64Array.from(keep, (o) => layer.costs[o]),
      damages: Float64Array.from(keep, (o) => layer.damages[o]),
      candidate: Int32Array.from(keep, (o) => layer.candidate[o]),
    };
  });
}

/**
 * The plan of least damage with total cost ≤ budget (ties: least cost, then the first found), or undefined when
 * no plan fits.
 */
export function solveBest(
  allLayers: readonly SolverLayer[],
  budget: number,
  integerCosts: boolean,
): Solution | undefined {
  const L = allLayers.length;
  const margin = damageMargin(allLayers);
  const better = (a: Solution, b: Solution | undefined) => !b || a.damage < b.damage || (a.damage === b.damage && a.cost < b.cost);

  // A good plan first: it prunes options (variable fixing) and partial plans (the merge's bound).
  let start: Solution | undefined;
  let layers = allLayers;
  if (L > 0) {
    const greedy = greedyPlan(allLayers, buildHulls(allLayers), budget);
    if (greedy) {
      const s = toSolution(allLayers, greedy.option);
      if (s.cost <= budget) {
        start = s;
        // The bound subtracts λ·budget from a sum of similar size: its rounding error scales with λ·budget too.
        layers = fixByReducedCost(allLayers, greedy.lambda, budget, s.damage, margin + 1e-9 * Math.abs(budget) * greedy.lambda);
      }
    }
  }

  const run = (bound: boolean): Solution | undefined => {
    const r = mergeLayers(layers, { budget, integerCosts, bound, upper: bound ? start?.damage : undefined });
    let best: Solution | undefined;
    for (let i = r.cost.length - 1; i >= 0; i--) {
      const option = new Int32Array(L);
      backtrack(r.steps, L - 1, i, option);
      const s = toSolution(layers, option);
      if (s.cost <= budget) {
        best = s;
        break;
      }
    }
    if (r.incumbent && r.hulls) {
      const option = new Int32Array(L);
      const { step, item, rem } = r.incumbent;
      if (step >= 0) backtrack(r.steps, step, item, option);
      // Complete with the integral part of the greedy LP solution of the remaining layers.
      const sfx = suffixOf(r.hulls, step + 1);
      let j = sfx.n;
      while (j > 0 && sfx.cumCost[j] > rem) j--;
      const taken = new Int32Array(L);
      for (let t = 0; t < j; t++) taken[sfx.layer[t]]++;
      for (let l = step + 1; l < L; l++) option[l] = r.hulls.points[l][taken[l]];
      const s = toSolution(layers, option);
      if (s.cost <= budget) {
        if (better(s, best)) best = s;
      } else if (bound) {
        // Only possible with non-integer costs whose greedy completion overshoots by rounding: the bound may have
        // relied on it, so solve again without it.
        return run(false);
      }
    }
    if (start && better(start, best)) best = start;
    return best;
  };
  return run(true);
}

/** Every non-dominated (cost, damage) plan, cost ascending. */
export function solveFrontier(
  layers: readonly SolverLayer[],
  integerCosts: boolean,
  maxSetSize?: number,
): Solution[] {
  // Back-pointers for every layer are kept until the end: cap their total too (50 full sets, ~6 bytes per entry).
  const maxTotalSize = maxSetSize === undefined ? undefined : 50 * maxSetSize;
  const r = mergeLayers(layers, { budget: Infinity, integerCosts, bound: false, maxSetSize, maxTotalSize });
  const L = layers.length;
  const out: Solution[] = [];
  const option = new Int32Array(L);
  for (let i = 0; i < r.cost.length; i++) {
    backtrack(r.steps, L - 1, i, option);
    out.push(toSolution(layers, option));
  }
  return out;
}
