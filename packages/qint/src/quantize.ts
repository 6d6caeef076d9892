import { assertFiniteCalibration, CALIBRATION_METHODS, calibrate, layerGrams, quantizeDynamic, quantizeStatic, type CalibrationMethod, type QuantizeReport, type WeightBitWidth } from '@qint/dynamic';
import { foldConstants, type Model } from '@qint/graph';
import type { KernelBackend } from '@qint/kernels';
import {
  allocate,
  allocateMeasured,
  applyPlan,
  DEFAULT_CANDIDATE_SCHEMES,
  GPTQ_SEARCH_CANDIDATE_SCHEMES,
  measureLatency,
  measureSensitivity,
  paretoFrontier,
  parseBudget,
  SEARCH_CANDIDATE_SCHEMES,
  type Budget,
  type DamageMetric,
  type MeasuredPlan,
  type Plan,
  type SensitivityCache,
  type SensitivityTable,
} from '@qint/mixed-precision';
import type { Tensor } from '@qint/tensor';
import { resolveBackend, type BackendName } from './backends';
import { InputError } from './input-error';
import { planBatches, sliceBatch } from './session-input';
import { fitBudget } from './fit-budget';
import { checkRestrictions, restrictTable, schemesFor, type QuantizeTarget } from './restrict-candidates';

/** How weights share scales: one per tensor, per output channel, or per block of `blockSize` along K. */
export type WeightGranularity = 'per-tensor' | 'per-channel' | 'per-block';

/** Options of {@link quantize}. Defaults are the best choice for a browser: int8, per channel, symmetric. */
export interface QuantizeOptions {
  /**
   * `'dynamic'` (default): activations quantized at run time from their actual range. `'static'`: activation ranges
   * calibrated ahead of time on `calibration` samples with `observer`, int8 per-channel weights, written as
   * `staticFormat` — the forms onnxruntime runs with integer kernels.
   */
  mode?: 'dynamic' | 'static';
  /**
   * For `mode: 'static'`: how activation ranges are calibrated — `'minmax'` (default), `'moving_average'`,
   * `'histogram'` (PyTorch's L2 search), `'percentile'`, `'entropy'` (KL, as TensorRT/onnxruntime) or `'mse'`.
   * The last four clip outliers.
   */
  observer?: CalibrationMethod;
  /**
   * For `mode: 'static'`: `'qdq'` (default: QuantizeLinear → DequantizeLinear pairs around float ops) or `'qoperator'`
   * (QLinearConv / QLinearMatMul between quantized tensors).
   */
  staticFormat?: 'qdq' | 'qoperator';
  /**
   * For `mode: 'static'`: storage of the int8-range weights in the ONNX model — `'uint8'` (default; values + 128 with
   * zero point 128, the same numbers, and onnxruntime computes u8 × u8 exactly on every CPU) or `'int8'` (zero point 0,
   * full-range u8 × s8, which onnxruntime's x86 kernels without AVX-512 VNNI / AVX-VNNI saturate to wrong results).
   * Dynamic models choose this when written: `saveModel(…, { onnxWeightType })`.
   */
  onnxWeightType?: 'uint8' | 'int8';
  /** Weight bits for every layer (default 8). Ignored when `budget` is set. */
  weightBits?: WeightBitWidth;
  /** Default `'per-channel'`; `'per-block'` uses `blockSize` (default 32). */
  granularity?: WeightGranularity;
  blockSize?: number;
  /** Symmetric weights (zero point 0; default) or affine. */
  symmetric?: boolean;
  /** Quantize each activation row (token) with its own range (default false: per tensor). */
  perRow?: boolean;
  /**
   * Weight rounding (dynamic mode): `'nearest'` (default) or `'gptq'` — GPTQ's error feedback over each layer's inputs
   * on the `calibration` samples (required), same scales and bytes. With a budget, the search candidates get GPTQ
   * twins (`-gptq` ids) and the plan may mix both.
   */
  rounding?: 'nearest' | 'gptq';
  /** Node names or op types kept in float. */
  exclude?: string[];
  /**
   * Mixed precision: a weight-size budget (`'60KB'`, `'0.5x'` of the int8 model, `'4.5bits'` per weight, or bytes),
   * or a latency budget (`'2ms'`: each layer × candidate is timed on `backend` with the first calibration sample).
   * Each layer's bit width is chosen from its measured sensitivity so that the model fits with the least damage.
   */
  budget?: string | number;
  /**
   * Candidates per layer for a budget: `'search'` (default with calibration data: 8 bits; 4, 3, 2 bits per channel and
   * per block of 32/64/128, each with and without MSE weight clipping) or `'default'` (session 1's seven: 8 bits;
   * 4, 3, 2 bits per channel and per block of 32; the default without calibration data).
   */
  candidates?: 'search' | 'default' | readonly string[];
  /**
   * With a budget: only candidates of these weight bit widths (float stays a choice), e.g. `[4, 8]`.
   */
  bits?: readonly number[];
  /**
   * With a budget: what the model will be written as, so that the plan only uses what that file can hold — `'qint'`
   * (default: everything), `'onnx-standard'` (8-bit per channel; `saveModel` to `.onnx`), `'onnx-matmulnbits'` (also
   * 4/2-bit MatMul weights in power-of-two blocks ≥ 16; `onnxFlavour: 'matmulnbits'`). Conv layers are 8-bit in ONNX.
   */
  target?: QuantizeTarget;
  /**
   * With calibration data and a budget: re-measure the best few frontier plans within the budget, and plans around
   * the best, with all layers quantized at once, and keep the one that measures best (default
   * `{ frontierPlans: 4, searchEvaluations: 16 }`; `false`: the allocator's predicted-best plan as it is). An
   * `objective` (lower is better, e.g. the error rate on labelled validation data) replaces the calibration metric.
   */
  remeasure?: false | { frontierPlans?: number; searchEvaluations?: number; objective?: (model: Model, plan: Plan) => number };
  /** Samples `[N, ...]` for the sensitivity measurement (without them the data-free proxy is used). */
  calibration?: Tensor;
  /** How many calibration samples to use (default 128). */
  calibrationSamples?: number;
  /**
   * Damage metric for the sensitivity measurement and the re-measured plans (default `'mse'`: squared error of the
   * first output; `'kl'` saturates on models with large logits, e.g. mnist-8, where it only counts flipped answers).
   */
  metric?: DamageMetric;
  /** Reuse sensitivity measurements across calls. */
  cache?: SensitivityCache;
  /** Backend for the calibration runs (default `'wasm'`). */
  backend?: BackendName | KernelBackend;
  /** Progress of the sensitivity measurement (`label` names the layer and candidate) or of static calibration (`'calibration'`). */
  onProgress?: (done: number, total: number, label: string) => void;
}

