// Reductions (ReduceMean/Sum/Max/Min/Prod/L1/L2/SumSquare/LogSumExp/LogSum), ArgMax/ArgMin, Softmax/LogSoftmax/Hardmax.
import { DTypeError, Tensor, ValueError, computeStrides, normalizeAxis } from '@qint/tensor';
import type { Dim } from '../ir';
import { softmaxF32, type OpOptions } from '@qint/kernels';
import { allocateF32, overwrite } from '../buffer-pool';
import { onnxOp } from './define-op';
import type { OpBuildContext, OpDefinition, ShapeInferrer } from './op-definition';
import { fromNumbers, need, prod, readInts } from './tensor-utils';

interface Reducer {
  readonly init: number;
  readonly step: (acc: number, x: number) => number;
  readonly finish: (acc: number, count: number) => number;
}

const REDUCERS: Record<string, Reducer> = {
  ReduceSum: { init: 0, step: (a, x) => a + x, finish: (a) => a },
  ReduceMean: { init: 0, step: (a, x) => a + x, finish: (a, n) => a / n },
  ReduceMax: { init: -Infinity, step: (a, x) => (x > a || x !== x ? x : a), finish: (a) => a },
  ReduceMin: { init: Infinity, step: (a, x) => (x < a || x !== x ? x : a), finish: (a) => a },
  ReduceProd: { init: 1, step: (a, x) => a * x, finish: (a) => a },
  ReduceL1: { init: 0, step: (a, x) => a + Math.abs(x), finish: (a) => a },
  ReduceL2: { init: 0, step: (a, x) => a + x * x, finish: (a) => Math.sqrt(a) },
  ReduceSumSquare: { init: 0, step: (a, x) => a + x * x, finish: (a) => a },
  ReduceLogSumExp: { init: 0, step: (a, x) => a + Math.exp(x), finish: (a) => Math.log(a) },
  ReduceLogSum: { init: 0, step: (a, x) => a + x, finish: (a) => Math.log(a) },
};

/** Reductions that accept bool inputs (opset 20 added bool to ReduceMax/ReduceMin: any / all). */
const BOOL_REDUCERS = new Set(['ReduceMax', 'ReduceMin']);

/** First opset in which each reduction takes `axes` as an input instead of an attribute. */
const AXES_INPUT_SINCE: Record<string, number> = { ReduceSum: 13 };

/** `acc[o(i)] += src[i]` over rows of the last dim, `o` following `oStrides` (0 on reduced axes); float64 sums. */
function sumRowsF32(src: Float32Array, acc: Float64Array, shape: readonly number[], oStrides: readonly number[]): void {
  const rank = shape.length;
  const n = src.length;
  const inner = shape[rank - 1];
  const innerStride = oStrides[rank - 1];
  const coord = new Array<number>(rank).fill(0);
  let o = 0;
  for (let i = 0; i < n; i += inner) {
    if (innerStride === 0) {
      let a = acc[o];
      for (let j = 0; j < inner; j++) a += src[i + j];
      acc[o] = a;
    } else for (let j = 0; j < inner; j++) acc[o + j] += src[i + j];
    for (let k = rank - 2; k >= 0; k--) {
      coord[k]++;
      o += oStrides[k];
      if (coord[k] < shape[k]) break;
      o -= oStrides[k] * shape[k];
      coord[k] = 0;
    }
  }
}

/**
 * Reduces `x` over `axes` (all axes when empty) with the named reducer, accumulating in float64.
 * @throws {@link ValueError} for an axis out of range
 */
