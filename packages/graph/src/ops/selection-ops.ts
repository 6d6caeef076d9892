// Ops that select elements by value: TopK, Unique, NonZero, Compress, NonMaxSuppression. All but TopK have output
// shapes that depend on the data: their shape inference leaves those dims unknown (undefined), and the session
// allocates their outputs at run time like any other.
import { DTypeError, ShapeError, Tensor, ValueError, float16ToFloat32Array, formatShape, normalizeAxis } from '@qint/tensor';
import type { Dim } from '../ir';
import { onnxOp } from './define-op';
import type { InferredValue, OpDefinition } from './op-definition';
import { need, prod, readFloats, readInts, readScalar, requireUnpacked } from './tensor-utils';

type Elements = { [i: number]: any; length: number };

/** Comparable element values: numbers (float16 decoded) or bigints (int64), compared with `<`. */
function keysOf(t: Tensor): Elements {
  return (t.dtype === 'float16' ? float16ToFloat32Array(t.data as Uint16Array) : t.data) as Elements;
}

function newLike(t: Tensor, n: number): Elements {
  return new (t.data.constructor as new (n: number) => Elements)(n);
}

function int64(shape: readonly number[], values: ArrayLike<number>): Tensor {
  return Tensor.from('int64', shape, BigInt64Array.from(Array.from(values), (v) => BigInt(v)));
}

/**
 * TopK: the `k` largest (or smallest) elements along `axis`, sorted, with their indices; equal values keep the
 * lower index first. NaN counts as larger than every number (as onnxruntime orders it).
 * @returns `[values, indices]`, indices int64
 * @throws {@link ValueError} when k is negative or larger than the axis
 */
export function topK(x: Tensor, k: number, axisAttr: number, largest: boolean): [Tensor, Tensor] {
  requireUnpacked(x, 'TopK');
  if (x.dtype === 'bool') throw new DTypeError('TopK: bool inputs are not supported');
  const axis = normalizeAxis(axisAttr, x.rank, 'axis');
  const dim = x.shape[axis];
  if (!Number.isInteger(k) || k < 0 || k > dim) throw new ValueError(`TopK: k = ${k} must be in [0, ${dim}] (the size of axis ${axis})`);
  const outer = prod(x.shape, 0, axis);
  const inner = prod(x.shape, axis + 1);
  const keys = keysOf(x);
  const raw = x.data as Elements;
  const vals = newLike(x, outer * k * inner);
  const idx = new BigInt64Array(outer * k * inner);
  const order = new Array<number>(dim);
  const nan = (v: any): boolean => typeof v === 'number' && v !== v;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * dim * inner + i;
      for (let j = 0; j < dim; j++) order[j] = j;
      order.sort((a, b) => {
        const va = keys[base + a * inner];
        const vb = keys[base + b * inner];
        const na = nan(va);
        const nb = nan(vb);
        if (na || nb) return na && nb ? a - b : (na ? -1 : 1) * (largest ? 1 : -1);
        if (va === vb) return a - b;
        return (va > vb ? -1 : 1) * (largest ? 1 : -1);
      });
      for (let j = 0; j < k; j++) {
        const at = (o * k + j) * inner + i;
        vals[at] = raw[base + order[j] * inner];
        idx[at] = BigInt(order[j]);
      }
    }
  }
  const shape = x.shape.slice();
  shape[axis] = k;
  return [Tensor.from(x.dtype, shape, vals as never), Tensor.from('int64', shape, idx)];
}

/**
 * Unique: the distinct elements (no axis: of the flattened input) or distinct slices along `axis`, sorted ascending
 * or in order of first occurrence, with the index of each one's first occurrence, the inverse map and the counts.
 * @returns `[Y, indices, inverse_indices, counts]` (the last three int64)
 */
