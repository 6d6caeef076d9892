// BatchNormalization (inference), LayerNormalization, InstanceNormalization. Statistics accumulate in float64.
import { DTypeError, ShapeError, Tensor, formatShape, normalizeAxis } from '@qint/tensor';
import { layerNormF32, type OpOptions } from '@qint/kernels';
import { allocateF32, overwrite } from '../buffer-pool';
import { onnxOp } from './define-op';
import { sameAs } from './infer-helpers';
import type { OpDefinition } from './op-definition';
import { need, prod, readFloats } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';

function requireF32(t: Tensor, what: string): Float32Array {
  if (t.dtype !== 'float32') throw new DTypeError(`${what} must be float32, got ${t.dtype}`);
  return t.data as Float32Array;
}

function perChannel(t: Tensor, c: number, what: string): Float32Array {
  if (t.size !== c) throw new ShapeError(`${what} must have ${c} elements (one per channel), got ${formatShape(t.shape)}`);
  return readFloats(t);
}

/**
 * Inference BatchNormalization's per-channel multiplier and offset, `k = γ / √(σ² + ε)` and `β − μ·k` in float64 (the
 * association onnxruntime uses). The one place this arithmetic is written: the op and the load-time conv fusions
 * (fold-batch-norm.ts, the conv epilogue) both take it from here, which keeps the fused epilogue bit-identical.
 *
 * @param gamma - scale, one per channel
 * @param beta - bias, one per channel
 * @param mean - one per channel
 * @param variance - one per channel
 * @param epsilon - the node's ε
 * @returns `scale` (k) and `shift` per channel
 * @example
 * ```ts
 * batchNormCoefficients([2], [1], [0.5], [3], 1); // { scale: [1], shift: [0.5] }
 * ```
 */
export function batchNormCoefficients(
  gamma: ArrayLike<number>, beta: ArrayLike<number>, mean: ArrayLike<number>, variance: ArrayLike<number>, epsilon: number,
): { scale: Float64Array; shift: Float64Array } {
  const c = gamma.length;
  const scale = new Float64Array(c);
  const shift = new Float64Array(c);
  for (let ch = 0; ch < c; ch++) {
    const k = gamma[ch] / Math.sqrt(variance[ch] + epsilon);
    scale[ch] = k;
    shift[ch] = beta[ch] - mean[ch] * k;
  }
  return { scale, shift };
}

/** Inference BatchNormalization: `y = (x − mean) / sqrt(var + ε) · scale + bias`, per channel (dim 1). */
export function batchNormalization(x: Tensor, scale: Tensor, bias: Tensor, mean: Tensor, variance: Tensor, epsilon: number): Tensor {
  const xd = requireF32(x, 'input X');
  const c = x.rank > 1 ? x.shape[1] : 1;
  const s = perChannel(scale, c, 'input scale');
  const b = perChannel(bias, c, 'input B');
  const m = perChannel(mean, c, 'input mean');
  const v = perChannel(variance, c, 'input var');
  const n = x.rank > 0 ? x.shape[0] : 1;
  const spatial = prod(x.shape, 2);
  const out = new Float32Array(x.size);
  const { scale: ks, shift: offs } = batchNormCoefficients(s, b, m, v, epsilon);
  for (let ch = 0; ch < c; ch++) {
    const k = ks[ch];
    const off = offs[ch];
    for (let i = 0; i < n; i++) {
      const base = (i * c + ch) * spatial;
      for (let j = 0; j < spatial; j++) out[base + j] = xd[base + j] * k + off;
    }
  }
  return Tensor.from('float32', x.shape, out);
}

/** LayerNormalization's checked operands: X's data, rows × `dim` normalized values each, Scale and B as floats. */
function layerNormOperands(x: Tensor, scale: Tensor, bias: Tensor | undefined, axisAttr: number) {
  const xd = requireF32(x, 'input X');
  const axis = normalizeAxis(axisAttr, x.rank, 'axis');
  const rows = prod(x.shape, 0, axis);
  const dim = prod(x.shape, axis);
  const s = readFloats(scale);
  const b = bias ? readFloats(bias) : undefined;
  if (s.length !== dim && s.length !== 1) throw new ShapeError(`input Scale ${formatShape(scale.shape)} does not match the normalized dims ${formatShape(x.shape.slice(axis))}`);
  if (b && b.length !== dim && b.length !== 1) throw new ShapeError(`input B ${formatShape(bias!.shape)} does not match the normalized dims ${formatShape(x.shape.slice(axis))}`);
  return { xd, axis, rows, dim, s, b };
}

/** LayerNormalization over dims `[axis, rank)`; returns Y, Mean and InvStdDev (the latter two with trailing 1s). */
export function layerNormalization(x: Tensor, scale: Tensor, bias: Tensor | undefined, axisAttr: number, epsilon: number): Tensor[] {
  const { xd, axis, rows, dim: len, s, b } = layerNormOperands(x, scale, bias, axisAttr);
  const out = new Float32Array(x.size);
  const means = new Float32Array(rows);
  const inv = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * len;
    let sum = 0;
    for (let j = 0; j < len; j++) sum += xd[base + j];
    const mean = sum / len;
    let sq = 0;
    for (let j = 0; j < len; j++) {
      const d = xd[base + j] - mean;
      sq += d * d;
    }
    const is = 1 / Math.sqrt(sq / len + epsilon);
    means[r] = mean;
    inv[r] = is;
    for (let j = 0; j < len; j++) {
      const y = (xd[base + j] - mean) * is * s[s.length === 1 ? 0 : j];
      out[base + j] = b ? y + b[b.length === 1 ? 0 : j] : y;
    }
  }
  const statShape = x.shape.map((d, i) => (i < axis ? d : 1));
  return [Tensor.from('float32', x.shape, out), Tensor.from('float32', statShape, means), Tensor.from('float32', statShape, inv)];
}

