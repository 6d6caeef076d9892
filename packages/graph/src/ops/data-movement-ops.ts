// Ops that copy elements to new places: Transpose, Concat, Split, Slice, Gather, Expand, Tile, Pad.
// They work on the raw storage of any byte-or-wider dtype (int64 included), so one implementation serves all types.
import {
  DTypeError,
  ShapeError,
  Tensor,
  ValueError,
  allocateData,
  broadcastShapes,
  broadcastStrides,
  computeStrides,
  formatShape,
  normalizeAxis,
  resolveSliceRange,
} from '@qint/tensor';
import type { Dim } from '../ir';
import { sliceTensor, transposeTensor } from './strided-copy-f32';
import { onnxOp } from './define-op';
import { broadcastDims } from './infer-helpers';
import type { OpBuildContext, OpDefinition, ShapeInferrer } from './op-definition';
import { checkOutputSize, need, prod, readInts, readScalar, readSliceInputs, requireUnpacked, stridedCopy } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';

type Store = { [i: number]: unknown; length: number; set(a: ArrayLike<never>, offset?: number): void; subarray(b: number, e?: number): Store };

/** Concat along `axis`; all inputs share dtype and all other dims. */
export function concat(inputs: readonly Tensor[], axisAttr: number): Tensor {
  if (inputs.length === 0) throw new ValueError('Concat: needs at least one input');
  const first = inputs[0];
  const rank = first.rank;
  const axis = normalizeAxis(axisAttr, rank, 'Concat axis');
  let total = 0;
  inputs.forEach((t, i) => {
    requireUnpacked(t, 'Concat');
    if (t.dtype !== first.dtype) throw new DTypeError(`Concat: input ${i} is ${t.dtype} but input 0 is ${first.dtype}`);
    if (t.rank !== rank || t.shape.some((d, k) => k !== axis && d !== first.shape[k])) {
      throw new ShapeError(`Concat: input ${i} ${formatShape(t.shape)} does not match input 0 ${formatShape(first.shape)} outside axis ${axis}`);
    }
    total += t.shape[axis];
  });
  const outShape = first.shape.slice();
  outShape[axis] = total;
  const outer = prod(first.shape, 0, axis);
  const inner = prod(first.shape, axis + 1);
  const outChunk = total * inner;
  const out = allocateData(first.dtype, outer * outChunk) as unknown as Store;
  let offset = 0;
  for (const t of inputs) {
    const chunk = t.shape[axis] * inner;
    const src = t.data as unknown as Store;
    if (outer === 1) out.set(src as never, offset);
    else for (let o = 0; o < outer; o++) out.set(src.subarray(o * chunk, (o + 1) * chunk) as never, o * outChunk + offset);
    offset += chunk;
  }
  return Tensor.from(first.dtype, outShape, out as never);
}

/** Split along `axis` into pieces of the given sizes. */
export function split(x: Tensor, axisAttr: number, sizes: readonly number[]): Tensor[] {
  requireUnpacked(x, 'Split');
  const axis = normalizeAxis(axisAttr, x.rank, 'Split axis');
  const sum = sizes.reduce((a, b) => a + b, 0);
  if (sum !== x.shape[axis] || sizes.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new ShapeError(`Split: sizes [${sizes.join(',')}] must be non-negative and sum to dim ${axis} of ${formatShape(x.shape)}`);
  }
  const outer = prod(x.shape, 0, axis);
  const inner = prod(x.shape, axis + 1);
  const inChunk = x.shape[axis] * inner;
  const src = x.data as unknown as Store;
  let offset = 0;
  return sizes.map((s) => {
    const shape = x.shape.slice();
    shape[axis] = s;
    const chunk = s * inner;
    const out = allocateData(x.dtype, outer * chunk) as unknown as Store;
    for (let o = 0; o < outer; o++) out.set(src.subarray(o * inChunk + offset, o * inChunk + offset + chunk) as never, o * chunk);
    offset += chunk;
    return Tensor.from(x.dtype, shape, out as never);
  });
}

/** Even split sizes: `n` parts, the last one smaller when the dim does not divide (opset 18 `num_outputs`). */
function evenSplit(dim: number, n: number): number[] {
  const part = Math.ceil(dim / n);
  return Array.from({ length: n }, (_, i) => Math.max(0, Math.min(part, dim - i * part)));
}

