import type { Model } from '@qint/graph';
import { Tensor, allocateData, isPackedDType, type DType } from '@qint/tensor';
import { InputError } from './input-error';

/** How a model's single data input is fed with batches cut from a dataset tensor `[N, ...]`. */
export interface BatchPlan {
  inputName: string;
  dtype: DType;
  /** Samples per run: the model's fixed batch dim, or the requested batch size when the dim is symbolic. */
  batch: number;
  /** Whether the batch dim is fixed (a partial last batch is then zero-padded). */
  fixedBatch: boolean;
  /** Dims of one sample as the model wants them. */
  sampleShape: number[];
  /** The samples' values as numbers, decoded once (a view for float32/uint8 data). */
  values: ReturnType<Tensor['values']>;
}

/**
 * Works out how to feed `samples` (a `[N, ...]` dataset tensor) to a one-input model in batches.
 *
 * @param model - the model (exactly one non-initializer input)
 * @param samples - the dataset
 * @param batchSize - batch size for a symbolic batch dim (default 64)
 * @returns the plan
 * @throws {@link InputError} when the model has several inputs or a sample does not fit the input's shape
 */
export function planBatches(model: Model, samples: Tensor, batchSize = 64): BatchPlan {
  const initializers = model.graph.initializers;
  const inputs = model.graph.inputs.filter((i) => !initializers.has(i.name));
  if (inputs.length !== 1) {
    throw new InputError(`the model has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}); evaluation needs exactly one`);
  }
  const input = inputs[0];
  const dims = input.shape ?? [];
  if (samples.rank < 1 || samples.shape[0] === 0) throw new InputError(`the inputs must be a non-empty [N, ...] tensor, got [${samples.shape.join(', ')}]`);
  const perSample = samples.size / samples.shape[0];
  const declared = dims.slice(1);
  const known = declared.every((d): d is number => typeof d === 'number');
  const sampleShape = known && declared.length > 0 ? (declared as number[]) : samples.shape.slice(1);
  const want = sampleShape.reduce((a, b) => a * b, 1);
  if (want !== perSample) {
    throw new InputError(
      `each input sample has ${perSample} values ([${samples.shape.slice(1).join(', ')}]) but the model's input "${input.name}" wants [${dims.map((d) => d ?? '?').join(', ')}]`,
    );
  }
  const first = dims[0];
  const fixedBatch = typeof first === 'number';
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InputError(`--batch must be a positive integer, got ${batchSize}`);
  return { inputName: input.name, dtype: input.dtype ?? 'float32', batch: fixedBatch ? first : batchSize, fixedBatch, sampleShape, values: samples.values() };
}

/**
 * Cuts batch `[start, start + plan.batch)` out of `samples`, converted to the model's input dtype (e.g. uint8 pixels to
 * float32) and shaped as the model wants; a partial last batch of a fixed-batch model is zero-padded.
 *
 * @returns the tensor and how many of its rows are real samples
 */
export function sliceBatch(plan: BatchPlan, samples: Tensor, start: number): { tensor: Tensor; count: number } {
  const n = samples.shape[0];
  const count = Math.min(plan.batch, n - start);
  const rows = plan.fixedBatch ? plan.batch : count;
  const per = plan.sampleShape.reduce((a, b) => a * b, 1);
  const shape = [rows, ...plan.sampleShape];
  if (plan.dtype === 'float32') {
    const out = new Float32Array(rows * per);
    out.set(plan.values.subarray(start * per, (start + count) * per) as ArrayLike<number>);
    return { tensor: Tensor.from('float32', shape, out), count };
  }
  if (samples.dtype === plan.dtype && !isPackedDType(samples.dtype)) {
    // Same storage type: copy the rows (zero-padded for a fixed batch) without converting values.
    const out = allocateData(plan.dtype, rows * per) as unknown as { set(a: ArrayLike<unknown>): void };
    out.set((samples.data as unknown as { subarray(b: number, e: number): ArrayLike<unknown> }).subarray(start * per, (start + count) * per));
    return { tensor: Tensor.from(plan.dtype, shape, out as never), count };
  }
  throw new InputError(`the model's input wants ${plan.dtype}; feeding it from ${samples.dtype} data is not supported (convert the data first)`);
}