export function reduce(opType: string, x: Tensor, axes: readonly number[], keepDims: boolean): Tensor {
  const r = REDUCERS[opType];
  const rank = x.rank;
  const axisSet = new Set(axes.length === 0 ? Array.from({ length: rank }, (_, i) => i) : axes.map((a) => normalizeAxis(a, rank, `${opType} axes`)));
  const keptShape = x.shape.map((d, i) => (axisSet.has(i) ? 1 : d));
  const outShape = keepDims ? keptShape : x.shape.filter((_, i) => !axisSet.has(i));
  const outSize = prod(keptShape);
  const acc = new Float64Array(outSize).fill(r.init);
  const src = x.values();
  const n = src.length;
  let count = 1;
  for (const a of axisSet) count *= x.shape[a];
  if (n > 0 && rank > 0) {
    const oStrides = computeStrides(keptShape).map((s, i) => (axisSet.has(i) ? 0 : s));
    const inner = x.shape[rank - 1];
    const innerStride = oStrides[rank - 1];
    const coord = new Array<number>(rank).fill(0);
    let o = 0;
    const step = r.step;
    // Sums of float32 (ReduceSum, ReduceMean: transformer pooling) add inline instead of through the shared `step`
    // callback, which V8 cannot inline here; same float64 additions in the same order.
    if ((opType === 'ReduceSum' || opType === 'ReduceMean') && src instanceof Float32Array) {
      sumRowsF32(src, acc, x.shape, oStrides);
    } else for (let i = 0; i < n; i += inner) {
      if (innerStride === 0) {
        let a = acc[o];
        for (let j = 0; j < inner; j++) a = step(a, src[i + j]);
        acc[o] = a;
      } else for (let j = 0; j < inner; j++) acc[o + j] = step(acc[o + j], src[i + j]);
      for (let k = rank - 2; k >= 0; k--) {
        coord[k]++;
        o += oStrides[k];
        if (coord[k] < x.shape[k]) break;
        o -= oStrides[k] * x.shape[k];
        coord[k] = 0;
      }
    }
  } else if (n > 0) acc[0] = r.step(acc[0], src[0]);
  for (let i = 0; i < outSize; i++) acc[i] = r.finish(acc[i], count);
  // The max of an empty bool set is false (the init −∞ would become true).
  if (x.dtype === 'bool') for (let i = 0; i < outSize; i++) if (acc[i] === -Infinity) acc[i] = 0;
  if (x.dtype === 'float32') return Tensor.from('float32', outShape, Float32Array.from(acc));
  return fromNumbers(x.dtype, outShape, acc);
}

function reduceOp(opType: string, since: number, axesFromInput: boolean): OpDefinition {
  return onnxOp(
    opType,
    since,
    (ctx) => {
      const keepDims = ctx.attrs.int('keepdims', 1) === 1;
      const noop = ctx.attrs.int('noop_with_empty_axes', 0) === 1;
      const attrAxes = axesFromInput ? undefined : (ctx.attrs.ints('axes') ?? []);
      return (inputs) => {
        const x = need(inputs, 0, 'data');
        if (x.dtype === 'bool' && !BOOL_REDUCERS.has(opType)) throw new DTypeError(`${opType}: bool inputs are not supported`);
        const axes = attrAxes ?? (inputs[1] ? readInts(inputs[1], 'input axes') : []);
        if (axes.length === 0 && noop) return [x];
        return [reduce(opType, x, axes, keepDims)];
      };
    },
    reduceInfer(axesFromInput),
  );
}

function reduceInfer(axesFromInput: boolean): ShapeInferrer {
  return (ctx, inputs) => {
    const x = inputs[0];
    if (!x?.shape) return [{ dtype: x?.dtype }];
    const keep = ctx.attrs.int('keepdims', 1) === 1;
    let axes: number[] | undefined = axesFromInput ? (inputs[1] ? (inputs[1].value ? readInts(inputs[1].value, 'axes') : undefined) : []) : (ctx.attrs.ints('axes')?.slice() ?? []);
    if (axes === undefined) return [{ dtype: x.dtype }];
    const rank = x.shape.length;
    if (axes.length === 0) {
      if (ctx.attrs.int('noop_with_empty_axes', 0) === 1) return [{ dtype: x.dtype, shape: x.shape }];
      axes = x.shape.map((_, i) => i);
    }
    const set = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
    const shape: Dim[] = keep ? x.shape.map((d, i) => (set.has(i) ? 1 : d)) : x.shape.filter((_, i) => !set.has(i));
    return [{ dtype: x.dtype, shape }];
  };
}