/**
 * LayerNormalization's Y alone, on the backend's `layerNormF32` primitive (float32 four-lane statistics, the same
 * bits on every backend). When Mean/InvStdDev are requested too, {@link layerNormalization} runs instead, with float64
 * statistics: its Y may differ from this one by float32 rounding (within 1e-5·(1 + |y|)).
 */
function layerNormY(x: Tensor, scale: Tensor, bias: Tensor | undefined, axisAttr: number, epsilon: number, options: OpOptions | undefined, inPlace: boolean): Tensor {
  const { xd, rows, dim, s, b } = layerNormOperands(x, scale, bias, axisAttr);
  // In place when X dies here: each row's statistics are taken before the row is rewritten (JS and WASM alike).
  const out = inPlace ? overwrite(xd) : allocateF32(x.size);
  layerNormF32({ rows, dim, x: xd, scale: s, ...(b ? { bias: b } : {}), epsilon, out }, options);
  return Tensor.from('float32', x.shape, out);
}

/** InstanceNormalization: normalizes each (n, c) plane over its spatial dims, then per-channel scale and bias. */
export function instanceNormalization(x: Tensor, scale: Tensor, bias: Tensor, epsilon: number): Tensor {
  const xd = requireF32(x, 'input');
  if (x.rank < 3) throw new ShapeError(`input must have rank ≥ 3 (N, C, D1, …), got ${formatShape(x.shape)}`);
  const [n, c] = x.shape;
  const s = perChannel(scale, c, 'input scale');
  const b = perChannel(bias, c, 'input B');
  const spatial = prod(x.shape, 2);
  const out = new Float32Array(x.size);
  for (let i = 0; i < n * c; i++) {
    const ch = i % c;
    const base = i * spatial;
    let sum = 0;
    for (let j = 0; j < spatial; j++) sum += xd[base + j];
    const mean = sum / spatial;
    let sq = 0;
    for (let j = 0; j < spatial; j++) {
      const d = xd[base + j] - mean;
      sq += d * d;
    }
    const k = s[ch] / Math.sqrt(sq / spatial + epsilon);
    for (let j = 0; j < spatial; j++) out[base + j] = (xd[base + j] - mean) * k + b[ch];
  }
  return Tensor.from('float32', x.shape, out);
}

/** All normalization op definitions. */
export const normalizationOps: readonly OpDefinition[] = [
  onnxOp(
    'BatchNormalization',
    1,
    (ctx) => {
      const epsilon = ctx.attrs.float('epsilon', 1e-5);
      if (ctx.opset < 9 && ctx.attrs.int('spatial', 1) !== 1) throw new UnsupportedVariant('spatial = 0 is not supported');
      if (ctx.attrs.int('training_mode', 0) !== 0) throw new UnsupportedVariant('training_mode = 1 is not supported (inference only)');
      if (ctx.opset < 6 && ctx.attrs.has('is_test') && ctx.attrs.int('is_test') === 0) {
        throw new UnsupportedVariant('is_test = 0 (training) is not supported');
      }
      if (ctx.node.outputs.slice(1).some((o) => o !== '')) {
        throw new UnsupportedVariant('the training outputs (running mean/var, saved mean/var) are not supported');
      }
      return (inputs) => [
        batchNormalization(need(inputs, 0, 'X'), need(inputs, 1, 'scale'), need(inputs, 2, 'B'), need(inputs, 3, 'mean'), need(inputs, 4, 'var'), epsilon),
      ];
    },
    sameAs(0),
  ),
  onnxOp(
    'LayerNormalization',
    17,
    (ctx) => {
      const axis = ctx.attrs.int('axis', -1);
      const epsilon = ctx.attrs.float('epsilon', 1e-5);
      if (ctx.attrs.int('stash_type', 1) !== 1) throw new UnsupportedVariant('stash_type other than 1 (float32) is not supported');
      // Only Y requested (transformers never fetch Mean/InvStdDev): the backend primitive, SIMD on WASM.
      if (ctx.node.outputs.slice(1).every((o) => o === '')) {
        const options = ctx.backend ? { backend: ctx.backend } : undefined;
        return (inputs, donated) => [layerNormY(need(inputs, 0, 'X'), need(inputs, 1, 'Scale'), inputs[2], axis, epsilon, options, ((donated ?? 0) & 1) !== 0)];
      }
      return (inputs) => layerNormalization(need(inputs, 0, 'X'), need(inputs, 1, 'Scale'), inputs[2], axis, epsilon);
    },
    (ctx, inputs) => {
      const x = inputs[0];
      const a = ctx.attrs.int('axis', -1);
      const stat = x?.shape ? x.shape.map((d, i) => (i < (a < 0 ? a + x.shape!.length : a) ? d : 1)) : undefined;
      return [x ? { dtype: x.dtype, shape: x.shape } : undefined, { dtype: 'float32', shape: stat }, { dtype: 'float32', shape: stat }];
    },
  ),
  onnxOp(
    'InstanceNormalization',
    6,
    (ctx) => {
      const epsilon = ctx.attrs.float('epsilon', 1e-5);
      return (inputs) => [instanceNormalization(need(inputs, 0, 'input'), need(inputs, 1, 'scale'), need(inputs, 2, 'B'), epsilon)];
    },
    sameAs(0),
  ),
];
