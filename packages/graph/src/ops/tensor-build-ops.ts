// Ops that build or rearrange whole tensors: OneHot, EyeLike, CumProd, ReverseSequence, CenterCropPad.
import { DTypeError, ShapeError, Tensor, ValueError, allocateData, computeStrides, formatShape, normalizeAxis, type DType } from '@qint/tensor';
import type { Dim } from '../ir';
import { onnxOp } from './define-op';
import { sameAs } from './infer-helpers';
import type { OpDefinition } from './op-definition';
import { dtypeFromOnnx, fromNumbers, need, prod, readInts, readScalar, requireUnpacked } from './tensor-utils';

type Elements = { [i: number]: any; length: number };

/**
 * OneHot: `out[…, j, …] = on` where `j` (at `axis`) equals the index (negative indices count from `depth`), else off.
 * @param indices - any numeric tensor (floats are truncated)
 * @param depth - the size of the new axis
 * @param values - `[off, on]`; the output takes its dtype
 * @returns a tensor of rank `indices.rank + 1`
 * @throws {@link ValueError} when depth < 1 or values does not hold two elements
 */
export function oneHot(indices: Tensor, depth: number, values: Tensor, axisAttr: number): Tensor {
  requireUnpacked(values, 'OneHot');
  if (!(depth >= 1)) throw new ValueError(`OneHot: depth must be ≥ 1, got ${depth}`);
  if (values.size !== 2) throw new ValueError(`OneHot: values must hold [off, on], got shape ${formatShape(values.shape)}`);
  depth = Math.trunc(depth);
  const rank = indices.rank + 1;
  const axis = normalizeAxis(axisAttr, rank, 'axis');
  const outShape = [...indices.shape.slice(0, axis), depth, ...indices.shape.slice(axis)];
  const outer = prod(indices.shape, 0, axis);
  const inner = prod(indices.shape, axis);
  const idx = indices.values();
  const v = values.data as Elements;
  const out = allocateData(values.dtype, outer * depth * inner) as unknown as Elements;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let k = Math.trunc(idx[o * inner + i]);
      if (k < 0) k += depth;
      for (let j = 0; j < depth; j++) out[(o * depth + j) * inner + i] = j === k ? v[1] : v[0];
    }
  }
  return Tensor.from(values.dtype, outShape, out as never);
}

/**
 * EyeLike: a 2-D tensor of `like`'s shape with ones on the diagonal shifted by `k` (up for k > 0), zeros elsewhere.
 * @throws {@link ShapeError} when the input is not 2-D
 */
export function eyeLike(like: Tensor, dtype: DType, k: number): Tensor {
  if (like.rank !== 2) throw new ShapeError(`EyeLike: input must be 2-D, got ${formatShape(like.shape)}`);
  const [rows, cols] = like.shape;
  const v = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const j = i + k;
    if (j >= 0 && j < cols) v[i * cols + j] = 1;
  }
  return fromNumbers(dtype, like.shape, v);
}

/**
 * CumProd along one axis, optionally exclusive (the first product is 1) and/or reversed.
 * @throws {@link DTypeError} for bool or packed inputs
 */
export function cumProd(x: Tensor, axisAttr: number, exclusive: boolean, reverse: boolean): Tensor {
  requireUnpacked(x, 'CumProd');
  if (x.dtype === 'bool') throw new DTypeError('CumProd: bool inputs are not supported');
  const axis = normalizeAxis(axisAttr, x.rank, 'axis');
  const outer = prod(x.shape, 0, axis);
  const dim = x.shape[axis];
  const inner = prod(x.shape, axis + 1);
  const big = x.data instanceof BigInt64Array || (typeof BigUint64Array !== 'undefined' && x.data instanceof BigUint64Array);
  const wrap32 = x.dtype === 'int32' || (x.dtype as string) === 'uint32';
  const src = (big ? x.data : x.values()) as Elements;
  const out = (big ? allocateData(x.dtype, x.size) : new Float64Array(x.size)) as Elements;
  const mul = big ? (a: bigint, b: bigint) => a * b : wrap32 ? (a: number, b: number) => Math.imul(a, b) : (a: number, b: number) => a * b;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc: any = big ? 1n : 1;
      for (let s = 0; s < dim; s++) {
        const at = (o * dim + (reverse ? dim - 1 - s : s)) * inner + i;
        if (exclusive) {
          out[at] = acc;
          acc = (mul as (a: any, b: any) => any)(acc, src[at]);
        } else {
          acc = (mul as (a: any, b: any) => any)(acc, src[at]);
          out[at] = acc;
        }
        if (x.dtype === 'float32') acc = Math.fround(acc);
      }
    }
  }
  return big ? Tensor.from(x.dtype, x.shape, out as never) : fromNumbers(x.dtype, x.shape, out as Float64Array);
}

