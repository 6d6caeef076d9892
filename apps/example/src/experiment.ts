// The example's experiment, shared by the Node demo and the browser worker: quantize mnist-8 several ways, measure
// each variant's file size, accuracy on real MNIST digits and latency, and re-measure the mixed-precision frontier.
import {
  applyPlan,
  benchmarkModel,
  calibrationFeeds,
  measureSensitivity,
  outputDamage,
  paretoFrontier,
  quantize,
  serializeModel,
  spearman,
  summarizeModel,
  allocate,
  createPlan,
  predict,
  type BackendName,
  type DamageMetric,
  type Model,
  type Plan,
  type SensitivityTable,
  Tensor,
} from 'qint';

/** One row of the results table. */
export interface VariantResult {
  name: string;
  /** Bytes of the file this variant is saved as (ONNX for float, .qint for the others). */
  fileBytes: number;
  /** Bytes of the weights (initializers) alone. */
  weightBytes: number;
  accuracy: number;
  /** Median latency of one run (batch 1), per backend. */
  latencyMs: Partial<Record<BackendName, number>>;
  note: string;
}

/** A frontier plan re-measured for real. */
export interface FrontierPoint {
  bytes: number;
  predictedDamage: number;
  measuredDamage: number;
  accuracy: number;
}

/** Everything the demo and the page show. */
export interface ExperimentResult {
  variants: VariantResult[];
  frontier: FrontierPoint[];
  /** Spearman correlation between predicted and measured damage over the frontier. */
  spearman: number;
  /** Test images used to re-measure the frontier. */
  frontierSamples: number;
  table: SensitivityTable;
  plans: Record<string, Plan>;
  /** The quantized models by variant name, to save or to run. */
  models: Record<string, Model>;
  evalSamples: number;
  seconds: number;
}

/** Options of {@link runExperiment}. */
export interface ExperimentOptions {
  /** Test images used for accuracy (default: all). */
  evalSamples?: number;
  /**
   * Calibration images for the sensitivity and GPTQ (`[N, 28, 28]` uint8), e.g. MNIST training digits. Without them the
   * last `calibrationSamples` images of the evaluation set are used (the browser page, which bundles no training set).
   */
  calibrationImages?: Tensor;
  /** How many calibration images to use (default 512). */
  calibrationSamples?: number;
  /** How a layer's damage is measured, for the prediction and for re-measuring the frontier (default `'kl'`). */
  metric?: DamageMetric;
  /** Frontier plans re-measured for real (default 8). */
  frontierPoints?: number;
  /** Test images used to re-measure the frontier plans (default: all that are evaluated). */
  frontierSamples?: number;
  backends?: BackendName[];
  latencyIterations?: number;
  /** Called as work progresses: a stage label and a fraction. */
  onProgress?: (stage: string, fraction: number) => void;
}


/**
 * Runs the whole experiment on a float model and a labelled dataset.
 *
 * @param model - the float model
 * @param onnxBytes - its ONNX file size
 * @param images - `[N, 28, 28]` uint8
 * @param labels - `[N]`
 * @param options - {@link ExperimentOptions}
 * @returns the table, the frontier and the models
 */
