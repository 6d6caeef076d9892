// "The chosen few re-measured for real": the allocator's exact answer rests on single-layer damages adding up. They
// often do not (quantizing two layers can hurt more, or less, than the sum), so the best few plans within the budget
// are applied and measured with every layer quantized at once, plans near the best are tried as well, and the plan
// that measures best is returned — with predicted and measured damage side by side.
import { layerGrams, type LayerGrams } from '@qint/dynamic';
import type { Model } from '@qint/graph';
import type { KernelBackend } from '@qint/kernels';
import { ValueError, type Tensor } from '@qint/tensor';
import { allocate } from './allocate';
import { applyPlan, type ApplyPlanOptions } from './apply-plan';
import { BudgetError } from './budget-error';
import { createDamageMeter } from './internal/damage-meter';
import type { DamageMetric } from './output-damage';
import { paretoFrontier } from './pareto-frontier';
import type { Plan } from './plan';
import { resolveBudget } from './resolve-budget';
import type { SensitivityTable } from './sensitivity-table';
import { spearman } from './spearman';
import type { Budget } from './budget';

/** Options of {@link allocateMeasured}. */
export interface AllocateMeasuredOptions {
  /**
   * Calibration feeds, one entry per batch (keep them apart from the data you report accuracy on). Required unless
   * `objective` is given.
   */
  calibration?: readonly Readonly<Record<string, Tensor>>[];
  /**
   * What "measured" means, when not the metric on `calibration`: the damage of a candidate model, lower is better —
   * e.g. the error rate on labelled validation data (apart from the test data). Called once per distinct plan.
   */
  objective?: (model: Model, plan: Plan) => number;
  /** Damage metric on the first output (default: the table's metric when it is `'kl'`, `'mse'` or `'top1'`, else `'kl'`). */
  metric?: DamageMetric;
  /** How many of the best frontier plans within the budget to measure first (default 4). */
  frontierPlans?: number;
  /**
   * Further plans measured around the best one (default 16; 0 turns the search off). Each round pins one layer to
   * another candidate, re-allocates the other layers exactly within the budget, and measures the most promising of
   * those plans (6 per round, least predicted damage first); a plan that measures better becomes the new centre, and
   * a round without one goes on with the next neighbours, until the evaluations are spent or none is left.
   */
  searchEvaluations?: number;
  /** Kernel backend for the runs (default: the selected one). */
  backend?: KernelBackend;
  /** Quantizer options for {@link applyPlan} (GPTQ candidates: `calibration` defaults to the Gram matrices of `calibration` above). */
  quantizer?: ApplyPlanOptions;
  /** Called after each measured plan. */
  onProgress?: (done: number, total: number, label: string) => void;
}

/** A plan with its measured damage. */
export interface MeasuredPlan {
  plan: Plan;
  /** Mean damage on the calibration feeds (or the `objective`) with every layer quantized as the plan says. */
  measuredDamage: number;
  /** `'frontier'`: one of the best frontier plans within the budget; `'search'`: found around the best. */
  origin: 'frontier' | 'search';
}

/** The result of {@link allocateMeasured}. */
export interface AllocateMeasuredResult {
  /** The plan that measured best (its `budget` is the budget asked for). */
  plan: Plan;
  measuredDamage: number;
  /** The plan `allocate` alone would return (least predicted damage), and its measured damage. */
  predictedBest: MeasuredPlan;
  /** Every plan measured, in the order measured. */
  evaluated: MeasuredPlan[];
  /** Spearman's ρ between predicted and measured damage over the evaluated plans (NaN with fewer than 2). */
  spearman: number;
  /** Model runs on the calibration feeds (0 with an `objective`, whose runs are its own) and wall time. */
  cost: { modelRuns: number; ms: number };
}

/** Plans measured per search round before moving to the best of them (so a small budget still gets a few rounds). */
const ROUND = 6;

function knownMetric(metric: string | undefined): DamageMetric | undefined {
  return metric === 'kl' || metric === 'mse' || metric === 'top1' ? metric : undefined;
}