/** ArgMax / ArgMin along one axis, int64 output; first index of the extreme unless `select_last_index`. */
export function argExtreme(x: Tensor, axisAttr: number, keepDims: boolean, last: boolean, max: boolean): Tensor {
  const axis = normalizeAxis(axisAttr, x.rank, 'axis');
  const outer = prod(x.shape, 0, axis);
  const dim = x.shape[axis];
  const inner = prod(x.shape, axis + 1);
  if (dim === 0) throw new ValueError(`Arg${max ? 'Max' : 'Min'}: axis ${axis} has size 0`);
  const v = x.values();
  const out = new BigInt64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * dim * inner + i;
      let best = v[base];
      let at = 0;
      for (let k = 1; k < dim; k++) {
        const c = v[base + k * inner];
        const better = max ? c > best || (last && c === best) : c < best || (last && c === best);
        if (better) {
          best = c;
          at = k;
        }
      }
      out[o * inner + i] = BigInt(at);
    }
  }
  const shape = keepDims ? x.shape.map((d, i) => (i === axis ? 1 : d)) : x.shape.filter((_, i) => i !== axis);
  return Tensor.from('int64', shape, out);
}

type SoftKind = 'softmax' | 'logsoftmax' | 'hardmax';

/** Softmax-family over rows of length `dim` with element stride `inner`. Max-subtracted, accumulated in float64. */
function softmaxRows(src: Float32Array | Float64Array, out: Float32Array | Float64Array, outer: number, dim: number, inner: number, kind: SoftKind): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * dim * inner + i;
      let mx = -Infinity;
      let arg = 0;
      for (let k = 0; k < dim; k++) {
        const v = src[base + k * inner];
        if (v > mx) {
          mx = v;
          arg = k;
        }
      }
      if (kind === 'hardmax') {
        for (let k = 0; k < dim; k++) out[base + k * inner] = k === arg ? 1 : 0;
        continue;
      }
      let sum = 0;
      if (kind === 'softmax') {
        // One exp per element: keep the exponentials in the output row, then scale it.
        for (let k = 0; k < dim; k++) {
          const e = Math.exp(src[base + k * inner] - mx);
          out[base + k * inner] = e;
          sum += e;
        }
        const inv = 1 / sum;
        for (let k = 0; k < dim; k++) out[base + k * inner] *= inv;
      } else {
        for (let k = 0; k < dim; k++) sum += Math.exp(src[base + k * inner] - mx);
        const ls = Math.log(sum);
        for (let k = 0; k < dim; k++) out[base + k * inner] = src[base + k * inner] - mx - ls;
      }
    }
  }
}

/**
 * Softmax / LogSoftmax / Hardmax. Opset < 13: the input is flattened to 2-D at `axis` (default 1) and each row of
 * `prod(shape[axis:])` values is normalized. Opset ≥ 13: normalized along the single `axis` (default −1).
 */