/**
 * ReverseSequence: for each batch entry `b`, reverses the first `lens[b]` steps along the time axis.
 * @throws {@link ShapeError} for axes other than (0, 1) / (1, 0), {@link ValueError} for a length out of range
 */
export function reverseSequence(x: Tensor, lens: Tensor, batchAxis: number, timeAxis: number): Tensor {
  requireUnpacked(x, 'ReverseSequence');
  if (x.rank < 2 || !((batchAxis === 0 && timeAxis === 1) || (batchAxis === 1 && timeAxis === 0))) {
    throw new ShapeError(`ReverseSequence: needs rank ≥ 2 and batch/time axes 0 and 1, got ${formatShape(x.shape)} with batch_axis ${batchAxis}, time_axis ${timeAxis}`);
  }
  const len = readInts(lens, 'sequence_lens');
  const batch = x.shape[batchAxis];
  const time = x.shape[timeAxis];
  if (len.length !== batch) throw new ShapeError(`ReverseSequence: sequence_lens must hold ${batch} values, got ${len.length}`);
  const strides = computeStrides(x.shape);
  const inner = prod(x.shape, 2);
  const src = x.data as Elements;
  const out = x.data.slice() as Elements;
  for (let b = 0; b < batch; b++) {
    const l = len[b];
    if (l < 0 || l > time) throw new ValueError(`ReverseSequence: sequence length ${l} of batch ${b} is outside [0, ${time}]`);
    for (let t = 0; t < l; t++) {
      const dst = b * strides[batchAxis] + t * strides[timeAxis];
      const from = b * strides[batchAxis] + (l - 1 - t) * strides[timeAxis];
      for (let i = 0; i < inner; i++) out[dst + i] = src[from + i];
    }
  }
  return Tensor.from(x.dtype, x.shape, out as never);
}

/**
 * CenterCropPad: crops (centered, the extra element on the far side) or zero-pads (the extra element after) each of
 * `axes` to the target size.
 * @throws {@link ShapeError} when the target holds a size per axis that is negative or of the wrong count
 */
export function centerCropPad(x: Tensor, target: readonly number[], axesAttr: readonly number[] | undefined): Tensor {
  requireUnpacked(x, 'CenterCropPad');
  const axes = (axesAttr ?? x.shape.map((_, i) => i)).map((a) => normalizeAxis(a, x.rank, 'axes'));
  if (target.length !== axes.length || target.some((t) => t < 0)) {
    throw new ShapeError(`CenterCropPad: shape [${target.join(', ')}] must give one size ≥ 0 for each of the ${axes.length} axes`);
  }
  const outShape = x.shape.slice();
  const offset = new Array<number>(x.rank).fill(0); // input coordinate = output coordinate + offset
  axes.forEach((a, i) => {
    const d = x.shape[a];
    const t = target[i];
    outShape[a] = t;
    offset[a] = t <= d ? Math.floor((d - t) / 2) : -Math.floor((t - d) / 2);
  });
  const size = prod(outShape);
  const out = allocateData(x.dtype, size) as unknown as Elements;
  const src = x.data as Elements;
  const strides = computeStrides(x.shape);
  const coord = new Array<number>(x.rank).fill(0);
  for (let o = 0; o < size; o++) {
    let at = 0;
    let inside = true;
    for (let d = 0; d < x.rank; d++) {
      const c = coord[d] + offset[d];
      if (c < 0 || c >= x.shape[d]) {
        inside = false;
        break;
      }
      at += c * strides[d];
    }
    if (inside) out[o] = src[at];
    for (let d = x.rank - 1; d >= 0; d--) {
      if (++coord[d] < outShape[d]) break;
      coord[d] = 0;
    }
  }
  return Tensor.from(x.dtype, outShape, out as never);
}