export function unique(x: Tensor, axisAttr: number | undefined, sorted: boolean): [Tensor, Tensor, Tensor, Tensor] {
  requireUnpacked(x, 'Unique');
  const flat = axisAttr === undefined;
  const axis = flat ? 0 : normalizeAxis(axisAttr, x.rank, 'axis');
  const shape = flat ? [x.size] : x.shape.slice();
  const dim = shape[axis];
  const outer = prod(shape, 0, axis);
  const inner = prod(shape, axis + 1);
  const keys = keysOf(x);
  const raw = x.data as Elements;
  // Slice j of the axis is the elements (o, j, i) for all o, i.
  const sliceKey = (j: number, t: number): any => keys[(Math.floor(t / inner) * dim + j) * inner + (t % inner)];
  const width = outer * inner;
  const compare = (a: number, b: number): number => {
    for (let t = 0; t < width; t++) {
      const va = sliceKey(a, t);
      const vb = sliceKey(b, t);
      if (va < vb) return -1;
      if (va > vb) return 1;
    }
    return 0;
  };
  const firsts: number[] = [];
  const inverse = new Array<number>(dim);
  const counts: number[] = [];
  // Linear scan against the distinct slices found so far, keyed by a string of the slice for speed.
  const seen = new Map<string, number>();
  for (let j = 0; j < dim; j++) {
    let key = '';
    for (let t = 0; t < width; t++) key += `${String(sliceKey(j, t))},`;
    const u = seen.get(key);
    if (u === undefined) {
      seen.set(key, firsts.length);
      inverse[j] = firsts.length;
      firsts.push(j);
      counts.push(1);
    } else {
      inverse[j] = u;
      counts[u]++;
    }
  }
  let order = firsts.map((_, u) => u);
  if (sorted) order = order.sort((a, b) => compare(firsts[a], firsts[b]));
  const rank = new Array<number>(order.length);
  order.forEach((u, r) => (rank[u] = r));
  const n = order.length;
  const y = newLike(x, outer * n * inner);
  for (let o = 0; o < outer; o++) {
    for (let r = 0; r < n; r++) {
      const j = firsts[order[r]];
      for (let i = 0; i < inner; i++) y[(o * n + r) * inner + i] = raw[(o * dim + j) * inner + i];
    }
  }
  const yShape = shape.slice();
  yShape[axis] = n;
  return [
    Tensor.from(x.dtype, flat ? [n] : yShape, y as never),
    int64([n], order.map((u) => firsts[u])),
    int64([dim], inverse.map((u) => rank[u])),
    int64([n], order.map((u) => counts[u])),
  ];
}

/**
 * NonZero: the coordinates of the non-zero elements, one column per element in row-major order.
 * @returns an int64 tensor of shape `[rank, count]` (a scalar input counts as rank 1)
 */
export function nonZero(x: Tensor): Tensor {
  requireUnpacked(x, 'NonZero');
  const keys = keysOf(x);
  const shape = x.rank === 0 ? [1] : x.shape;
  const rank = shape.length;
  const hits: number[] = [];
  for (let i = 0; i < x.size; i++) if (keys[i] != 0) hits.push(i); // eslint-disable-line eqeqeq -- 0 and 0n alike
  const out = new BigInt64Array(rank * hits.length);
  for (let h = 0; h < hits.length; h++) {
    let rem = hits[h];
    for (let d = rank - 1; d >= 0; d--) {
      out[d * hits.length + h] = BigInt(rem % shape[d]);
      rem = Math.floor(rem / shape[d]);
    }
  }
  return Tensor.from('int64', [rank, hits.length], out);
}

/**
 * Compress: the slices along `axis` (no axis: the elements of the flattened input) whose condition is true; a
 * condition shorter than the axis selects only among the first ones.
 * @throws {@link ShapeError} when the condition is longer than the axis
 */
export function compress(x: Tensor, condition: Tensor, axisAttr: number | undefined): Tensor {
  requireUnpacked(x, 'Compress');
  if (condition.rank !== 1) throw new ShapeError(`Compress: condition must be 1-D, got ${formatShape(condition.shape)}`);
  const flat = axisAttr === undefined;
  const axis = flat ? 0 : normalizeAxis(axisAttr, x.rank, 'axis');
  const shape = flat ? [x.size] : x.shape.slice();
  const dim = shape[axis];
  const c = condition.values();
  if (c.length > dim) throw new ShapeError(`Compress: condition has ${c.length} entries, more than the ${dim} of axis ${axis}`);
  const keep: number[] = [];
  for (let j = 0; j < c.length; j++) if (c[j]) keep.push(j);
  const outer = prod(shape, 0, axis);
  const inner = prod(shape, axis + 1);
  const raw = x.data as Elements;
  const out = newLike(x, outer * keep.length * inner);
  let o = 0;
  for (let a = 0; a < outer; a++) for (const j of keep) for (let i = 0; i < inner; i++) out[o++] = raw[(a * dim + j) * inner + i];
  shape[axis] = keep.length;
  return Tensor.from(x.dtype, shape, out as never);
}