export async function runExperiment(model: Model, onnxBytes: number, images: Tensor, labels: Tensor, options: ExperimentOptions = {}): Promise<ExperimentResult> {
  const started = performance.now();
  const progress = options.onProgress ?? (() => {});
  const n = Math.min(options.evalSamples ?? images.shape[0], images.shape[0]);
  const x = images.slice([0], [n]);
  const y = labels.slice([0], [n]);
  const calibrationCount = Math.min(options.calibrationSamples ?? 512, options.calibrationImages?.shape[0] ?? images.shape[0]);
  const metric = options.metric ?? 'kl';
  const calibration = options.calibrationImages
    ? options.calibrationImages.slice([0], [calibrationCount])
    : images.slice([images.shape[0] - calibrationCount], [images.shape[0]]);
  const backends = options.backends ?? ['js', 'wasm'];

  progress('quantizing', 0);
  const int8 = await quantize(model);
  const int4 = await quantize(model, { weightBits: 4, granularity: 'per-block', blockSize: 32 });
  // The same bytes as plain 4-bit per channel, with GPTQ's error-compensating rounding over the calibration images.
  const int4Gptq = await quantize(model, { weightBits: 4, granularity: 'per-channel', rounding: 'gptq', calibration, calibrationSamples: calibrationCount });

  progress('measuring layer sensitivity', 0);
  const feeds = calibrationFeeds(model, calibration, calibrationCount);
  const { table } = measureSensitivity(model, {
    calibration: feeds,
    metric,
    onProgress: (done, total) => progress('measuring layer sensitivity', done / total),
  });
  // "Uniform 3-bit": every layer at 3 bits, per block of 32 where the quantizer has that form and per channel where
  // it has not (convs) — a plan like any other, so that the allocator's plan of the same size can be compared with it.
  const uniform3 = createPlan(
    table,
    Object.fromEntries(table.layers.map((l) => [l.name, (l.candidates.find((c) => c.id === 'int3-block32') ?? l.candidates.find((c) => c.id === 'int3-per-channel')!).id])),
  );
  const plans: Record<string, Plan> = {
    'mixed @ 50% of int8': allocate(table, '0.5x'),
    'mixed @ uniform-3-bit size': allocate(table, uniform3.predicted.bytes),
  };
  const int3 = applyPlan(model, uniform3, table);
  const mixedA = applyPlan(model, plans['mixed @ 50% of int8'], table);
  const mixedB = applyPlan(model, plans['mixed @ uniform-3-bit size'], table);

  const entries: [string, Model, string][] = [
    ['float32 (ONNX)', model, 'the original'],
    ['int8 per-channel', int8.model, 'dynamic'],
    ['int4 per-block 32', int4.model, int4.report.warnings.length ? 'convs per channel' : 'dynamic'],
    ['int4 per-channel GPTQ', int4Gptq.model, 'GPTQ rounding'],
    ['uniform 3-bit', int3.model, describePlan(uniform3)],
    ['mixed @ 50% of int8', mixedA.model, describePlan(plans['mixed @ 50% of int8'])],
    ['mixed @ uniform-3-bit size', mixedB.model, describePlan(plans['mixed @ uniform-3-bit size'])],
  ];
  const truth = y.values();
  /** Predictions of `m` on `images` (the first rows of the evaluation set) and their top-1 accuracy. */
  const measure = async (m: Model, images: Tensor) => {
    const p = await predict(m, images, { backend: 'wasm' });
    let correct = 0;
    for (let k = 0; k < p.classes.length; k++) if (p.classes[k] === truth[k]) correct++;
    return { p, accuracy: correct / p.classes.length };
  };
  const variants: VariantResult[] = [];
  const models: Record<string, Model> = {};
  let floatScores: Float32Array | undefined;
  for (const [index, [name, m, note]] of entries.entries()) {
    progress(`evaluating ${name}`, index / entries.length);
    const fileBytes = index === 0 ? onnxBytes : (await serializeModel(m)).byteLength;
    const { p, accuracy } = await measure(m, x);
    if (index === 0) floatScores = p.scores; // the reference for the frontier below
    const latencyMs: Partial<Record<BackendName, number>> = {};
    for (const backend of backends) latencyMs[backend] = (await benchmarkModel(m, { backend, iterations: options.latencyIterations ?? 30, warmup: 5 })).medianMs;
    variants.push({ name, fileBytes, weightBytes: summarizeModel(m).parameterBytes, accuracy, latencyMs, note });
    models[name] = m;
  }

  // Re-measure a few frontier plans for real: all layers quantized together, on the evaluation images.
  const frontierPlans = paretoFrontier(table, { points: options.frontierPoints ?? 8 });
  const m = Math.min(n, options.frontierSamples ?? n);
  const fx = x.slice([0], [m]);
  const classes = floatScores!.length / n;
  const reference = Tensor.from('float32', [m, classes], floatScores!.subarray(0, m * classes));
  const frontier: FrontierPoint[] = [];
  for (const [i, plan] of frontierPlans.entries()) {
    progress('re-measuring the frontier', i / frontierPlans.length);
    const { p, accuracy } = await measure(applyPlan(model, plan, table).model, fx);
    // The same metric as the prediction, now with every layer quantized at once, on the evaluation images.
    const measured = outputDamage(reference, Tensor.from('float32', [m, p.numClasses], p.scores), metric);
    frontier.push({ bytes: plan.predicted.bytes, predictedDamage: plan.predicted.damage, measuredDamage: measured.sum / measured.rows, accuracy });
  }
  progress('done', 1);
  return {
    variants,
    frontier,
    spearman: spearman(frontier.map((f) => f.predictedDamage), frontier.map((f) => f.measuredDamage)),
    table,
    plans,
    models,
    evalSamples: n,
    frontierSamples: m,
    seconds: (performance.now() - started) / 1000,
  };
}

/** A plan in a few words: `int8×1, int4-block32×2`. */
export function describePlan(plan: Plan): string {
  const counts = new Map<string, number>();
  for (const id of Object.values(plan.layers)) counts.set(id, (counts.get(id) ?? 0) + 1);
  return [...counts].map(([id, c]) => `${id}×${c}`).join(', ');
}