/** Gather along `axis` with (possibly negative) int32/int64 indices. */
export function gather(x: Tensor, indices: Tensor, axisAttr: number): Tensor {
  requireUnpacked(x, 'Gather');
  const axis = normalizeAxis(axisAttr, x.rank, 'Gather axis');
  const idx = readInts(indices, 'Gather indices');
  const dim = x.shape[axis];
  const outShape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
  const outer = prod(x.shape, 0, axis);
  const inner = prod(x.shape, axis + 1);
  const out = allocateData(x.dtype, outer * idx.length * inner) as unknown as Store;
  const src = x.data as unknown as Store;
  for (let j = 0; j < idx.length; j++) {
    let k = idx[j];
    if (k < -dim || k >= dim) throw new ValueError(`Gather: index ${k} at position ${j} is out of range for dim ${axis} of size ${dim}`);
    if (k < 0) k += dim;
    idx[j] = k;
  }
  if (inner === 1) {
    const o = out as unknown as { [i: number]: unknown };
    let w = 0;
    for (let a = 0; a < outer; a++) for (let j = 0; j < idx.length; j++) o[w++] = src[a * dim + idx[j]];
  } else {
    let w = 0;
    for (let a = 0; a < outer; a++) {
      for (let j = 0; j < idx.length; j++) {
        const at = (a * dim + idx[j]) * inner;
        out.set(src.subarray(at, at + inner) as never, w);
        w += inner;
      }
    }
  }
  return Tensor.from(x.dtype, outShape, out as never);
}

/** Expand: bidirectional broadcast of `x` to `shape`. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  requireUnpacked(x, 'Expand');
  const outShape = broadcastShapes(x.shape, shape);
  checkOutputSize(x.dtype, outShape, 'Expand output');
  const out = allocateData(x.dtype, prod(outShape));
  stridedCopy(x.data, 0, broadcastStrides(x.shape, outShape), outShape, out);
  return Tensor.from(x.dtype, outShape, out);
}

/** Tile: repeats `x` `repeats[i]` times along each axis. */
export function tile(x: Tensor, repeats: readonly number[]): Tensor {
  requireUnpacked(x, 'Tile');
  if (repeats.length !== x.rank) throw new ShapeError(`Tile: repeats has ${repeats.length} entries for input ${formatShape(x.shape)}`);
  const outShape = x.shape.map((d, i) => d * repeats[i]);
  checkOutputSize(x.dtype, outShape, 'Tile output');
  const maps = x.shape.map((d, i) => Int32Array.from({ length: outShape[i] }, (_, c) => c % d));
  return gatherByMaps(x, outShape, maps, undefined);
}

/** Copies `out[c] = x[map_0[c_0], …]` (entry −1 on any axis → `fill`). The engine of Tile and Pad. */
function gatherByMaps(x: Tensor, outShape: readonly number[], maps: readonly Int32Array[], fill: unknown): Tensor {
  const size = prod(outShape);
  const out = allocateData(x.dtype, size) as unknown as { [i: number]: unknown };
  const rank = outShape.length;
  const src = x.data as unknown as { [i: number]: unknown };
  if (size === 0) return Tensor.from(x.dtype, outShape, out as never);
  if (rank === 0) {
    out[0] = src[0];
    return Tensor.from(x.dtype, outShape, out as never);
  }
  const st = computeStrides(x.shape);
  const coord = new Array<number>(rank).fill(0);
  const inner = outShape[rank - 1];
  const lastMap = maps[rank - 1];
  for (let o = 0; o < size; o += inner) {
    let base = 0;
    let outside = false;
    for (let k = 0; k < rank - 1; k++) {
      const m = maps[k][coord[k]];
      if (m < 0) outside = true;
      base += m * st[k];
    }
    for (let i = 0; i < inner; i++) {
      const m = lastMap[i];
      out[o + i] = outside || m < 0 ? fill : src[base + m];
    }
    for (let k = rank - 2; k >= 0; k--) {
      if (++coord[k] < outShape[k]) break;
      coord[k] = 0;
    }
  }
  return Tensor.from(x.dtype, outShape, out as never);
}

