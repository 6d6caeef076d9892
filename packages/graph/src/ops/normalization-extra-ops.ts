// Normalizations beyond normalization-ops.ts: LRN, LpNormalization, MeanVarianceNormalization, GroupNormalization,
// and BatchNormalization in training mode. Float inputs (float32/float16), statistics in float64.
import { DTypeError, ShapeError, Tensor, formatShape, normalizeAxis } from '@qint/tensor';
import { onnxOp } from './define-op';
import { sameAs } from './infer-helpers';
import type { OpBuildContext, OpDefinition } from './op-definition';
import { normalizationOps } from './normalization-ops';
import { fromFloats, need, prod } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';

function floatValues(t: Tensor, what: string): ArrayLike<number> {
  if (t.dtype !== 'float32' && t.dtype !== 'float16' && t.dtype !== 'float64') throw new DTypeError(`${what} must be float32, float16 or float64, got ${t.dtype}`);
  return t.values();
}

/** LRN across channels (dim 1): `y = x / (bias + α/size · Σ x²)^β` over channels `[c − ⌊(size−1)/2⌋, c + ⌈(size−1)/2⌉]`. */
export function lrn(x: Tensor, size: number, alpha: number, beta: number, bias: number, label: string): Tensor {
  const v = floatValues(x, `${label}: input X`);
  if (x.rank < 2) throw new ShapeError(`${label}: input X must have rank ≥ 2 ([N, C, …]), got ${formatShape(x.shape)}`);
  const [n, c] = x.shape;
  const inner = prod(x.shape, 2);
  const lo = Math.floor((size - 1) / 2);
  const hi = Math.ceil((size - 1) / 2);
  const out = new Float64Array(v.length);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const from = Math.max(0, ch - lo);
      const to = Math.min(c - 1, ch + hi);
      for (let j = 0; j < inner; j++) {
        let sq = 0;
        for (let k = from; k <= to; k++) {
          const e = v[(b * c + k) * inner + j];
          sq += e * e;
        }
        const i = (b * c + ch) * inner + j;
        out[i] = v[i] / Math.pow(bias + (alpha / size) * sq, beta);
      }
    }
  }
  return fromFloats(x.dtype, x.shape, out);
}

/** `x / ‖x‖_p` along one axis (p 1 or 2); a zero norm gives zeros (as the ONNX reference of opset 22 does). */
export function lpNormalization(x: Tensor, axisAttr: number, p: number, label: string): Tensor {
  const v = floatValues(x, `${label}: input`);
  const axis = normalizeAxis(axisAttr, x.rank, 'axis');
  const outer = prod(x.shape, 0, axis);
  const dim = x.shape[axis];
  const inner = prod(x.shape, axis + 1);
  const out = new Float64Array(v.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * dim * inner + i;
      let acc = 0;
      for (let k = 0; k < dim; k++) {
        const e = v[base + k * inner];
        acc += p === 1 ? Math.abs(e) : e * e;
      }
      const norm = p === 1 ? acc : Math.sqrt(acc);
      for (let k = 0; k < dim; k++) out[base + k * inner] = norm === 0 ? 0 : v[base + k * inner] / norm;
    }
  }
  return fromFloats(x.dtype, x.shape, out);
}

/** Visits the elements of `shape` grouped by the coordinates outside `axes`: returns, per group, the flat indices. */
function groupsOver(shape: readonly number[], axes: ReadonlySet<number>): Int32Array[] {
  const rank = shape.length;
  const keptStrides: number[] = new Array<number>(rank).fill(0);
  let groups = 1;
  for (let d = rank - 1; d >= 0; d--) {
    if (!axes.has(d)) {
      keptStrides[d] = groups;
      groups *= shape[d];
    }
  }
  const size = prod(shape);
  const perGroup = groups === 0 ? 0 : size / groups;
  const out = Array.from({ length: groups }, () => new Int32Array(perGroup));
  const fill = new Int32Array(groups);
  const coord = new Array<number>(rank).fill(0);
  for (let i = 0; i < size; i++) {
    let g = 0;
    for (let d = 0; d < rank; d++) g += coord[d] * keptStrides[d];
    out[g][fill[g]++] = i;
    for (let d = rank - 1; d >= 0; d--) {
      if (++coord[d] < shape[d]) break;
      coord[d] = 0;
    }
  }
  return out;
}