/** The result of {@link quantize}. */
export interface QuantizeResult {
  model: Model;
  /** What was quantized, how, what was skipped and why, and weight bytes before/after. */
  report: QuantizeReport;
  /** With a budget: the chosen plan, the sensitivity table and the whole size/damage frontier. */
  mixedPrecision?: {
    plan: Plan;
    table: SensitivityTable;
    frontier: Plan[];
    /** With `remeasure`: every plan measured (predicted vs measured damage) and Spearman's ρ between the two. */
    measured?: { evaluated: MeasuredPlan[]; spearman: number; predictedBest: MeasuredPlan };
  };
}

/**
 * Cuts calibration feeds from a dataset for a one-input model.
 *
 * @param model - the model
 * @param samples - `[N, ...]`
 * @param count - how many samples to use
 * @returns one feeds object per batch
 * @throws {@link NonFiniteCalibrationError} when a used sample holds NaN or ±Infinity (naming the sample and input)
 */
export function calibrationFeeds(model: Model, samples: Tensor, count = 128): Record<string, Tensor>[] {
  const plan = planBatches(model, samples, 32);
  const n = Math.min(count, samples.shape[0]);
  const feeds: Record<string, Tensor>[] = [];
  for (let start = 0; start < n; start += plan.batch) {
    const { tensor } = sliceBatch(plan, samples, start);
    feeds.push({ [plan.inputName]: tensor });
  }
  // One rule for every command that takes calibration data (quantize --budget / --mode static / --rounding gptq,
  // sensitivity): NaN or ±Infinity in a sample is refused, naming it.
  assertFiniteCalibration('calibration', feeds);
  return feeds;
}

/** The weight bit widths the quantizer stores. */
const WEIGHT_BITS: readonly number[] = [8, 4, 3, 2];

const GRANULARITY = { 'per-tensor': 'per_tensor', 'per-channel': 'per_channel', 'per-block': 'per_block' } as const;

