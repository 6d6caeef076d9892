// Gather/scatter by index tuples and by elements: GatherND, ScatterND, ScatterElements, Scatter (opset 9–10) and
// TensorScatter (the KV-cache update of opset 24). Elements move as stored; reductions compute on values.
import {
  ShapeError,
  Tensor,
  ValueError,
  computeStrides,
  float16ToFloat32Array,
  formatShape,
  normalizeAxis,
} from '@qint/tensor';
import { onnxOp } from './define-op';
import { sameAs } from './infer-helpers';
import type { OpBuildContext, OpDefinition } from './op-definition';
import { fromFloats, need, prod, readInts, requireUnpacked } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';

/** How a scatter combines an update with the value already there. */
export type ScatterReduction = 'none' | 'add' | 'mul' | 'max' | 'min';

type Elements = { [i: number]: any; length: number };

/** A mutable copy of `t`'s elements as values (float16 decoded), and how to turn it back into a tensor. */
function workCopy(t: Tensor): { arr: Elements; finish: () => Tensor } {
  if (t.dtype === 'float16') {
    const arr = float16ToFloat32Array(t.data as Uint16Array);
    return { arr, finish: () => fromFloats('float16', t.shape, arr) };
  }
  const arr = t.data.slice() as Elements;
  return { arr, finish: () => Tensor.from(t.dtype, t.shape, arr as never) };
}

function valuesOf(t: Tensor): Elements {
  return (t.dtype === 'float16' ? float16ToFloat32Array(t.data as Uint16Array) : t.data) as Elements;
}

function combiner(reduction: ScatterReduction, dtype: Tensor['dtype']): (a: any, b: any) => any {
  switch (reduction) {
    case 'none':
      return (_a, b) => b;
    case 'add':
      return (a, b) => a + b;
    case 'mul':
      return dtype === 'int32' || (dtype as string) === 'uint32' ? (a, b) => Math.imul(a, b) : (a, b) => a * b;
    case 'max':
      return (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b);
    case 'min':
      return (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b);
  }
}

function readReduction(ctx: OpBuildContext): ScatterReduction {
  const r = ctx.opset >= 16 ? ctx.attrs.string('reduction', 'none') : 'none';
  if (r !== 'none' && r !== 'add' && r !== 'mul' && r !== 'max' && r !== 'min') throw new UnsupportedVariant(`reduction "${r}" is not supported`);
  if ((r === 'max' || r === 'min') && ctx.opset < 18) ctx.attrs.fail(`reduction "${r}" needs opset 18`);
  return r;
}

function checkIndex(k: number, dim: number, where: string): number {
  if (k < -dim || k >= dim) throw new ValueError(`index ${k} ${where} is out of range for a dim of size ${dim}`);
  return k < 0 ? k + dim : k;
}

/**
 * GatherND: slices of `data` addressed by the index tuples in the last dim of `indices`, after `batchDims` shared
 * leading dims.
 * @returns a tensor of shape `indices.shape[:-1] + data.shape[batchDims + k:]`
 * @throws {@link ShapeError} when the shapes do not fit, {@link ValueError} for an index out of range
 */
export function gatherND(data: Tensor, indices: Tensor, batchDims: number): Tensor {
  requireUnpacked(data, 'GatherND');
  const r = data.rank;
  const q = indices.rank;
  if (q < 1) throw new ShapeError(`GatherND: indices must have rank ≥ 1, got ${formatShape(indices.shape)}`);
  const k = indices.shape[q - 1];
  if (batchDims < 0 || batchDims >= Math.min(r, q) || k > r - batchDims) {
    throw new ShapeError(`GatherND: indices ${formatShape(indices.shape)} with batch_dims ${batchDims} do not fit data ${formatShape(data.shape)}`);
  }
  for (let d = 0; d < batchDims; d++) {
    if (data.shape[d] !== indices.shape[d]) throw new ShapeError(`GatherND: batch dim ${d} differs: data ${formatShape(data.shape)}, indices ${formatShape(indices.shape)}`);
  }
  const idx = readInts(indices, 'GatherND indices');
  const batch = prod(data.shape, 0, batchDims);
  const tuples = prod(indices.shape, batchDims, q - 1);
  const slice = prod(data.shape, batchDims + k);
  const batchStride = prod(data.shape, batchDims);
  const strides = computeStrides(data.shape);
  const outShape = [...indices.shape.slice(0, q - 1), ...data.shape.slice(batchDims + k)];
  const src = data.data as Elements;
  const out = new (data.data.constructor as new (n: number) => Elements)(batch * tuples * slice);
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < tuples; t++) {
      let at = b * batchStride;
      const base = (b * tuples + t) * k;
      for (let j = 0; j < k; j++) at += checkIndex(idx[base + j], data.shape[batchDims + j], 'in GatherND indices') * strides[batchDims + j];
      for (let s = 0; s < slice; s++) out[o++] = src[at + s];
    }
  }
  return Tensor.from(data.dtype, outShape, out as never);
}

