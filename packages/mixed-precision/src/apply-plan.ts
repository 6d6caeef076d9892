import { isLayerGrams, layerGrams, quantizeDynamic, type NodeQuantSettings, type QuantizeDynamicOptions, type QuantizeDynamicResult } from '@qint/dynamic';
import type { Model } from '@qint/graph';
import { ValueError } from '@qint/tensor';
import { toQuantizerSettings } from './candidate-schemes';
import type { Plan } from './plan';
import { withClippedWeights } from './internal/clip-model';
import type { QuantScheme, SensitivityTable } from './sensitivity-table';
import { validatePlan } from './validate-plan';

/**
 * Options of {@link applyPlan}: quantizer settings for everything the plan does not decide. `calibration` (feeds or
 * their `layerGrams`) is required when the plan chooses a GPTQ candidate.
 */
export type ApplyPlanOptions = Omit<QuantizeDynamicOptions, 'exclude' | 'overrides' | 'bits' | 'granularity' | 'blockSize' | 'rounding'>;

/**
 * Produces the mixed-precision model a plan describes, through the dynamic quantizer: each layer gets its
 * candidate's bits and granularity (weights of `clip: 'mse'` candidates clipped first; `rounding: 'gptq'` candidates
 * GPTQ-rounded with the Gram matrices of the float model's activations on `options.calibration`); `'float'` layers stay float. The plan is validated against the table first.
 *
 * @param model - the float model the table was measured on
 * @param plan - a plan from {@link allocate}, {@link paretoFrontier}, or edited by hand
 * @param table - the sensitivity table the plan's candidate ids refer to
 * @param options - other quantizer options (per-row activations, convention, ...); attention MatMuls stay float
 *   unless `activationMatMul` is set
 * @returns the quantized model and the quantizer's report
 * @throws `PlanError` when the plan does not fit the table; `ValueError` when it chooses a GPTQ candidate and
 *   `options.calibration` is missing; `QuantizeError` from the quantizer
 * @example
 * ```ts
 * const { model: mixed } = applyPlan(model, allocate(table, '60KB'), table);
 * ```
 */
export function applyPlan(model: Model, plan: Plan, table: SensitivityTable, options: ApplyPlanOptions = {}): QuantizeDynamicResult {
  validatePlan(plan, table);
  const exclude: string[] = [];
  const overrides: Record<string, NodeQuantSettings> = {};
  const clips = new Map<string, QuantScheme>();
  const gptq: string[] = [];
  for (const layer of table.layers) {
    const candidate = layer.candidates.find((c) => c.id === plan.layers[layer.name])!;
    if (candidate.granularity === 'float') exclude.push(layer.name);
    else overrides[layer.name] = toQuantizerSettings(candidate);
    if (candidate.granularity !== 'float' && candidate.clip !== undefined) clips.set(layer.name, candidate);
    if (candidate.granularity !== 'float' && candidate.rounding === 'gptq') gptq.push(layer.name);
  }
  // Layers outside the table (e.g. op types that were not measured) stay float as well.
  const quantizable = new Set(table.layers.map((l) => l.name));
  const opTypes = options.opTypes;
  const probe = quantizeDynamic(model, { activationMatMul: false, ...(opTypes ? { opTypes } : {}) }).report.quantized;
  const named = new Set(model.graph.nodes.map((n) => n.name).filter((n) => n !== ''));
  for (const q of probe) if (!quantizable.has(q.node) && named.has(q.node)) exclude.push(q.node);
  if (Object.keys(overrides).length === 0) {
    // An all-float plan (one end of the frontier) is the float model itself; the quantizer would refuse it.
    const bytes = [...model.graph.initializers.values()].reduce((sum, t) => sum + t.data.byteLength, 0);
    return {
      model,
      report: {
        quantized: [],
        skipped: probe.map((q) => ({ node: q.node, opType: q.opType, reason: 'the plan keeps it float' })),
        warnings: [],
        weightBytesBefore: bytes,
        weightBytesAfter: bytes,
      },
    };
  }
  // Clipped candidates: the chosen layers' weights are clipped first, then stored by the ordinary min-max path.
  const source = withClippedWeights(model, clips, options.convention);
  // GPTQ layers: the Gram matrices of the float model's activations (as measureSensitivity took them), not of the
  // clipped copy's, so the plan reproduces the measured candidates.
  let calibration = options.calibration;
  if (gptq.length > 0) {
    if (calibration === undefined) {
      throw new ValueError(`applyPlan: the plan rounds layer "${gptq[0]}"${gptq.length > 1 ? ` and ${gptq.length - 1} more` : ''} with GPTQ; give options.calibration (the feeds the table was measured on, or their layerGrams)`);
    }
    if (!isLayerGrams(calibration)) calibration = layerGrams(model, calibration, { nodes: gptq });
  }
  const result = quantizeDynamic(source, { activationMatMul: false, ...options, rounding: 'nearest', ...(calibration ? { calibration } : {}), exclude, overrides });
  // The quantizer reports every excluded layer as "excluded by options.exclude"; here the plan excluded them.
  const planFloat = new Set(table.layers.filter((l) => l.candidates.find((c) => c.id === plan.layers[l.name])!.granularity === 'float').map((l) => l.name));
  const skipped = result.report.skipped.map((s) => {
    if (planFloat.has(s.node)) return { ...s, reason: 'the plan keeps it float (least damage within the budget)' };
    if (!quantizable.has(s.node) && exclude.includes(s.node)) return { ...s, reason: 'not in the sensitivity table (its op type was not measured)' };
    return s;
  });
  return { ...result, report: { ...result.report, skipped } };
}