/** Pad with ONNX modes: constant, reflect, edge, wrap. `pads` = all begins then all ends; negative pads crop. */
export function pad(x: Tensor, pads: readonly number[], mode: string, value: number | bigint, axes?: readonly number[]): Tensor {
  requireUnpacked(x, 'Pad');
  const rank = x.rank;
  const ax = axes ? axes.map((a) => normalizeAxis(a, rank, 'Pad axes')) : Array.from({ length: rank }, (_, i) => i);
  if (pads.length !== 2 * ax.length) throw new ShapeError(`Pad: pads has ${pads.length} entries, expected ${2 * ax.length} for input ${formatShape(x.shape)}`);
  const begin = new Array<number>(rank).fill(0);
  const end = new Array<number>(rank).fill(0);
  ax.forEach((a, i) => {
    begin[a] = pads[i];
    end[a] = pads[i + ax.length];
  });
  const outShape = x.shape.map((d, i) => d + begin[i] + end[i]);
  if (outShape.some((d) => d < 0)) throw new ShapeError(`Pad: pads [${pads.join(',')}] crop more than input ${formatShape(x.shape)} holds`);
  checkOutputSize(x.dtype, outShape, 'Pad output');
  const maps = x.shape.map((d, i) =>
    Int32Array.from({ length: outShape[i] }, (_, c) => {
      let s = c - begin[i];
      if (s >= 0 && s < d) return s;
      if (mode === 'constant' || d === 0) return -1;
      if (mode === 'edge') return s < 0 ? 0 : d - 1;
      if (mode === 'wrap') return ((s % d) + d) % d;
      // reflect (mirror without repeating the edge); period 2(d − 1)
      if (d === 1) return 0;
      const period = 2 * (d - 1);
      s = ((s % period) + period) % period;
      return s < d ? s : period - s;
    }),
  );
  const fill = x.dtype === 'int64' ? BigInt(value) : x.dtype === 'float16' ? 0 : Number(value);
  if (x.dtype === 'float16' && value !== 0) throw new DTypeError('Pad: a non-zero constant_value for float16 is not supported');
  return gatherByMaps(x, outShape, maps, fill);
}

function sliceOp(since: number): OpDefinition {
  return onnxOp(
    'Slice',
    since,
    (ctx) => {
      const options = ctx.backend ? { backend: ctx.backend } : undefined;
      if (since < 10) {
        const starts = ctx.attrs.ints('starts') ?? ctx.attrs.fail('attribute "starts" is required');
        const ends = ctx.attrs.ints('ends') ?? ctx.attrs.fail('attribute "ends" is required');
        const axes = ctx.attrs.ints('axes');
        return (inputs) => [sliceTensor(need(inputs, 0, 'data'), starts, ends, axes, undefined, options)];
      }
      return (inputs) => {
        const x = need(inputs, 0, 'data');
        const { starts, ends, axes, steps } = readSliceInputs(inputs);
        return [sliceTensor(x, starts, ends, axes, steps, options)];
      };
    },
    (ctx, inputs) => {
      const x = inputs[0];
      if (!x?.shape) return [{ dtype: x?.dtype }];
      const get = (i: number, attr: string): number[] | undefined =>
        since < 10 ? ctx.attrs.ints(attr)?.slice() : inputs[i]?.value ? readInts(inputs[i]!.value!, attr) : undefined;
      const starts = get(1, 'starts');
      const ends = get(2, 'ends');
      const axesKnown = since < 10 ? true : inputs[3] === undefined || inputs[3].value !== undefined;
      const stepsKnown = since < 10 ? true : inputs[4] === undefined || inputs[4].value !== undefined;
      if (!starts || !ends || !axesKnown || !stepsKnown) return [{ dtype: x.dtype, shape: x.shape.map(() => undefined) }];
      const rank = x.shape.length;
      const axes = (get(3, 'axes') ?? starts.map((_, i) => i)).map((a) => (a < 0 ? a + rank : a));
      const steps = get(4, 'steps') ?? starts.map(() => 1);
      const out: Dim[] = x.shape.slice();
      axes.forEach((a, i) => {
        const dim = x.shape![a];
        if (typeof dim !== 'number') {
          out[a] = starts[i] === 0 && ends[i] >= Number.MAX_SAFE_INTEGER && steps[i] === 1 ? dim : undefined;
          return;
        }
        out[a] = resolveSliceRange(dim, starts[i], ends[i], steps[i]).count;
      });
      return [{ dtype: x.dtype, shape: out }];
    },
  );
}