/**
 * ScatterND: a copy of `data` with the slices addressed by `indices` replaced by (or reduced with) `updates`.
 * @throws {@link ShapeError} when updates do not have shape `indices.shape[:-1] + data.shape[k:]`
 */
export function scatterND(data: Tensor, indices: Tensor, updates: Tensor, reduction: ScatterReduction): Tensor {
  requireUnpacked(data, 'ScatterND');
  const q = indices.rank;
  const k = q >= 1 ? indices.shape[q - 1] : 0;
  if (q < 1 || k > data.rank) throw new ShapeError(`ScatterND: indices ${formatShape(indices.shape)} do not fit data ${formatShape(data.shape)}`);
  const want = [...indices.shape.slice(0, q - 1), ...data.shape.slice(k)];
  if (formatShape(want) !== formatShape(updates.shape)) {
    throw new ShapeError(`ScatterND: updates ${formatShape(updates.shape)} must have shape ${formatShape(want)}`);
  }
  if (updates.dtype !== data.dtype) throw new ShapeError(`ScatterND: updates (${updates.dtype}) must have data's dtype (${data.dtype})`);
  const idx = readInts(indices, 'ScatterND indices');
  const { arr, finish } = workCopy(data);
  const upd = valuesOf(updates);
  const f = combiner(reduction, data.dtype);
  const strides = computeStrides(data.shape);
  const slice = prod(data.shape, k);
  const tuples = prod(indices.shape, 0, q - 1);
  for (let t = 0; t < tuples; t++) {
    let at = 0;
    for (let j = 0; j < k; j++) at += checkIndex(idx[t * k + j], data.shape[j], 'in ScatterND indices') * strides[j];
    for (let s = 0; s < slice; s++) arr[at + s] = f(arr[at + s], upd[t * slice + s]);
  }
  return finish();
}

/**
 * ScatterElements: a copy of `data` where `out[i… with indices[i…] at axis] = updates[i…]` (or reduced with it).
 * @throws {@link ShapeError} when indices and updates differ in shape or rank from data
 */
export function scatterElements(data: Tensor, indices: Tensor, updates: Tensor, axisAttr: number, reduction: ScatterReduction): Tensor {
  requireUnpacked(data, 'ScatterElements');
  const rank = data.rank;
  const axis = normalizeAxis(axisAttr, rank, 'axis');
  if (indices.rank !== rank || formatShape(indices.shape) !== formatShape(updates.shape)) {
    throw new ShapeError(`ScatterElements: indices ${formatShape(indices.shape)} and updates ${formatShape(updates.shape)} must have one shape of data's rank (${formatShape(data.shape)})`);
  }
  const idx = readInts(indices, 'ScatterElements indices');
  const { arr, finish } = workCopy(data);
  const upd = valuesOf(updates);
  const f = combiner(reduction, data.dtype);
  const ds = computeStrides(data.shape);
  const coord = new Array<number>(rank).fill(0);
  const dim = data.shape[axis];
  for (let i = 0; i < idx.length; i++) {
    const kk = checkIndex(idx[i], dim, `at position ${i} of ScatterElements indices (axis ${axis})`);
    let at = 0;
    for (let d = 0; d < rank; d++) at += (d === axis ? kk : coord[d]) * ds[d];
    arr[at] = f(arr[at], upd[i]);
    for (let d = rank - 1; d >= 0; d--) {
      if (++coord[d] < indices.shape[d]) break;
      coord[d] = 0;
    }
  }
  return finish();
}

/**
 * TensorScatter: writes `update` into a copy of `cache` along `axis` at each batch row's write index (wrapping
 * modulo the cache length in circular mode).
 * @throws {@link ShapeError} when the shapes differ outside `axis`, {@link ValueError} when a write runs past the end
 */