/** Options of {@link nonMaxSuppression}. */
export interface NmsOptions {
  /** Boxes are `[x_center, y_center, width, height]` (1) or two corners `[y1, x1, y2, x2]` in any order (0). */
  readonly centerPointBox: boolean;
  readonly maxOutputBoxesPerClass: number;
  readonly iouThreshold: number;
  /** Only boxes scoring above it are candidates; undefined: all. */
  readonly scoreThreshold?: number;
}

/**
 * NonMaxSuppression: per batch and class, boxes in decreasing score order (ties: lower index first), each kept
 * unless its IoU with an already kept box exceeds the threshold, at most `maxOutputBoxesPerClass` of them.
 * @param boxes - `[batch, boxes, 4]`
 * @param scores - `[batch, classes, boxes]`
 * @returns int64 `[selected, 3]` rows of (batch, class, box)
 * @throws {@link ShapeError} when the shapes do not fit
 */
export function nonMaxSuppression(boxes: Tensor, scores: Tensor, o: NmsOptions): Tensor {
  if (boxes.rank !== 3 || boxes.shape[2] !== 4 || scores.rank !== 3 || scores.shape[0] !== boxes.shape[0] || scores.shape[2] !== boxes.shape[1]) {
    throw new ShapeError(`NonMaxSuppression: boxes ${formatShape(boxes.shape)} must be [batch, n, 4] and scores ${formatShape(scores.shape)} [batch, classes, n]`);
  }
  const [batch, n] = boxes.shape;
  const classes = scores.shape[1];
  const b = readFloats(boxes);
  const s = readFloats(scores);
  const rows: number[] = [];
  if (o.maxOutputBoxesPerClass <= 0) return int64([0, 3], rows);
  // Corners (y1, x1, y2, x2) with y1 ≤ y2, x1 ≤ x2, per batch.
  const corners = new Float64Array(batch * n * 4);
  for (let i = 0; i < batch * n; i++) {
    const p = i * 4;
    let y1: number, x1: number, y2: number, x2: number;
    if (o.centerPointBox) {
      const [xc, yc, w, h] = [b[p], b[p + 1], b[p + 2], b[p + 3]];
      x1 = xc - w / 2;
      x2 = xc + w / 2;
      y1 = yc - h / 2;
      y2 = yc + h / 2;
    } else {
      y1 = Math.min(b[p], b[p + 2]);
      y2 = Math.max(b[p], b[p + 2]);
      x1 = Math.min(b[p + 1], b[p + 3]);
      x2 = Math.max(b[p + 1], b[p + 3]);
    }
    corners.set([y1, x1, y2, x2], p);
  }
  const iou = (i: number, j: number): number => {
    const a = i * 4;
    const c = j * 4;
    const areaI = (corners[a + 2] - corners[a]) * (corners[a + 3] - corners[a + 1]);
    const areaJ = (corners[c + 2] - corners[c]) * (corners[c + 3] - corners[c + 1]);
    if (areaI <= 0 || areaJ <= 0) return 0;
    const h = Math.min(corners[a + 2], corners[c + 2]) - Math.max(corners[a], corners[c]);
    const w = Math.min(corners[a + 3], corners[c + 3]) - Math.max(corners[a + 1], corners[c + 1]);
    if (h <= 0 || w <= 0) return 0;
    const inter = h * w;
    return inter / (areaI + areaJ - inter);
  };
  for (let bi = 0; bi < batch; bi++) {
    for (let ci = 0; ci < classes; ci++) {
      const base = (bi * classes + ci) * n;
      const cand: number[] = [];
      for (let j = 0; j < n; j++) if (o.scoreThreshold === undefined || s[base + j] > o.scoreThreshold) cand.push(j);
      cand.sort((p, q) => s[base + q] - s[base + p] || p - q);
      const kept: number[] = [];
      for (const j of cand) {
        if (kept.length >= o.maxOutputBoxesPerClass) break;
        if (kept.every((k) => iou(bi * n + k, bi * n + j) <= o.iouThreshold)) {
          kept.push(j);
          rows.push(bi, ci, j);
        }
      }
    }
  }
  return int64([rows.length / 3, 3], rows);
}