/**
 * The best plan within a budget by **measured** damage: the exact allocator's best `frontierPlans` plans that fit
 * (the frontier points with the largest sizes within the budget), then a local search around the best measured one,
 * each plan applied and run on the calibration feeds with all its layers quantized at once. Every plan considered is
 * within the budget; the predicted-best plan is always among those measured, so the result measures no worse than
 * `allocate` alone on the calibration data.
 *
 * @param model - the float model the table was measured on
 * @param table - its sensitivity table (from {@link measureSensitivity})
 * @param budget - as for {@link allocate}
 * @param options - {@link AllocateMeasuredOptions}
 * @returns the best measured plan, every plan measured, and Spearman's ρ between predicted and measured damage
 * @throws {@link BudgetError} for an unreachable or malformed budget
 * @throws {@link ValueError} for empty calibration data (without `objective`), bad counts, or an objective that
 *   does not return a number
 * @example
 * ```ts
 * const { table } = measureSensitivity(model, { calibration, metric: 'kl' });
 * const { plan, evaluated } = allocateMeasured(model, table, '0.5x', { calibration });
 * const { model: mixed } = applyPlan(model, plan, table);
 * ```
 */
export function allocateMeasured(model: Model, table: SensitivityTable, budget: string | number | Budget, options: AllocateMeasuredOptions): AllocateMeasuredResult {
  const started = performance.now();
  const batches = options.calibration ?? [];
  const objective = options.objective;
  if (objective !== undefined && typeof objective !== 'function') throw new ValueError(`allocateMeasured: options.objective must be a function, got ${typeof objective}`);
  if (!objective && (!Array.isArray(batches) || batches.length === 0)) {
    throw new ValueError('allocateMeasured: options.calibration must be a non-empty array of feeds (or give options.objective)');
  }
  const k = options.frontierPlans ?? 4;
  const searchBudget = options.searchEvaluations ?? 16;
  if (!Number.isSafeInteger(k) || k < 1) throw new ValueError(`allocateMeasured: options.frontierPlans must be a positive integer, got ${String(k)}`);
  if (!Number.isSafeInteger(searchBudget) || searchBudget < 0) {
    throw new ValueError(`allocateMeasured: options.searchEvaluations must be a non-negative integer, got ${String(searchBudget)}`);
  }
  const metric = options.metric ?? knownMetric(table.metric) ?? 'kl';
  const resolved = resolveBudget(budget, table);
  const first = allocate(table, budget); // throws BudgetError with the reachable range
  const costOf = (p: Plan) => (resolved.cost === 'latency' ? (p.predicted.latencyMs ?? Infinity) : p.predicted.bytes);
  const fits = (p: Plan) => costOf(p) <= resolved.limit;

  // The K frontier points nearest the budget from below: for bytes, each is the best plan strictly smaller than the
  // one before (the previous frontier point), found exactly by allocate; for latency (real-valued) from the frontier.
  const frontier: Plan[] = [first];
  if (resolved.cost === 'bytes') {
    while (frontier.length < k) {
      const below = frontier[frontier.length - 1].predicted.bytes - 1;
      if (below < resolved.minReachable) break;
      frontier.push(allocate(table, below));
    }
  } else {
    const points = paretoFrontier(table, { cost: 'latency' }).filter(fits);
    frontier.push(...points.reverse().slice(1, k));
  }

  // GPTQ candidates need Gram matrices to be applied: options.quantizer.calibration if given, else those of the
  // calibration feeds, computed once, when the first plan that uses GPTQ is applied.
  let grams: LayerGrams | undefined;
  const quantizerFor = (plan: Plan): ApplyPlanOptions | undefined => {
    if (options.quantizer?.calibration !== undefined || batches.length === 0) return options.quantizer;
    const usesGptq = table.layers.some((l) => l.candidates.find((c) => c.id === plan.layers[l.name])?.rounding === 'gptq');
    if (!usesGptq) return options.quantizer;
    grams ??= layerGrams(model, batches, { nodes: table.layers.filter((l) => l.candidates.some((c) => c.rounding === 'gptq')).map((l) => l.name) });
    return { ...options.quantizer, calibration: grams };
  };
  const damageOf = objective ? undefined : createDamageMeter(model, batches, metric, options.backend);
  let modelRuns = damageOf ? batches.length : 0;
  const total = frontier.length + searchBudget;
  const evaluated: MeasuredPlan[] = [];
  const seen = new Map<string, MeasuredPlan>();
  const keyOf = (p: Plan) => table.layers.map((l) => p.layers[l.name]).join('|');
  const measure = (plan: Plan, origin: MeasuredPlan['origin']): MeasuredPlan => {
    const known = seen.get(keyOf(plan));
    if (known) return known;
    const quantized = applyPlan(model, plan, table, quantizerFor(plan)).model;
    let damage: number;
    if (damageOf) {
      damage = damageOf(quantized);
      modelRuns += batches.length;
    } else {
      damage = objective!(quantized, plan);
      if (typeof damage !== 'number' || Number.isNaN(damage)) throw new ValueError(`allocateMeasured: options.objective must return a number, got ${String(damage)}`);
    }
    const m: MeasuredPlan = { plan: { ...plan, budget: resolved.budget }, measuredDamage: damage, origin };
    seen.set(keyOf(plan), m);
    evaluated.push(m);
    options.onProgress?.(evaluated.length, total, origin);
    return m;
  };
  for (const p of frontier) measure(p, 'frontier');
  const predictedBest = evaluated[0];
  let best = evaluated.reduce((a, b) => (b.measuredDamage < a.measuredDamage ? b : a));

  // Local search: neighbours of the incumbent = for each layer and each other candidate of it, that layer pinned to
  // the candidate and the rest re-allocated exactly; measured in order of predicted damage, a round at a time. A
  // round that finds something better moves the search there; one that does not goes on with the next neighbours of
  // the same plan, until the evaluations are spent or no neighbour is left.
  const neighboursOf = (incumbent: Plan): Plan[] => {
    const found = new Map<string, Plan>();
    for (const layer of table.layers) {
      if (layer.pinned !== undefined) continue;
      for (const c of layer.candidates) {
        if (c.id === incumbent.layers[layer.name]) continue;
        const pinned: SensitivityTable = { ...table, layers: table.layers.map((l) => (l === layer ? { ...l, pinned: c.id } : l)) };
        let plan: Plan;
        try {
          plan = allocate(pinned, resolved.cost === 'latency' ? { kind: 'latency', ms: resolved.limit } : resolved.limit);
        } catch (error) {
          if (error instanceof BudgetError) continue; // this pin cannot fit the budget
          throw error;
        }
        if (fits(plan)) found.set(keyOf(plan), plan);
      }
    }
    return [...found.values()].sort((a, b) => a.predicted.damage - b.predicted.damage || a.predicted.bytes - b.predicted.bytes);
  };
  let left = searchBudget;
  let neighbours: Plan[] = [];
  let centre: MeasuredPlan | undefined;
  while (left > 0) {
    if (centre !== best) {
      centre = best;
      neighbours = neighboursOf(best.plan);
    }
    const round = neighbours.filter((p) => !seen.has(keyOf(p))).slice(0, Math.min(left, ROUND));
    if (round.length === 0) break;
    for (const plan of round) {
      const m = measure(plan, 'search');
      left--;
      if (m.measuredDamage < best.measuredDamage) best = m;
    }
  }
  // Ties in measured damage resolve to the smaller plan.
  for (const m of evaluated) if (m.measuredDamage === best.measuredDamage && m.plan.predicted.bytes < best.plan.predicted.bytes) best = m;
  return {
    plan: best.plan,
    measuredDamage: best.measuredDamage,
    predictedBest,
    evaluated,
    spearman: evaluated.length >= 2 ? spearman(evaluated.map((m) => m.plan.predicted.damage), evaluated.map((m) => m.measuredDamage)) : Number.NaN,
    cost: { modelRuns, ms: performance.now() - started },
  };
}
