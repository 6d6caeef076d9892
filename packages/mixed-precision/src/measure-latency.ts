// Latency budgets need each layer × candidate's latency. Timing one layer in isolation would need the quantizer's
// replacement nodes cut out of the graph; instead the whole model is timed with only that layer changed, and the
// difference from the float model is the candidate's latency change. With the float model's time split over the
// layers by weight count, the sum over a plan's candidates estimates the plan's whole-model latency (additively, as
// the allocator assumes): an all-float plan sums to exactly the measured float time.
import { InferenceSession, type Model } from '@qint/graph';
import type { KernelBackend } from '@qint/kernels';
import { ValueError, type Tensor } from '@qint/tensor';
import { applyPlan, type ApplyPlanOptions } from './apply-plan';
import { createPlan } from './create-plan';
import type { QuantScheme, SensitivityTable } from './sensitivity-table';
import { validateTable } from './validate-table';

/** Options of {@link measureLatency}. */
export interface MeasureLatencyOptions {
  /** One input batch (input name → tensor) timed for every variant, e.g. a single sample for batch-1 latency. */
  feeds: Readonly<Record<string, Tensor>>;
  /** Backend the latencies are for (default: the selected one). */
  backend?: KernelBackend;
  /** Timed runs per variant; the median is kept (default 9). */
  repeats?: number;
  /** Untimed runs before timing each variant (default 2). */
  warmup?: number;
  /** Quantizer options for {@link applyPlan}. */
  quantizer?: ApplyPlanOptions;
  /** Clock in milliseconds (default `performance.now`). */
  now?: () => number;
  /** Called after each timed variant. */
  onProgress?: (done: number, total: number, label: string) => void;
}

/** The result of {@link measureLatency}. */
export interface LatencyResult {
  /** A copy of the table with `latencyMs` on every candidate. */
  table: SensitivityTable;
  /** Median time of one float-model run on `feeds` (the mean of the medians before and after the layers). */
  floatMs: number;
  /** Median whole-model time with only that layer at that candidate: layer name → candidate id → ms. */
  modelMs: Record<string, Record<string, number>>;
  cost: { modelRuns: number; ms: number };
}

/** Whether two candidates store the same format (bits, scale layout, zero points, scale width; clipping included). */
function sameFormat(a: QuantScheme, b: QuantScheme): boolean {
  return a.bits === b.bits && a.granularity === b.granularity && (a.blockSize ?? 0) === (b.blockSize ?? 0) && !a.affine === !b.affine && (a.scaleBytes ?? 4) === (b.scaleBytes ?? 4) && a.clip === b.clip;
}

/**
 * Measures every layer × candidate's latency on a backend, so that latency budgets (`'12ms'`) work without
 * hand-supplied numbers. For each layer and integer candidate, the model with only that layer quantized that way is
 * run `repeats` times on `feeds` (after `warmup` runs) and the median kept; the float model likewise. Then
 * `latencyMs(layer, float) = floatMs · weightCount / totalWeights` and
 * `latencyMs(layer, c) = max(0, latencyMs(layer, float) + modelMs(layer, c) − floatMs)`. Times depend on the machine
 * and its load; re-measure on the deployment target. A GPTQ candidate (`rounding: 'gptq'`) takes the time of its
 * nearest-rounded twin of the same format, so timing needs no calibration data.
 *
 * @param model - the float model the table was measured on
 * @param table - its sensitivity table
 * @param options - {@link MeasureLatencyOptions}
 * @returns the table with `latencyMs` filled in, and the raw medians
 * @throws SensitivityTableError for an invalid table
 * @throws {@link ValueError} for empty feeds or non-positive `repeats`, negative `warmup`
 * @example
 * ```ts
 * const { table: timed } = measureLatency(model, table, { feeds: { Input3: oneImage }, repeats: 15 });
 * const plan = allocate(timed, '2ms');
 * ```
 */
