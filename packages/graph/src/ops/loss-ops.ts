// Training losses that appear in exported graphs and the ONNX suite: NegativeLogLikelihoodLoss and
// SoftmaxCrossEntropyLoss (log-softmax along dim 1, then the same NLL). Accumulated in float64.
import { DTypeError, ShapeError, Tensor, ValueError, formatShape } from '@qint/tensor';
import { onnxOp } from './define-op';
import type { OpBuildContext, OpDefinition, ShapeInferrer } from './op-definition';
import { fromFloats, need, prod, readInts } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';

type Reduction = 'none' | 'sum' | 'mean';

function readReduction(ctx: OpBuildContext): Reduction {
  const r = ctx.attrs.string('reduction', 'mean');
  if (r !== 'none' && r !== 'sum' && r !== 'mean') throw new UnsupportedVariant(`reduction "${r}" is not one of "none", "sum", "mean"`);
  return r;
}

function requireFloat(t: Tensor, what: string): void {
  if (t.dtype !== 'float32' && t.dtype !== 'float16' && t.dtype !== 'float64') throw new DTypeError(`${what} must be float32, float16 or float64, got ${t.dtype}`);
}

/**
 * NLL of log-probabilities `logp` ([N, C, d1, …], as float64 values) at `target` ([N, d1, …]):
 * `loss = −logp[n, t, d] · w[t]`, 0 (and weight 0) where `t = ignoreIndex`; reduced by `reduction`
 * (`mean` divides by the sum of the weights taken).
 *
 * @throws {@link ShapeError} when the shapes do not fit; {@link ValueError} for a target outside [0, C)
 */
export function negativeLogLikelihood(
  logp: ArrayLike<number>,
  shape: readonly number[],
  target: Tensor,
  weight: Tensor | undefined,
  reduction: Reduction,
  ignoreIndex: number | undefined,
  dtype: Tensor['dtype'],
  label: string,
): Tensor {
  if (shape.length < 2) throw new ShapeError(`${label}: input must have rank ≥ 2 ([N, C, …]), got ${formatShape(shape)}`);
  const n = shape[0];
  const c = shape[1];
  const inner = prod(shape, 2);
  const targetShape = [n, ...shape.slice(2)];
  if (target.rank !== targetShape.length || target.shape.some((d, i) => d !== targetShape[i])) {
    throw new ShapeError(`${label}: target ${formatShape(target.shape)} must be ${formatShape(targetShape)} for input ${formatShape(shape)}`);
  }
  if (target.dtype !== 'int64' && target.dtype !== 'int32') throw new DTypeError(`${label}: target must be int64 or int32, got ${target.dtype}`);
  const t = readInts(target, `${label} target`);
  let w: ArrayLike<number> | undefined;
  if (weight !== undefined) {
    if (weight.size !== c || weight.rank !== 1) throw new ShapeError(`${label}: weight ${formatShape(weight.shape)} must be [${c}] (one per class)`);
    w = weight.values();
  }
  const losses = new Float64Array(n * inner);
  let lossSum = 0;
  let weightSum = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < inner; j++) {
      const k = i * inner + j;
      const cls = t[k];
      if (ignoreIndex !== undefined && cls === ignoreIndex) continue;
      if (cls < 0 || cls >= c) throw new ValueError(`${label}: target value ${cls} at ${k} is outside [0, ${c})`);
      const wt = w === undefined ? 1 : w[cls];
      const loss = -logp[(i * c + cls) * inner + j] * wt;
      losses[k] = loss;
      lossSum += loss;
      weightSum += wt;
    }
  }
  if (reduction === 'none') return fromFloats(dtype, targetShape, losses);
  return fromFloats(dtype, [], [reduction === 'sum' ? lossSum : lossSum / weightSum]);
}

/** Log-softmax along dim 1 of [N, C, d1, …], in float64. */
function logSoftmaxDim1(x: ArrayLike<number>, shape: readonly number[]): Float64Array {
  const n = shape[0];
  const c = shape[1];
  const inner = prod(shape, 2);
  const out = new Float64Array(x.length);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < inner; j++) {
      const base = i * c * inner + j;
      let mx = -Infinity;
      for (let k = 0; k < c; k++) mx = Math.max(mx, x[base + k * inner]);
      let sum = 0;
      for (let k = 0; k < c; k++) sum += Math.exp(x[base + k * inner] - mx);
      const ls = Math.log(sum) + mx;
      for (let k = 0; k < c; k++) out[base + k * inner] = x[base + k * inner] - ls;
    }
  }
  return out;
}

const lossInfer: ShapeInferrer = (ctx, inputs) => {
  const x = inputs[0];
  const reduction = ctx.attrs.string('reduction', 'mean');
  const shape = reduction === 'none' ? inputs[1]?.shape : [];
  return [{ dtype: x?.dtype, shape }, { dtype: x?.dtype, shape: x?.shape }];
};

/** NegativeLogLikelihoodLoss (12) and SoftmaxCrossEntropyLoss (12). */
export const lossOps: readonly OpDefinition[] = [
  onnxOp(
    'NegativeLogLikelihoodLoss',
    12,
    (ctx) => {
      const reduction = readReduction(ctx);
      const ignoreIndex = ctx.attrs.int('ignore_index');
      return (inputs) => {
        const x = need(inputs, 0, 'input');
        requireFloat(x, `${ctx.label}: input`);
        return [negativeLogLikelihood(x.values(), x.shape, need(inputs, 1, 'target'), inputs[2], reduction, ignoreIndex, x.dtype, ctx.label)];
      };
    },
    lossInfer,
  ),
  onnxOp(
    'SoftmaxCrossEntropyLoss',
    12,
    (ctx) => {
      const reduction = readReduction(ctx);
      const ignoreIndex = ctx.attrs.int('ignore_index');
      return (inputs) => {
        const x = need(inputs, 0, 'scores');
        requireFloat(x, `${ctx.label}: scores`);
        if (x.rank < 2) throw new ShapeError(`${ctx.label}: scores must have rank ≥ 2 ([N, C, …]), got ${formatShape(x.shape)}`);
        const logp = logSoftmaxDim1(x.values(), x.shape);
        const loss = negativeLogLikelihood(logp, x.shape, need(inputs, 1, 'labels'), inputs[2], reduction, ignoreIndex, x.dtype, ctx.label);
        return [loss, fromFloats(x.dtype, x.shape, logp)];
      };
    },
    lossInfer,
  ),
];
