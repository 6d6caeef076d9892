import { InferenceSession, type Model } from '@qint/graph';
import type { KernelBackend } from '@qint/kernels';
import type { Tensor } from '@qint/tensor';
import { resolveBackend, type BackendName } from './backends';
import { InputError } from './input-error';
import { planBatches, sliceBatch } from './session-input';

/** Options of {@link evaluate} and {@link predict}. */
export interface EvaluateOptions {
  /** Kernel backend (default `'wasm'`). */
  backend?: BackendName | KernelBackend;
  /** Batch size when the model's batch dim is symbolic (default 64). Fixed batch dims are respected. */
  batchSize?: number;
  /** Called after each batch with the number of samples done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** Predictions of a classifier over a dataset. */
export interface Predictions {
  /** argmax of the first output's last dim, per sample. */
  classes: Int32Array;
  /** The first output's rows (logits or probabilities), `[N, classes]` row-major. */
  scores: Float32Array;
  numClasses: number;
  /** Wall time of all runs, in milliseconds. */
  ms: number;
}

/** The result of {@link evaluate}. */
export interface EvaluateResult {
  /** Top-1 accuracy as a fraction (0.9891, not 98.91). */
  accuracy: number;
  correct: number;
  total: number;
  ms: number;
  msPerSample: number;
}

async function backendOf(choice: EvaluateOptions['backend']): Promise<KernelBackend> {
  return typeof choice === 'object' ? choice : resolveBackend(choice ?? 'wasm');
}

/**
 * Runs a one-input classifier over a dataset `[N, ...]` in batches and returns its first output per sample.
 *
 * @param model - the model
 * @param inputs - samples `[N, ...]` (uint8 data is converted to the model's float input as is)
 * @param options - {@link EvaluateOptions}
 * @returns classes, scores and time
 * @throws {@link InputError} when the model has several inputs or the samples do not fit its input
 * @example
 * ```ts
 * const { classes } = await predict(model, images);
 * ```
 */
export async function predict(model: Model, inputs: Tensor, options: EvaluateOptions = {}): Promise<Predictions> {
  const backend = await backendOf(options.backend);
  const session = InferenceSession.create(model, { backend });
  const plan = planBatches(model, inputs, options.batchSize);
  const n = inputs.shape[0];
  const outputName = session.outputNames[0];
  const classes = new Int32Array(n);
  let scores: Float32Array | undefined;
  let numClasses = 0;
  let ms = 0;
  for (let start = 0; start < n; start += plan.batch) {
    const { tensor, count } = sliceBatch(plan, inputs, start);
    const t0 = performance.now();
    const out = session.run({ [plan.inputName]: tensor })[outputName];
    ms += performance.now() - t0;
    const values = out.values();
    if (!scores) {
      numClasses = out.shape[out.rank - 1] ?? 1;
      scores = new Float32Array(n * numClasses);
    }
    if (values.length < count * numClasses) {
      throw new InputError(`the model's output "${outputName}" has shape [${out.shape.join(', ')}]; expected one row of ${numClasses} per sample`);
    }
    for (let r = 0; r < count; r++) {
      let best = 0;
      for (let c = 0; c < numClasses; c++) {
        const v = values[r * numClasses + c];
        scores[(start + r) * numClasses + c] = v;
        if (v > values[r * numClasses + best]) best = c;
      }
      classes[start + r] = best;
    }
    options.onProgress?.(start + count, n);
  }
  return { classes, scores: scores ?? new Float32Array(0), numClasses, ms };
}

/**
 * Top-1 accuracy of a classifier on a labelled dataset.
 *
 * @param model - the model
 * @param inputs - samples `[N, ...]`
 * @param labels - integer labels `[N]`
 * @param options - {@link EvaluateOptions}
 * @returns accuracy (a fraction), counts and time
 * @throws {@link InputError} when the label count differs from the sample count
 * @example
 * ```ts
 * const { accuracy } = await evaluate(model, images, labels); // 0.9891 for mnist-8
 * ```
 */
export async function evaluate(model: Model, inputs: Tensor, labels: Tensor, options: EvaluateOptions = {}): Promise<EvaluateResult> {
  const n = inputs.shape[0];
  if (labels.size !== n) throw new InputError(`there are ${labels.size} labels for ${n} input samples`);
  const { classes, ms } = await predict(model, inputs, options);
  const truth = labels.values();
  let correct = 0;
  for (let i = 0; i < n; i++) if (classes[i] === truth[i]) correct++;
  return { accuracy: correct / n, correct, total: n, ms, msPerSample: ms / n };
}