export function tensorScatter(cache: Tensor, update: Tensor, writeIndices: Tensor | undefined, axisAttr: number, circular: boolean): Tensor {
  requireUnpacked(cache, 'TensorScatter');
  const rank = cache.rank;
  const axis = normalizeAxis(axisAttr, rank, 'axis');
  if (axis === 0) throw new ValueError('TensorScatter: axis must not be the batch axis 0');
  if (update.rank !== rank || cache.shape.some((d, i) => i !== axis && d !== update.shape[i])) {
    throw new ShapeError(`TensorScatter: update ${formatShape(update.shape)} must match past_cache ${formatShape(cache.shape)} outside axis ${axis}`);
  }
  const max = cache.shape[axis];
  const seq = update.shape[axis];
  if (seq > max) throw new ShapeError(`TensorScatter: update length ${seq} exceeds the cache length ${max}`);
  const batch = cache.shape[0];
  const wi = writeIndices ? readInts(writeIndices, 'TensorScatter write_indices') : new Array<number>(batch).fill(0);
  if (wi.length !== batch) throw new ShapeError(`TensorScatter: write_indices must hold ${batch} values, got ${wi.length}`);
  const out = cache.data.slice() as Elements;
  const src = update.data as Elements;
  const inner = prod(cache.shape, axis + 1);
  const mid = prod(cache.shape, 1, axis);
  for (let b = 0; b < batch; b++) {
    const w = wi[b];
    if (w < 0 || (!circular && w + seq > max)) throw new ValueError(`TensorScatter: write index ${w} of batch ${b} with ${seq} updates runs outside the cache of length ${max}`);
    for (let m = 0; m < mid; m++) {
      const row = b * mid + m;
      for (let s = 0; s < seq; s++) {
        const pos = circular ? (w + s) % max : w + s;
        const dst = (row * max + pos) * inner;
        const from = (row * seq + s) * inner;
        for (let i = 0; i < inner; i++) out[dst + i] = src[from + i];
      }
    }
  }
  return Tensor.from(cache.dtype, cache.shape, out as never);
}

/** The gather/scatter op definitions. */
export const scatterOps: readonly OpDefinition[] = [
  onnxOp(
    'GatherND',
    11,
    (ctx) => {
      const batchDims = ctx.opset >= 12 ? ctx.attrs.int('batch_dims', 0) : 0;
      return (inputs) => [gatherND(need(inputs, 0, 'data'), need(inputs, 1, 'indices'), batchDims)];
    },
    (ctx, [data, indices]) => {
      const b = ctx.opset >= 12 ? ctx.attrs.int('batch_dims', 0) : 0;
      const k = indices?.shape?.[indices.shape.length - 1];
      const shape = data?.shape && indices?.shape && typeof k === 'number' ? [...indices.shape.slice(0, -1), ...data.shape.slice(b + k)] : undefined;
      return [{ dtype: data?.dtype, shape }];
    },
  ),
  onnxOp(
    'ScatterND',
    11,
    (ctx) => {
      const reduction = readReduction(ctx);
      return (inputs) => [scatterND(need(inputs, 0, 'data'), need(inputs, 1, 'indices'), need(inputs, 2, 'updates'), reduction)];
    },
    sameAs(0),
  ),
  onnxOp(
    'ScatterElements',
    11,
    (ctx) => {
      const axis = ctx.attrs.int('axis', 0);
      const reduction = readReduction(ctx);
      return (inputs) => [scatterElements(need(inputs, 0, 'data'), need(inputs, 1, 'indices'), need(inputs, 2, 'updates'), axis, reduction)];
    },
    sameAs(0),
  ),
  onnxOp(
    'Scatter',
    9,
    (ctx) => {
      const axis = ctx.attrs.int('axis', 0);
      return (inputs) => [scatterElements(need(inputs, 0, 'data'), need(inputs, 1, 'indices'), need(inputs, 2, 'updates'), axis, 'none')];
    },
    sameAs(0),
  ),
  onnxOp(
    'TensorScatter',
    24,
    (ctx) => {
      const axis = ctx.attrs.int('axis', -2);
      const mode = ctx.attrs.string('mode', 'linear');
      if (mode !== 'linear' && mode !== 'circular') throw new UnsupportedVariant(`mode "${mode}" is not supported (linear and circular are)`);
      return (inputs) => [tensorScatter(need(inputs, 0, 'past_cache'), need(inputs, 1, 'update'), inputs[2], axis, mode === 'circular')];
    },
    sameAs(0),
  ),
];