function splitSizes(ctx: OpBuildContext, x: Tensor, axis: number, attrSplit: readonly number[] | undefined, splitInput: Tensor | undefined): number[] {
  const n = ctx.node.outputs.length;
  const dim = x.shape[normalizeAxis(axis, x.rank, 'Split axis')];
  const given = splitInput ? readInts(splitInput, 'input split') : attrSplit?.slice();
  if (given) {
    if (given.length !== n) throw new ShapeError(`Split: split has ${given.length} sizes but the node has ${n} outputs`);
    return given;
  }
  const num = ctx.attrs.int('num_outputs') ?? n;
  if (ctx.opset < 18 && dim % num !== 0) throw new ShapeError(`Split: dim ${axis} (${dim}) does not divide into ${num} equal parts`);
  return evenSplit(dim, num);
}

const splitInfer: ShapeInferrer = (ctx, inputs) => {
  const x = inputs[0];
  const n = ctx.node.outputs.length;
  const none = Array.from({ length: n }, () => ({ dtype: x?.dtype }));
  if (!x?.shape) return none;
  const rank = x.shape.length;
  const a = ctx.attrs.int('axis', 0);
  const axis = a < 0 ? a + rank : a;
  const dim = x.shape[axis];
  let sizes: number[] | undefined;
  if (ctx.opset >= 13 && inputs[1]?.value) sizes = readInts(inputs[1].value, 'split');
  else if (ctx.opset < 13 && ctx.attrs.ints('split')) sizes = ctx.attrs.ints('split')!.slice();
  else if (typeof dim === 'number' && !(ctx.opset >= 13 && inputs[1])) sizes = evenSplit(dim, ctx.attrs.int('num_outputs') ?? n);
  if (!sizes) return none;
  return sizes.map((s) => {
    const shape = x.shape!.slice();
    shape[axis] = s;
    return { dtype: x.dtype, shape };
  });
};

function padOp(since: number): OpDefinition {
  return onnxOp(
    'Pad',
    since,
    (ctx) => {
      const mode = ctx.attrs.string('mode', 'constant');
      if (!['constant', 'reflect', 'edge', 'wrap'].includes(mode)) throw new UnsupportedVariant(`mode "${mode}" is not supported`);
      if (since < 11) {
        const pads = ctx.attrs.ints('pads') ?? ctx.attrs.ints('paddings') ?? ctx.attrs.fail('attribute "pads" is required');
        const value = ctx.attrs.float('value', 0);
        return (inputs) => [pad(need(inputs, 0, 'data'), pads, mode, value)];
      }
      return (inputs) => {
        const x = need(inputs, 0, 'data');
        const pads = readInts(need(inputs, 1, 'pads'), 'input pads');
        let value: number | bigint = 0;
        if (inputs[2] && inputs[2].size > 0) value = inputs[2].data instanceof BigInt64Array ? inputs[2].data[0] : readScalar(inputs[2], 'constant_value');
        const axes = inputs[3] ? readInts(inputs[3], 'input axes') : undefined;
        return [pad(x, pads, mode, value, axes)];
      };
    },
    (ctx, inputs) => {
      const x = inputs[0];
      if (!x?.shape) return [{ dtype: x?.dtype }];
      const pads = since < 11 ? ctx.attrs.ints('pads') : inputs[1]?.value ? readInts(inputs[1].value, 'pads') : undefined;
      if (!pads || (since >= 11 && inputs[3])) return [{ dtype: x.dtype, shape: x.shape.map(() => undefined) }];
      const r = x.shape.length;
      return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (typeof d === 'number' ? d + pads[i] + pads[i + r] : pads[i] + pads[i + r] === 0 ? d : undefined)) }];
    },
  );
}