const int64Out = (shape: readonly Dim[] | undefined): InferredValue => ({ dtype: 'int64', shape });

/** The value-selection op definitions. */
export const selectionOps: readonly OpDefinition[] = [
  onnxOp(
    'TopK',
    1,
    (ctx) => {
      const axis = ctx.attrs.int('axis', -1);
      const largest = ctx.opset >= 11 ? ctx.attrs.int('largest', 1) === 1 : true;
      const kAttr = ctx.opset < 10 ? (ctx.attrs.int('k') ?? ctx.attrs.fail('attribute "k" is required')) : undefined;
      return (inputs) => topK(need(inputs, 0, 'X'), kAttr ?? readScalar(need(inputs, 1, 'K'), 'TopK input K'), axis, largest);
    },
    (ctx, [x, kIn]) => {
      const k = ctx.opset < 10 ? ctx.attrs.int('k') : kIn?.value && kIn.value.size === 1 ? kIn.value.values()[0] : undefined;
      let shape: Dim[] | undefined;
      if (x?.shape) {
        shape = x.shape.slice();
        const r = shape.length;
        const a = ctx.attrs.int('axis', -1);
        shape[a < 0 ? a + r : a] = k;
      }
      return [{ dtype: x?.dtype, shape }, int64Out(shape)];
    },
  ),
  onnxOp(
    'Unique',
    11,
    (ctx) => {
      const axis = ctx.attrs.int('axis');
      const sorted = ctx.attrs.int('sorted', 1) === 1;
      return (inputs) => unique(need(inputs, 0, 'X'), axis, sorted);
    },
    (ctx, [x]) => {
      const axis = ctx.attrs.int('axis');
      let y: Dim[] | undefined = [undefined];
      if (axis !== undefined) {
        y = x?.shape?.slice();
        if (y) y[axis < 0 ? axis + y.length : axis] = undefined;
      }
      return [{ dtype: x?.dtype, shape: y }, int64Out([undefined]), int64Out([axis === undefined ? undefined : x?.shape?.[axis < 0 ? axis + x.shape.length : axis]]), int64Out([undefined])];
    },
  ),
  onnxOp('NonZero', 9, () => (inputs) => [nonZero(need(inputs, 0, 'X'))], (_ctx, [x]) => [int64Out(x?.shape ? [Math.max(1, x.shape.length), undefined] : undefined)]),
  onnxOp(
    'Compress',
    9,
    (ctx) => {
      const axis = ctx.attrs.int('axis');
      return (inputs) => [compress(need(inputs, 0, 'input'), need(inputs, 1, 'condition'), axis)];
    },
    (ctx, [x]) => {
      const axis = ctx.attrs.int('axis');
      let shape: Dim[] | undefined = [undefined];
      if (axis !== undefined) {
        shape = x?.shape?.slice();
        if (shape) shape[axis < 0 ? axis + shape.length : axis] = undefined;
      }
      return [{ dtype: x?.dtype, shape }];
    },
  ),
  onnxOp(
    'NonMaxSuppression',
    10,
    (ctx) => {
      const centerPointBox = ctx.attrs.int('center_point_box', 0) === 1;
      return (inputs) => {
        const max = inputs[2] && inputs[2].size > 0 ? readInts(inputs[2], 'max_output_boxes_per_class')[0] : 0;
        const iouThreshold = inputs[3] && inputs[3].size > 0 ? readFloats(inputs[3])[0] : 0;
        const st = inputs[4] && inputs[4].size > 0 ? readFloats(inputs[4])[0] : undefined;
        return [
          nonMaxSuppression(need(inputs, 0, 'boxes'), need(inputs, 1, 'scores'), {
            centerPointBox,
            maxOutputBoxesPerClass: max,
            iouThreshold,
            ...(st === undefined ? {} : { scoreThreshold: st }),
          }),
        ];
      };
    },
    () => [int64Out([undefined, 3])],
  ),
];