/** MeanVarianceNormalization over `axes`: `(x − E x) / (√(E x² − (E x)²) + 1e-9)`, as the op's ONNX function body. */
export function meanVarianceNormalization(x: Tensor, axesAttr: readonly number[], label: string): Tensor {
  const v = floatValues(x, `${label}: input X`);
  const axes = new Set(axesAttr.map((a) => normalizeAxis(a, x.rank, 'axes')));
  const out = new Float64Array(v.length);
  for (const idx of groupsOver(x.shape, axes)) {
    let s = 0;
    let sq = 0;
    for (const i of idx) {
      s += v[i];
      sq += v[i] * v[i];
    }
    const mean = s / idx.length;
    const std = Math.sqrt(Math.max(0, sq / idx.length - mean * mean));
    for (const i of idx) out[i] = (v[i] - mean) / (std + 1e-9);
  }
  return fromFloats(x.dtype, x.shape, out);
}

/**
 * GroupNormalization: the C channels split into `groups` groups, each (n, group) normalized over its channels and
 * spatial dims, then `scale`/`bias` per channel (opset 21) or per group (opset 18).
 */
export function groupNormalization(x: Tensor, scale: Tensor, bias: Tensor, groups: number, epsilon: number, perChannel: boolean, label: string): Tensor {
  const v = floatValues(x, `${label}: input X`);
  if (x.rank < 2) throw new ShapeError(`${label}: input X must have rank ≥ 2 ([N, C, …]), got ${formatShape(x.shape)}`);
  const [n, c] = x.shape;
  if (groups < 1 || c % groups !== 0) throw new ShapeError(`${label}: num_groups ${groups} must divide the ${c} channels`);
  const want = perChannel ? c : groups;
  if (scale.size !== want || bias.size !== want) {
    throw new ShapeError(`${label}: scale ${formatShape(scale.shape)} and bias ${formatShape(bias.shape)} must have ${want} elements (one per ${perChannel ? 'channel' : 'group'})`);
  }
  const s = scale.values();
  const b = bias.values();
  const perGroup = c / groups;
  const inner = prod(x.shape, 2);
  const len = perGroup * inner;
  const out = new Float64Array(v.length);
  for (let i = 0; i < n; i++) {
    for (let g = 0; g < groups; g++) {
      const base = (i * c + g * perGroup) * inner;
      let sum = 0;
      for (let j = 0; j < len; j++) sum += v[base + j];
      const mean = sum / len;
      let sq = 0;
      for (let j = 0; j < len; j++) sq += (v[base + j] - mean) ** 2;
      const inv = 1 / Math.sqrt(sq / len + epsilon);
      for (let j = 0; j < len; j++) {
        const k = perChannel ? g * perGroup + Math.floor(j / inner) : g;
        out[base + j] = (v[base + j] - mean) * inv * s[k] + b[k];
      }
    }
  }
  return fromFloats(x.dtype, x.shape, out);
}

/**
 * BatchNormalization with `training_mode = 1` (opset ≥ 14): normalizes with the batch's own mean and (biased)
 * variance over every dim but 1, and returns `[Y, running_mean, running_var]` with
 * `running = input · momentum + batch · (1 − momentum)`.
 */
export function batchNormalizationTraining(
  x: Tensor, scale: Tensor, bias: Tensor, mean: Tensor, variance: Tensor, epsilon: number, momentum: number, label: string,
): Tensor[] {
  const v = floatValues(x, `${label}: input X`);
  if (x.rank < 2) throw new ShapeError(`${label}: input X must have rank ≥ 2 ([N, C, …]), got ${formatShape(x.shape)}`);
  const [n, c] = x.shape;
  for (const [t, what] of [[scale, 'scale'], [bias, 'B'], [mean, 'input_mean'], [variance, 'input_var']] as const) {
    if (t.size !== c) throw new ShapeError(`${label}: input ${what} must have ${c} elements (one per channel), got ${formatShape(t.shape)}`);
  }
  const [s, b, m, vr] = [scale.values(), bias.values(), mean.values(), variance.values()];
  const inner = prod(x.shape, 2);
  const count = n * inner;
  const out = new Float64Array(v.length);
  const runMean = new Float64Array(c);
  const runVar = new Float64Array(c);
  for (let ch = 0; ch < c; ch++) {
    let sum = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < inner; j++) sum += v[(i * c + ch) * inner + j];
    const mu = sum / count;
    let sq = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < inner; j++) sq += (v[(i * c + ch) * inner + j] - mu) ** 2;
    const sigma2 = sq / count;
    const k = s[ch] / Math.sqrt(sigma2 + epsilon);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < inner; j++) {
        const e = (i * c + ch) * inner + j;
        out[e] = (v[e] - mu) * k + b[ch];
      }
    }
    runMean[ch] = m[ch] * momentum + mu * (1 - momentum);
    runVar[ch] = vr[ch] * momentum + sigma2 * (1 - momentum);
  }
  return [fromFloats(x.dtype, x.shape, out), fromFloats(mean.dtype, mean.shape, runMean), fromFloats(variance.dtype, variance.shape, runVar)];
}

