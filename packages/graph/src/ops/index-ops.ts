// DepthToSpace, SpaceToDepth, GatherElements, Trilu, CumSum — index rearrangements exporters emit for sub-pixel
// convolutions, causal masks and position ids.
import { DTypeError, ShapeError, Tensor, ValueError, allocateData, computeStrides, formatShape, normalizeAxis } from '@qint/tensor';
import { onnxOp } from './define-op';
import { sameAs } from './infer-helpers';
import type { OpDefinition } from './op-definition';
import { need, prod, readInts, readScalar, requireUnpacked } from './tensor-utils';

/** DepthToSpace (DCR or CRD) on NCHW. */
export function depthToSpace(x: Tensor, b: number, mode: string): Tensor {
  if (x.rank !== 4) throw new ShapeError(`input must be 4-D NCHW, got ${formatShape(x.shape)}`);
  const [n, c, h, w] = x.shape;
  if (c % (b * b) !== 0) throw new ShapeError(`channels ${c} are not divisible by blocksize² = ${b * b}`);
  const c2 = c / (b * b);
  const t =
    mode === 'CRD'
      ? x.reshape([n, c2, b, b, h, w]).transpose([0, 1, 4, 2, 5, 3])
      : x.reshape([n, b, b, c2, h, w]).transpose([0, 3, 4, 1, 5, 2]);
  return t.reshape([n, c2, h * b, w * b]);
}

/** SpaceToDepth on NCHW. */
export function spaceToDepth(x: Tensor, b: number): Tensor {
  if (x.rank !== 4) throw new ShapeError(`input must be 4-D NCHW, got ${formatShape(x.shape)}`);
  const [n, c, h, w] = x.shape;
  if (h % b !== 0 || w % b !== 0) throw new ShapeError(`spatial dims ${h}x${w} are not divisible by blocksize ${b}`);
  return x.reshape([n, c, h / b, b, w / b, b]).transpose([0, 3, 5, 1, 2, 4]).reshape([n, c * b * b, h / b, w / b]);
}

/** GatherElements: `out[i…] = data[i… with index[i…] at axis]`. */
export function gatherElements(data: Tensor, indices: Tensor, axisAttr: number): Tensor {
  requireUnpacked(data, 'GatherElements');
  const rank = data.rank;
  const axis = normalizeAxis(axisAttr, rank, 'axis');
  if (indices.rank !== rank) throw new ShapeError(`indices ${formatShape(indices.shape)} must have the rank of data ${formatShape(data.shape)}`);
  const idx = readInts(indices, 'indices');
  const ds = computeStrides(data.shape);
  const out = allocateData(data.dtype, indices.size) as unknown as { [i: number]: unknown };
  const src = data.data as unknown as { [i: number]: unknown };
  const coord = new Array<number>(rank).fill(0);
  const dim = data.shape[axis];
  for (let i = 0; i < idx.length; i++) {
    let k = idx[i];
    if (k < -dim || k >= dim) throw new ValueError(`index ${k} at position ${i} is out of range for axis ${axis} of size ${dim}`);
    if (k < 0) k += dim;
    let at = 0;
    for (let d = 0; d < rank; d++) at += (d === axis ? k : coord[d]) * ds[d];
    out[i] = src[at];
    for (let d = rank - 1; d >= 0; d--) {
      if (++coord[d] < indices.shape[d]) break;
      coord[d] = 0;
    }
  }
  return Tensor.from(data.dtype, indices.shape, out as never);
}

/** Trilu: keeps the upper (`j − i ≥ k`) or lower (`j − i ≤ k`) triangle of the last two dims; zeros elsewhere. */
export function trilu(x: Tensor, k: number, upper: boolean): Tensor {
  requireUnpacked(x, 'Trilu');
  if (x.rank < 2) throw new ShapeError(`input must have rank ≥ 2, got ${formatShape(x.shape)}`);
  const rows = x.shape[x.rank - 2];
  const cols = x.shape[x.rank - 1];
  const out = allocateData(x.dtype, x.size) as unknown as { [i: number]: unknown };
  const src = x.data as unknown as { [i: number]: unknown };
  const zero = x.dtype === 'int64' ? 0n : 0;
  for (let m = 0; m < x.size; m += rows * cols) {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const keep = upper ? j - i >= k : j - i <= k;
        out[m + i * cols + j] = keep ? src[m + i * cols + j] : zero;
      }
    }
  }
  return Tensor.from(x.dtype, x.shape, out as never);
}

