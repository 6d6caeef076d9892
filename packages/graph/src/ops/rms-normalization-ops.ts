// RMS normalization: ai.onnx RMSNormalization (opset 23) and onnxruntime's SimplifiedLayerNormalization (registered
// by onnxruntime in the default domain, and found under com.microsoft in some exports):
// `Y = X / sqrt(mean(X²) + epsilon) · scale` over the dims from `axis` on. Sums in float64, the result rounded once.
import { DTypeError, ShapeError, Tensor, formatShape, normalizeAxis } from '@qint/tensor';
import { msOp, onnxOp } from './define-op';
import type { InferredValue, OpBuildContext, OpDefinition } from './op-definition';
import { fromFloats, need, prod, readFloats } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';

/** Expands `w` (broadcastable to `dims`, right-aligned) to `Π dims` values. */
export function expandToTrailing(w: Tensor, dims: readonly number[], what: string): Float32Array {
  const wd = readFloats(w);
  const n = prod(dims);
  if (w.size === n && (w.rank <= dims.length)) return wd;
  if (w.rank > dims.length) throw new ShapeError(`${what} ${formatShape(w.shape)} does not broadcast to the normalized dims ${formatShape(dims)}`);
  const ws = [...new Array<number>(dims.length - w.rank).fill(1), ...w.shape];
  for (let j = 0; j < dims.length; j++) if (ws[j] !== 1 && ws[j] !== dims[j]) throw new ShapeError(`${what} ${formatShape(w.shape)} does not broadcast to the normalized dims ${formatShape(dims)}`);
  const out = new Float32Array(n);
  const strides = new Array<number>(dims.length);
  let s = 1;
  for (let j = dims.length - 1; j >= 0; j--) {
    strides[j] = ws[j] === 1 ? 0 : s;
    s *= ws[j];
  }
  for (let i = 0; i < n; i++) {
    let rem = i;
    let src = 0;
    for (let j = dims.length - 1; j >= 0; j--) {
      const idx = rem % dims[j];
      rem = (rem - idx) / dims[j];
      src += idx * strides[j];
    }
    out[i] = wd[src];
  }
  return out;
}

/**
 * RMS-normalizes `rows` rows of `dim` values of `x` (float64 sums), times `scale` (`dim` values).
 *
 * @returns Y and the per-row `1 / rms`
 */
export function rmsNormRows(x: Float32Array, rows: number, dim: number, scale: Float32Array, epsilon: number): { y: Float32Array; invRms: Float32Array } {
  const y = new Float32Array(rows * dim);
  const inv = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * dim;
    let sq = 0;
    for (let j = 0; j < dim; j++) sq += x[base + j] * x[base + j];
    const rms = Math.sqrt(sq / dim + epsilon);
    inv[r] = 1 / rms;
    for (let j = 0; j < dim; j++) y[base + j] = (x[base + j] / rms) * scale[j];
  }
  return { y, invRms: inv };
}

function rmsNormalization(x: Tensor, w: Tensor, axisAttr: number, epsilon: number): Tensor[] {
  if (x.dtype !== 'float32' && x.dtype !== 'float16') throw new DTypeError(`input X must be float32 or float16, got ${x.dtype}`);
  const axis = normalizeAxis(axisAttr, x.rank, 'axis');
  const dims = x.shape.slice(axis);
  const rows = prod(x.shape, 0, axis);
  const dim = prod(dims);
  const scale = expandToTrailing(w, dims, 'scale');
  const { y, invRms } = rmsNormRows(readFloats(x), rows, dim, scale, epsilon);
  const statShape = x.shape.map((d, i) => (i < axis ? d : 1));
  return [fromFloats(x.dtype, x.shape, y), Tensor.from('float32', statShape, invRms)];
}

function build(ctx: OpBuildContext) {
  const axis = ctx.attrs.int('axis', -1);
  const epsilon = ctx.attrs.float('epsilon', 1e-5);
  const stash = ctx.attrs.int('stash_type', 1);
  if (stash !== 1) throw new UnsupportedVariant(`stash_type = ${stash} is not supported (1, float32, is)`);
  return (inputs: readonly (Tensor | undefined)[]) => rmsNormalization(need(inputs, 0, 'X'), need(inputs, 1, 'scale'), axis, epsilon);
}

function infer(ctx: OpBuildContext, inputs: readonly (InferredValue | undefined)[]): (InferredValue | undefined)[] {
  const x = inputs[0];
  if (!x?.shape) return [{ dtype: x?.dtype }, { dtype: 'float32' }];
  const rank = x.shape.length;
  let axis = ctx.attrs.int('axis', -1);
  if (axis < 0) axis += rank;
  return [{ dtype: x.dtype, shape: x.shape }, { dtype: 'float32', shape: x.shape.map((d, i) => (i < axis ? d : 1)) }];
}

/** RMSNormalization and SimplifiedLayerNormalization. */
export const rmsNormalizationOps: readonly OpDefinition[] = [
  onnxOp('RMSNormalization', 23, build, infer),
  onnxOp('SimplifiedLayerNormalization', 1, build, infer),
  msOp('SimplifiedLayerNormalization', 1, build, infer),
];