/** BatchNormalization since opset 14: training mode here, inference delegated to normalization-ops.ts. */
function batchNormalization14(): OpDefinition {
  const inference = normalizationOps.find((d) => d.opType === 'BatchNormalization');
  if (inference === undefined) throw new UnsupportedVariant('BatchNormalization inference definition is missing');
  return onnxOp(
    'BatchNormalization',
    14,
    (ctx: OpBuildContext) => {
      if (ctx.attrs.int('training_mode', 0) === 0) return inference.build(ctx);
      const epsilon = ctx.attrs.float('epsilon', 1e-5);
      const momentum = ctx.attrs.float('momentum', 0.9);
      return (inputs) =>
        batchNormalizationTraining(
          need(inputs, 0, 'X'), need(inputs, 1, 'scale'), need(inputs, 2, 'B'), need(inputs, 3, 'input_mean'), need(inputs, 4, 'input_var'),
          epsilon, momentum, ctx.label,
        );
    },
    (_ctx, inputs) => [
      inputs[0] ? { dtype: inputs[0].dtype, shape: inputs[0].shape } : undefined,
      inputs[3] ? { dtype: inputs[3].dtype, shape: inputs[3].shape } : undefined,
      inputs[4] ? { dtype: inputs[4].dtype, shape: inputs[4].shape } : undefined,
    ],
  );
}

/** LRN (13), LpNormalization (1), MeanVarianceNormalization (13), GroupNormalization (18, 21), BatchNormalization (14, training). */
export const normalizationExtraOps: readonly OpDefinition[] = [
  onnxOp(
    'LRN',
    1,
    (ctx) => {
      const size = ctx.attrs.int('size') ?? ctx.attrs.fail('attribute "size" is required');
      if (size < 1) ctx.attrs.fail(`attribute "size" must be ≥ 1, got ${size}`);
      const alpha = ctx.attrs.float('alpha', 1e-4);
      const beta = ctx.attrs.float('beta', 0.75);
      const bias = ctx.attrs.float('bias', 1);
      return (inputs) => [lrn(need(inputs, 0, 'X'), size, alpha, beta, bias, ctx.label)];
    },
    sameAs(0),
  ),
  onnxOp(
    'LpNormalization',
    1,
    (ctx) => {
      const axis = ctx.attrs.int('axis', -1);
      const p = ctx.attrs.int('p', 2);
      if (p !== 1 && p !== 2) throw new UnsupportedVariant(`p = ${p} is not supported (1 or 2)`);
      return (inputs) => [lpNormalization(need(inputs, 0, 'input'), axis, p, ctx.label)];
    },
    sameAs(0),
  ),
  onnxOp(
    'MeanVarianceNormalization',
    9,
    (ctx) => {
      const axes = ctx.attrs.ints('axes', [0, 2, 3]);
      return (inputs) => [meanVarianceNormalization(need(inputs, 0, 'X'), axes, ctx.label)];
    },
    sameAs(0),
  ),
  ...[18, 21].map((since) =>
    onnxOp(
      'GroupNormalization',
      since,
      (ctx) => {
        const groups = ctx.attrs.int('num_groups') ?? ctx.attrs.fail('attribute "num_groups" is required');
        const epsilon = ctx.attrs.float('epsilon', 1e-5);
        if (ctx.attrs.int('stash_type', 1) !== 1) throw new UnsupportedVariant('stash_type other than 1 (float32) is not supported');
        return (inputs) => [groupNormalization(need(inputs, 0, 'X'), need(inputs, 1, 'scale'), need(inputs, 2, 'bias'), groups, epsilon, since >= 21, ctx.label)];
      },
      sameAs(0),
    ),
  ),
  batchNormalization14(),
];