export function measureLatency(model: Model, table: SensitivityTable, options: MeasureLatencyOptions): LatencyResult {
  validateTable(table);
  const started = performance.now();
  if (!options.feeds || Object.keys(options.feeds).length === 0) throw new ValueError('measureLatency: options.feeds must name at least one input');
  const repeats = options.repeats ?? 9;
  const warmup = options.warmup ?? 2;
  if (!Number.isSafeInteger(repeats) || repeats < 1) throw new ValueError(`measureLatency: options.repeats must be a positive integer, got ${String(repeats)}`);
  if (!Number.isSafeInteger(warmup) || warmup < 0) throw new ValueError(`measureLatency: options.warmup must be a non-negative integer, got ${String(warmup)}`);
  const now = options.now ?? (() => performance.now());
  let modelRuns = 0;
  const time = (m: Model): number => {
    const session = InferenceSession.create(m, { backend: options.backend });
    for (let i = 0; i < warmup; i++) session.run(options.feeds);
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t0 = now();
      session.run(options.feeds);
      times.push(now() - t0);
    }
    modelRuns += warmup + repeats;
    times.sort((a, b) => a - b);
    return repeats % 2 === 1 ? times[(repeats - 1) / 2] : (times[repeats / 2 - 1] + times[repeats / 2]) / 2;
  };
  // Pins restrict plans, not measurements: every candidate is timed.
  const unpinned: SensitivityTable = { ...table, layers: table.layers.map(({ pinned: _pinned, ...l }) => l) };
  const floatChoice = (layer: SensitivityTable['layers'][number]) => layer.candidates.find((c) => c.granularity === 'float');
  const total = table.layers.reduce((n, l) => n + l.candidates.filter((c) => c.granularity !== 'float').length, 0);
  let done = 0;
  const before = time(model);
  const modelMs: Record<string, Record<string, number>> = {};
  for (const layer of table.layers) {
    modelMs[layer.name] = {};
    // A GPTQ candidate stores the same format as its nearest-rounded twin (only the integers differ): it takes the
    // twin's time instead of being GPTQ-rounded (which needs calibration data) and timed again.
    const twins = new Map<string, string>();
    for (const c of layer.candidates) {
      const twin = c.rounding === 'gptq' ? layer.candidates.find((t) => t.rounding !== 'gptq' && sameFormat(t, c)) : undefined;
      if (twin) twins.set(c.id, twin.id);
    }
    for (const c of layer.candidates) {
      if (c.granularity === 'float' || twins.has(c.id)) continue;
      // Every other layer at its float candidate (or, with none, its first): only this layer changes.
      const layers = Object.fromEntries(table.layers.map((l) => [l.name, l === layer ? c.id : (floatChoice(l) ?? l.candidates[0]).id]));
      const { model: variant } = applyPlan(model, createPlan(unpinned, layers), unpinned, options.quantizer);
      modelMs[layer.name][c.id] = time(variant);
      options.onProgress?.(++done, total, `${layer.name} ${c.id}`);
    }
    for (const [id, twin] of twins) {
      modelMs[layer.name][id] = modelMs[layer.name][twin];
      options.onProgress?.(++done, total, `${layer.name} ${id}`);
    }
  }
  const floatMs = (before + time(model)) / 2;
  const totalWeights = table.layers.reduce((n, l) => n + l.weightCount, 0);
  const timed: SensitivityTable = {
    ...table,
    layers: table.layers.map((layer) => {
      const share = totalWeights > 0 ? (floatMs * layer.weightCount) / totalWeights : floatMs / table.layers.length;
      return {
        ...layer,
        candidates: layer.candidates.map((c) => ({
          ...c,
          latencyMs: c.granularity === 'float' ? share : Math.max(0, share + modelMs[layer.name][c.id] - floatMs),
        })),
      };
    }),
  };
  return { table: timed, floatMs, modelMs, cost: { modelRuns, ms: performance.now() - started } };
}