/** CumSum along one axis, optionally exclusive and/or reversed. */
export function cumSum(x: Tensor, axisAttr: number, exclusive: boolean, reverse: boolean): Tensor {
  if (!['float32', 'float64', 'int32', 'int64', 'uint32', 'uint64'].includes(x.dtype)) {
    throw new DTypeError(`input must be float32, float64, int32, int64, uint32 or uint64, got ${x.dtype}`);
  }
  const axis = normalizeAxis(axisAttr, x.rank, 'axis');
  const outer = prod(x.shape, 0, axis);
  const dim = x.shape[axis];
  const inner = prod(x.shape, axis + 1);
  const big = x.dtype === 'int64' || x.dtype === 'uint64';
  const src = x.data as unknown as { [i: number]: number & bigint };
  const out = allocateData(x.dtype, x.size) as unknown as { [i: number]: number | bigint };
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc: number | bigint = big ? 0n : 0;
      for (let s = 0; s < dim; s++) {
        const k = reverse ? dim - 1 - s : s;
        const at = (o * dim + k) * inner + i;
        if (exclusive) {
          out[at] = acc;
          acc = big ? (acc as bigint) + src[at] : (acc as number) + src[at];
        } else {
          acc = big ? (acc as bigint) + src[at] : (acc as number) + src[at];
          out[at] = acc;
        }
      }
    }
  }
  return Tensor.from(x.dtype, x.shape, out as never);
}

/** All index-rearrangement op definitions. */
export const indexOps: readonly OpDefinition[] = [
  onnxOp(
    'DepthToSpace',
    1,
    (ctx) => {
      const b = ctx.attrs.int('blocksize') ?? ctx.attrs.fail('attribute "blocksize" is required');
      const mode = ctx.opset >= 11 ? ctx.attrs.string('mode', 'DCR') : 'DCR';
      if (mode !== 'DCR' && mode !== 'CRD') ctx.attrs.fail(`mode "${mode}" is not DCR or CRD`);
      return (inputs) => [depthToSpace(need(inputs, 0, 'input'), b, mode)];
    },
    (ctx, [x]) => {
      const b = ctx.attrs.int('blocksize', 1);
      const s = x?.shape;
      const mul = (d: number | string | undefined) => (typeof d === 'number' ? d * b : undefined);
      return [{ dtype: x?.dtype, shape: s && s.length === 4 ? [s[0], typeof s[1] === 'number' ? s[1] / (b * b) : undefined, mul(s[2]), mul(s[3])] : undefined }];
    },
  ),
  onnxOp('SpaceToDepth', 1, (ctx) => {
    const b = ctx.attrs.int('blocksize') ?? ctx.attrs.fail('attribute "blocksize" is required');
    return (inputs) => [spaceToDepth(need(inputs, 0, 'input'), b)];
  }),
  onnxOp(
    'GatherElements',
    11,
    (ctx) => {
      const axis = ctx.attrs.int('axis', 0);
      return (inputs) => [gatherElements(need(inputs, 0, 'data'), need(inputs, 1, 'indices'), axis)];
    },
    (_ctx, [x, idx]) => [{ dtype: x?.dtype, shape: idx?.shape }],
  ),
  onnxOp(
    'Trilu',
    14,
    (ctx) => {
      const upper = ctx.attrs.int('upper', 1) === 1;
      return (inputs) => [trilu(need(inputs, 0, 'input'), inputs[1] ? readScalar(inputs[1], 'input k') : 0, upper)];
    },
    sameAs(0),
  ),
  onnxOp(
    'CumSum',
    11,
    (ctx) => {
      const exclusive = ctx.attrs.int('exclusive', 0) === 1;
      const reverse = ctx.attrs.int('reverse', 0) === 1;
      return (inputs) => [cumSum(need(inputs, 0, 'x'), readScalar(need(inputs, 1, 'axis'), 'input axis'), exclusive, reverse)];
    },
    sameAs(0),
  ),
];