/** All data-movement op definitions. */
export const dataMovementOps: readonly OpDefinition[] = [
  onnxOp(
    'Transpose',
    1,
    (ctx) => {
      const perm = ctx.attrs.ints('perm');
      const options = ctx.backend ? { backend: ctx.backend } : undefined;
      return (inputs) => [transposeTensor(need(inputs, 0, 'data'), perm, options)];
    },
    (ctx, inputs) => {
      const x = inputs[0];
      if (!x?.shape) return [{ dtype: x?.dtype }];
      const perm = ctx.attrs.ints('perm') ?? x.shape.map((_, i) => x.shape!.length - 1 - i);
      return [{ dtype: x.dtype, shape: perm.map((p) => x.shape![p]) }];
    },
  ),
  onnxOp(
    'Concat',
    4,
    (ctx) => {
      const axis = ctx.attrs.int('axis') ?? ctx.attrs.fail('attribute "axis" is required');
      return (inputs) => [concat(inputs.filter((t): t is Tensor => t !== undefined), axis)];
    },
    (ctx, inputs) => {
      const present = inputs.filter((v) => v !== undefined);
      const first = present[0];
      if (!first?.shape || present.some((v) => !v!.shape)) return [{ dtype: first?.dtype }];
      const rank = first.shape.length;
      const a = ctx.attrs.int('axis', 0);
      const axis = a < 0 ? a + rank : a;
      const out = first.shape.slice();
      let total: number | undefined = 0;
      for (const v of present) {
        const d = v!.shape![axis];
        total = typeof d === 'number' && total !== undefined ? total + d : undefined;
      }
      out[axis] = total;
      for (let k = 0; k < rank; k++) {
        if (k !== axis && typeof out[k] !== 'number') {
          const known = present.map((v) => v!.shape![k]).find((d) => typeof d === 'number');
          if (known !== undefined) out[k] = known;
        }
      }
      return [{ dtype: first.dtype, shape: out }];
    },
  ),
  ...[2, 13].map((since) =>
    onnxOp(
      'Split',
      since,
      (ctx) => {
        const axis = ctx.attrs.int('axis', 0);
        const attrSplit = since < 13 ? ctx.attrs.ints('split') : undefined;
        return (inputs) => {
          const x = need(inputs, 0, 'input');
          return split(x, axis, splitSizes(ctx, x, axis, attrSplit, since >= 13 ? inputs[1] : undefined));
        };
      },
      splitInfer,
    ),
  ),
  sliceOp(1),
  sliceOp(10),
  onnxOp(
    'Gather',
    1,
    (ctx) => {
      const axis = ctx.attrs.int('axis', 0);
      return (inputs) => [gather(need(inputs, 0, 'data'), need(inputs, 1, 'indices'), axis)];
    },
    (ctx, inputs) => {
      const [x, idx] = inputs;
      if (!x?.shape || !idx?.shape) return [{ dtype: x?.dtype }];
      const a = ctx.attrs.int('axis', 0);
      const axis = a < 0 ? a + x.shape.length : a;
      return [{ dtype: x.dtype, shape: [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)] }];
    },
  ),
  onnxOp(
    'Expand',
    8,
    () => (inputs) => [expand(need(inputs, 0, 'input'), readInts(need(inputs, 1, 'shape'), 'input shape'))],
    (_ctx, inputs) => {
      const [x, s] = inputs;
      const target = s?.value ? readInts(s.value, 'shape') : s?.dims;
      if (!target) return [{ dtype: x?.dtype }];
      return [{ dtype: x?.dtype, shape: broadcastDims(x?.shape, target) }];
    },
  ),
  onnxOp(
    'Tile',
    6,
    () => (inputs) => [tile(need(inputs, 0, 'input'), readInts(need(inputs, 1, 'repeats'), 'input repeats'))],
    (_ctx, inputs) => {
      const [x, r] = inputs;
      if (!x?.shape || !r?.value) return [{ dtype: x?.dtype }];
      const reps = readInts(r.value, 'repeats');
      return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (typeof d === 'number' ? d * reps[i] : reps[i] === 1 ? d : undefined)) }];
    },
  ),
  padOp(2),
  padOp(11),
];
