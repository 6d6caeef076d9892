// Two small ops of the ai.onnx.ml domain: Binarizer (a threshold) and ArrayFeatureExtractor (a gather along the
// last axis).
import { DTypeError, Tensor, ValueError, allocateData, isPackedDType } from '@qint/tensor';
import type { OpDefinition, ShapeInferrer } from './op-definition';
import { fromNumbers, need, readInts } from './tensor-utils';

/** The domain of the classic-ML operators. */
export const ML_DOMAIN = 'ai.onnx.ml';

/** Binarizer: `1` where `x > threshold`, else `0`, in x's dtype. */
export function binarize(x: Tensor, threshold: number, label: string): Tensor {
  if (x.dtype === 'bool' || x.dtype === 'uint64' || isPackedDType(x.dtype)) throw new DTypeError(`${label}: input X must be a float or integer tensor, got ${x.dtype}`);
  const v = x.values();
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = Number(v[i]) > threshold ? 1 : 0;
  return fromNumbers(x.dtype, x.shape, out);
}

/**
 * ArrayFeatureExtractor: `x[..., indices]` with the indices flattened; the output is `[...x.shape[:-1], n]`
 * (`[1, n]` for a 1-D x).
 *
 * @throws {@link ValueError} for an index outside the last axis
 */
export function arrayFeatureExtractor(x: Tensor, indices: Tensor, label: string): Tensor {
  if (isPackedDType(x.dtype)) throw new DTypeError(`${label}: packed ${x.dtype} inputs are not supported`);
  const idx = readInts(indices, `${label} Y`);
  const last = x.rank === 0 ? 1 : x.shape[x.rank - 1];
  for (const i of idx) if (i < 0 || i >= last) throw new ValueError(`${label}: index ${i} is outside the last axis of size ${last}`);
  const rows = last === 0 ? 0 : x.size / last;
  const src = x.data as unknown as ArrayLike<unknown>;
  const out = allocateData(x.dtype, rows * idx.length) as unknown as { [i: number]: unknown };
  for (let r = 0; r < rows; r++) for (let j = 0; j < idx.length; j++) out[r * idx.length + j] = src[r * last + idx[j]];
  const shape = x.rank <= 1 ? [1, idx.length] : [...x.shape.slice(0, -1), idx.length];
  return Tensor.from(x.dtype, shape, out as never);
}

const sameAsX: ShapeInferrer = (_ctx, inputs) => [inputs[0] ? { dtype: inputs[0].dtype, shape: inputs[0].shape } : undefined];

/** Binarizer (1) and ArrayFeatureExtractor (1) of ai.onnx.ml. */
export const mlOps: readonly OpDefinition[] = [
  {
    domain: ML_DOMAIN,
    opType: 'Binarizer',
    sinceVersion: 1,
    build: (ctx) => {
      const threshold = ctx.attrs.float('threshold', 0);
      return (inputs) => [binarize(need(inputs, 0, 'X'), threshold, ctx.label)];
    },
    infer: sameAsX,
  },
  {
    domain: ML_DOMAIN,
    opType: 'ArrayFeatureExtractor',
    sinceVersion: 1,
    build: (ctx) => (inputs) => [arrayFeatureExtractor(need(inputs, 0, 'X'), need(inputs, 1, 'Y'), ctx.label)],
    infer: (_ctx, inputs) => [{ dtype: inputs[0]?.dtype }],
  },
];
