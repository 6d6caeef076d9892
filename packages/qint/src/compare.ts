import type { Model } from '@qint/graph';
import type { Tensor } from '@qint/tensor';
import { predict, type EvaluateOptions } from './evaluate';
import { InputError } from './input-error';
import { summarizeModel } from './model-summary';

/** One side of a {@link compare}. */
export interface ModelMeasurement {
  /** Top-1 accuracy (a fraction), when labels were given. */
  accuracy?: number;
  /** Bytes of the model's parameters. */
  parameterBytes: number;
  /** Mean run time per sample over the dataset (batched as the model allows). */
  msPerSample: number;
}

/** The result of {@link compare}. */
export interface ComparisonResult {
  float: ModelMeasurement;
  quantized: ModelMeasurement;
  /** Fraction of samples whose top-1 class is the same. */
  top1Agreement: number;
  /** Mean KL(softmax(float) ‖ softmax(quantized)) of the first output, per sample. */
  meanKL: number;
  /** Largest absolute difference of the first output. */
  maxAbsDiff: number;
  /** quantized / float parameter bytes. */
  sizeRatio: number;
  samples: number;
}

function softmaxKL(p: Float32Array, q: Float32Array, start: number, width: number): number {
  let mp = -Infinity;
  let mq = -Infinity;
  for (let c = 0; c < width; c++) {
    mp = Math.max(mp, p[start + c]);
    mq = Math.max(mq, q[start + c]);
  }
  let sp = 0;
  let sq = 0;
  for (let c = 0; c < width; c++) {
    sp += Math.exp(p[start + c] - mp);
    sq += Math.exp(q[start + c] - mq);
  }
  let kl = 0;
  for (let c = 0; c < width; c++) {
    const lp = p[start + c] - mp - Math.log(sp);
    const lq = q[start + c] - mq - Math.log(sq);
    kl += Math.exp(lp) * (lp - lq);
  }
  return Math.max(0, kl);
}

/**
 * Compares a float model and its quantized version on the same data: accuracy (with labels), top-1 agreement, KL of
 * the outputs, size and speed.
 *
 * @param floatModel - the reference model
 * @param quantModel - the quantized model
 * @param inputs - samples `[N, ...]`
 * @param labels - optional integer labels `[N]`
 * @param options - backend and batch size ({@link EvaluateOptions})
 * @returns the comparison
 * @throws {@link InputError} when the two models' outputs differ in shape or the labels do not match the samples
 * @example
 * ```ts
 * const c = await compare(model, int8, images, labels);
 * console.log(c.quantized.accuracy! - c.float.accuracy!, c.sizeRatio);
 * ```
 */
export async function compare(
  floatModel: Model,
  quantModel: Model,
  inputs: Tensor,
  labels?: Tensor,
  options: EvaluateOptions = {},
): Promise<ComparisonResult> {
  const n = inputs.shape[0];
  if (labels && labels.size !== n) throw new InputError(`there are ${labels.size} labels for ${n} input samples`);
  const a = await predict(floatModel, inputs, options);
  const b = await predict(quantModel, inputs, options);
  if (a.numClasses !== b.numClasses) throw new InputError(`the models' outputs differ: ${a.numClasses} vs ${b.numClasses} values per sample`);
  const truth = labels?.values();
  let agree = 0;
  let kl = 0;
  let maxAbsDiff = 0;
  let correctA = 0;
  let correctB = 0;
  for (let i = 0; i < n; i++) {
    if (a.classes[i] === b.classes[i]) agree++;
    if (truth) {
      if (a.classes[i] === truth[i]) correctA++;
      if (b.classes[i] === truth[i]) correctB++;
    }
    kl += softmaxKL(a.scores, b.scores, i * a.numClasses, a.numClasses);
  }
  for (let i = 0; i < a.scores.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a.scores[i] - b.scores[i]));
  const floatBytes = summarizeModel(floatModel).parameterBytes;
  const quantBytes = summarizeModel(quantModel).parameterBytes;
  return {
    float: { ...(truth ? { accuracy: correctA / n } : {}), parameterBytes: floatBytes, msPerSample: a.ms / n },
    quantized: { ...(truth ? { accuracy: correctB / n } : {}), parameterBytes: quantBytes, msPerSample: b.ms / n },
    top1Agreement: agree / n,
    meanKL: kl / n,
    maxAbsDiff,
    sizeRatio: quantBytes / floatBytes,
    samples: n,
  };
}