export function softmaxFamily(x: Tensor, axisAttr: number, flatten: boolean, kind: SoftKind, options?: OpOptions, inPlace = false): Tensor {
  const rank = x.rank;
  if (x.dtype === 'float64') {
    // Double precision throughout (the same row loops, on Float64Array).
    const axis = rank === 0 ? 0 : normalizeAxis(axisAttr, rank, 'axis');
    const out = new Float64Array(x.size);
    const src = x.data as Float64Array;
    if (flatten) softmaxRows(src, out, prod(x.shape, 0, axis), prod(x.shape, axis), 1, kind);
    else softmaxRows(src, out, prod(x.shape, 0, axis), rank === 0 ? 1 : x.shape[axis], prod(x.shape, axis + 1), kind);
    return Tensor.from('float64', x.shape, out);
  }
  if (x.dtype !== 'float32') throw new DTypeError(`${kind}: input must be float32 or float64, got ${x.dtype}`);
  const axis = rank === 0 ? 0 : normalizeAxis(axisAttr, rank, 'axis');
  const rowsContiguous = kind === 'softmax' && (flatten || axis === rank - 1) && rank > 0;
  // In place only on contiguous rows: each row's max and exponentials are taken before the row is rewritten.
  // softmaxF32 writes every element: a recycled buffer will do.
  const out = inPlace && rowsContiguous ? overwrite(x.data as Float32Array) : rowsContiguous ? allocateF32(x.size) : new Float32Array(x.size);
  if (rowsContiguous) {
    // Rows are contiguous: the backend primitive (SIMD on WASM; the JS backend's is the loop of softmaxRows).
    const dim = prod(x.shape, axis);
    softmaxF32({ rows: dim === 0 ? 0 : x.size / dim, dim, x: x.data as Float32Array, out }, options);
    return Tensor.from('float32', x.shape, out);
  }
  if (flatten) softmaxRows(x.data as Float32Array, out, prod(x.shape, 0, axis), prod(x.shape, axis), 1, kind);
  else softmaxRows(x.data as Float32Array, out, prod(x.shape, 0, axis), rank === 0 ? 1 : x.shape[axis], prod(x.shape, axis + 1), kind);
  return Tensor.from('float32', x.shape, out);
}

function softOp(opType: string, kind: SoftKind, since: number): OpDefinition {
  const flatten = since < 13;
  return onnxOp(
    opType,
    since,
    (ctx: OpBuildContext) => {
      const axis = ctx.attrs.int('axis', flatten ? 1 : -1);
      const options = ctx.backend ? { backend: ctx.backend } : undefined;
      return (inputs, donated) => [softmaxFamily(need(inputs, 0, 'input'), axis, flatten, kind, options, ((donated ?? 0) & 1) !== 0)];
    },
    (_ctx, inputs) => [inputs[0] ? { dtype: inputs[0].dtype, shape: inputs[0].shape } : undefined],
  );
}

function argOp(opType: 'ArgMax' | 'ArgMin'): OpDefinition {
  return onnxOp(
    opType,
    1,
    (ctx) => {
      const axis = ctx.attrs.int('axis', 0);
      const keep = ctx.attrs.int('keepdims', 1) === 1;
      const last = ctx.attrs.int('select_last_index', 0) === 1;
      return (inputs) => [argExtreme(need(inputs, 0, 'data'), axis, keep, last, opType === 'ArgMax')];
    },
    (ctx, inputs) => {
      const x = inputs[0];
      if (!x?.shape) return [{ dtype: 'int64' }];
      const a = ctx.attrs.int('axis', 0);
      const axis = a < 0 ? a + x.shape.length : a;
      const keep = ctx.attrs.int('keepdims', 1) === 1;
      return [{ dtype: 'int64', shape: keep ? x.shape.map((d, i) => (i === axis ? 1 : d)) : x.shape.filter((_, i) => i !== axis) }];
    },
  );
}

/** All reduction and softmax-family op definitions. */
export const reduceOps: readonly OpDefinition[] = [
  ...Object.keys(REDUCERS).flatMap((op) => {
    const since = AXES_INPUT_SINCE[op] ?? 18;
    return [reduceOp(op, 1, false), reduceOp(op, since, true)];
  }),
  argOp('ArgMax'),
  argOp('ArgMin'),
  softOp('Softmax', 'softmax', 1),
  softOp('Softmax', 'softmax', 13),
  softOp('LogSoftmax', 'logsoftmax', 1),
  softOp('LogSoftmax', 'logsoftmax', 13),
  softOp('Hardmax', 'hardmax', 1),
  softOp('Hardmax', 'hardmax', 13),
];