/** The tensor-building op definitions. */
export const tensorBuildOps: readonly OpDefinition[] = [
  onnxOp(
    'OneHot',
    9,
    (ctx) => {
      const axis = ctx.attrs.int('axis', -1);
      return (inputs) => [oneHot(need(inputs, 0, 'indices'), readScalar(need(inputs, 1, 'depth'), 'OneHot input depth'), need(inputs, 2, 'values'), axis)];
    },
    (ctx, [idx, depth, values]) => {
      const d = depth?.value && depth.value.size === 1 ? Math.trunc(depth.value.values()[0]) : undefined;
      let shape: Dim[] | undefined;
      if (idx?.shape) {
        const a = ctx.attrs.int('axis', -1);
        const r = idx.shape.length + 1;
        const ax = a < 0 ? a + r : a;
        shape = [...idx.shape.slice(0, ax), d, ...idx.shape.slice(ax)];
      }
      return [{ dtype: values?.dtype, shape }];
    },
  ),
  onnxOp(
    'EyeLike',
    9,
    (ctx) => {
      const code = ctx.attrs.int('dtype');
      const to = code === undefined ? undefined : dtypeFromOnnx(code, `${ctx.label}: attribute "dtype"`);
      const k = ctx.attrs.int('k', 0);
      return (inputs) => {
        const x = need(inputs, 0, 'input');
        return [eyeLike(x, to ?? x.dtype, k)];
      };
    },
    (ctx, [x]) => {
      const code = ctx.attrs.int('dtype');
      return [{ dtype: code === undefined ? x?.dtype : dtypeFromOnnx(code, 'EyeLike dtype'), shape: x?.shape }];
    },
  ),
  onnxOp(
    'CumProd',
    26,
    (ctx) => {
      const exclusive = ctx.attrs.int('exclusive', 0) === 1;
      const reverse = ctx.attrs.int('reverse', 0) === 1;
      return (inputs) => [cumProd(need(inputs, 0, 'x'), readScalar(need(inputs, 1, 'axis'), 'CumProd input axis'), exclusive, reverse)];
    },
    sameAs(0),
  ),
  onnxOp(
    'ReverseSequence',
    10,
    (ctx) => {
      const batchAxis = ctx.attrs.int('batch_axis', 1);
      const timeAxis = ctx.attrs.int('time_axis', 0);
      if (!((batchAxis === 0 && timeAxis === 1) || (batchAxis === 1 && timeAxis === 0))) ctx.attrs.fail(`batch_axis ${batchAxis} and time_axis ${timeAxis} must be 0 and 1`);
      return (inputs) => [reverseSequence(need(inputs, 0, 'input'), need(inputs, 1, 'sequence_lens'), batchAxis, timeAxis)];
    },
    sameAs(0),
  ),
  onnxOp(
    'CenterCropPad',
    18,
    (ctx) => {
      const axes = ctx.attrs.ints('axes');
      return (inputs) => [centerCropPad(need(inputs, 0, 'input_data'), readInts(need(inputs, 1, 'shape'), 'CenterCropPad shape'), axes)];
    },
    (ctx, [x, shapeIn]) => {
      if (!x?.shape) return [{ dtype: x?.dtype }];
      const axes = (ctx.attrs.ints('axes') ?? x.shape.map((_, i) => i)).map((a) => (a < 0 ? a + x.shape!.length : a));
      const t = shapeIn?.value ? Array.from(shapeIn.value.values()) : undefined;
      const shape: Dim[] = x.shape.slice();
      axes.forEach((a, i) => (shape[a] = t?.[i]));
      return [{ dtype: x.dtype, shape }];
    },
  ),
];