/**
 * Quantizes a float model in one call: dynamic quantization at one bit width, or — with a `budget` — mixed precision,
 * where each layer's bits come from its measured sensitivity. The input model is not changed.
 *
 * @param model - the float model
 * @param options - {@link QuantizeOptions}
 * @returns the quantized model, the quantizer's report, and the plan/table/frontier for a budget
 * @throws {@link InputError} for an unknown mode, granularity or rounding, or `rounding: 'gptq'` without calibration samples or in static mode; `BudgetError` for an unreachable budget (with the
 *   reachable range); `QuantizeError` for models with no quantizable layer or bad weights
 * @example
 * ```ts
 * const { model: int8 } = await quantize(model);
 * const { model: mixed, mixedPrecision } = await quantize(model, { budget: '0.5x', calibration: images });
 * ```
 */
export async function quantize(source: Model, options: QuantizeOptions = {}): Promise<QuantizeResult> {
  // Constant-node weights and constant chains become initializers for every mode (dynamic, static, mixed precision).
  const model = source?.graph ? foldConstants(source) : source;
  if (options.mode !== undefined && options.mode !== 'dynamic' && options.mode !== 'static') {
    throw new InputError(`mode must be "dynamic" or "static", got ${JSON.stringify(options.mode)}`);
  }
  if (options === null || typeof options !== 'object') throw new InputError(`quantize(model, options): options must be an object, got ${options === null ? 'null' : typeof options}`);
  if (options.weightBits !== undefined && !WEIGHT_BITS.includes(options.weightBits)) {
    throw new InputError(`weightBits must be one of ${WEIGHT_BITS.join(', ')}, got ${JSON.stringify(options.weightBits)}`);
  }
  if (options.blockSize !== undefined && !(Number.isInteger(options.blockSize) && options.blockSize > 0)) {
    throw new InputError(`blockSize must be a positive integer, got ${JSON.stringify(options.blockSize)}`);
  }
  const granularity = options.granularity ?? (options.blockSize ? 'per-block' : 'per-channel');
  if (!(granularity in GRANULARITY)) {
    throw new InputError(`granularity must be per-tensor, per-channel or per-block, got ${JSON.stringify(granularity)}`);
  }
  if (options.mode === 'static') {
    if (options.rounding === 'gptq') throw new InputError('rounding "gptq" is for mode "dynamic" (static mode stores int8 weights rounded to nearest)');
    if (!options.calibration) throw new InputError('static quantization needs calibration samples (calibration: [N, ...] tensor)');
    if ((options.weightBits ?? 8) !== 8 || granularity === 'per-block' || options.budget !== undefined) {
      throw new InputError('static quantization is 8-bit per tensor or per channel; use mode "dynamic" for 4/3/2 bits, blocks or budgets');
    }
    if (options.observer !== undefined && !CALIBRATION_METHODS.includes(options.observer)) {
      throw new InputError(`observer must be one of ${CALIBRATION_METHODS.join(', ')}, got ${JSON.stringify(options.observer)}`);
    }
    if (options.staticFormat !== undefined && options.staticFormat !== 'qdq' && options.staticFormat !== 'qoperator') {
      throw new InputError(`staticFormat must be "qdq" or "qoperator", got ${JSON.stringify(options.staticFormat)}`);
    }
    if (options.onnxWeightType !== undefined && options.onnxWeightType !== 'uint8' && options.onnxWeightType !== 'int8') {
      throw new InputError(`onnxWeightType must be "uint8" or "int8", got ${JSON.stringify(options.onnxWeightType)}`);
    }
    const feeds = calibrationFeeds(model, options.calibration, options.calibrationSamples);
    const progress = options.onProgress;
    // calibrate() takes any iterable: a generator reports each batch as the observers finish with it.
    const reported = function* () {
      for (let i = 0; i < feeds.length; i++) {
        yield feeds[i];
        progress?.(i + 1, feeds.length, 'calibration');
      }
    };
    const ranges = calibrate(model, reported(), { observer: options.observer });
    return quantizeStatic(model, ranges, {
      granularity: granularity === 'per-tensor' ? 'per_tensor' : 'per_channel',
      format: options.staticFormat ?? 'qdq',
      weightType: options.onnxWeightType ?? 'uint8',
      ...(options.exclude ? { exclude: options.exclude } : {}),
    });
  }
  if (options.onnxWeightType !== undefined) {
    throw new InputError('onnxWeightType is for mode "static"; a dynamic model chooses its ONNX weight storage when written: saveModel(model, path, { onnxWeightType })');
  }
  if (options.rounding !== undefined && options.rounding !== 'nearest' && options.rounding !== 'gptq') {
    throw new InputError(`rounding must be "nearest" or "gptq", got ${JSON.stringify(options.rounding)}`);
  }
  const gptq = options.rounding === 'gptq';
  if (gptq && !options.calibration) throw new InputError('rounding "gptq" needs calibration samples (calibration: [N, ...] tensor): each layer\'s inputs on them decide the rounding');
  const common = { perRow: options.perRow, symmetric: options.symmetric ?? true };
  if (options.budget === undefined) {
    return quantizeDynamic(model, {
      ...common,
      ...(gptq ? { rounding: 'gptq' as const, calibration: calibrationFeeds(model, options.calibration!, options.calibrationSamples) } : {}),
      bits: options.weightBits ?? 8,
      granularity: GRANULARITY[granularity],
      ...(granularity === 'per-block' ? { blockSize: options.blockSize ?? 32 } : {}),
      ...(options.exclude ? { exclude: options.exclude } : {}),
    });
  }
  const latency = parseBudget(options.budget).kind === 'latency';
  if (latency && !options.calibration) throw new InputError('a latency budget needs calibration samples: the first one is used to time each layer and candidate');
  const backend = typeof options.backend === 'object' ? options.backend : await resolveBackend(options.backend ?? 'wasm');
  const calibration = options.calibration ? calibrationFeeds(model, options.calibration, options.calibrationSamples) : undefined;
  checkRestrictions(options.target, options.bits, options.candidates);
  const candidateSet = options.candidates ?? (calibration ? 'search' : 'default');
  if (gptq && candidateSet === 'default') throw new InputError('rounding "gptq" with a budget uses the search candidates and their GPTQ twins; candidates "default" has none');
  const target = options.target ?? 'qint';
  const ids = Array.isArray(candidateSet) ? (candidateSet as readonly string[]) : undefined;
  const known = gptq || ids ? GPTQ_SEARCH_CANDIDATE_SCHEMES : candidateSet === 'search' ? SEARCH_CANDIDATE_SCHEMES : DEFAULT_CANDIDATE_SCHEMES;
  if (ids) {
    const unknown = ids.filter((id) => !known.some((s) => s.id === id));
    if (unknown.length > 0) throw new InputError(`candidates: unknown id ${unknown.map((u) => JSON.stringify(u)).join(', ')}; known ids are ${known.map((s) => s.id).join(', ')}`);
  }
  // Only what the output can hold is measured: a plan the file cannot store is no plan.
  const schemes = schemesFor(known.filter((sc) => gptq || sc.rounding !== 'gptq'), target, options.bits, ids);
  if (schemes.length === 0) {
    throw new InputError(`no candidate left to search: ${target === 'qint' ? '' : `${target} holds only ${target === 'onnx-standard' ? '8-bit per-channel weights (onnxFlavour "matmulnbits" adds 4/2-bit MatMul blocks)' : '8-bit weights and 4/2-bit MatMul weights in power-of-two blocks'}; `}bits ${JSON.stringify(options.bits ?? 'any')}, candidates ${JSON.stringify(candidateSet)}`);
  }
  // GPTQ: the Gram matrices of every layer's inputs, once, shared by the sensitivity's candidates and every plan applied.
  const grams = gptq ? layerGrams(model, calibration!) : undefined;
  const quantizer = grams ? { ...common, calibration: grams } : common;
  const metric = options.metric ?? 'mse';
  let { table } = measureSensitivity(model, {
    calibration,
    ...(grams ? { grams } : {}),
    metric,
    candidates: schemes,
    backend,
    cache: options.cache,
    onProgress: options.onProgress,
  });
  table = restrictTable(model, table, target);
  if (latency && options.calibration) {
    const one = calibrationFeeds(model, options.calibration.slice([0], [1]), 1)[0];
    table = measureLatency(model, table, { feeds: one, backend, quantizer }).table;
  }
  let plan: Plan;
  let measured: { evaluated: MeasuredPlan[]; spearman: number; predictedBest: MeasuredPlan } | undefined;
  const choose = (budget: string | number | Budget): Plan => {
    if (calibration && options.remeasure !== false) {
      const r = allocateMeasured(model, table, budget, { calibration, metric, backend, quantizer, ...(options.remeasure ?? {}) });
      measured = { evaluated: r.evaluated, spearman: r.spearman, predictedBest: r.predictedBest };
      return r.plan;
    }
    return allocate(table, budget);
  };
  const { plan: chosen, result } = fitBudget(model, table, options.budget, choose, (p) => applyPlan(model, p, table, quantizer));
  plan = chosen;
  const frontier = paretoFrontier(table, latency ? { cost: 'latency' } : {});
  return { ...result, mixedPrecision: { plan, table, frontier, ...(measured ? { measured } : {}) } };
}
