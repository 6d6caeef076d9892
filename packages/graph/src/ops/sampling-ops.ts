// Spatial resampling and folding ops: GridSample (N-D; nearest, linear, cubic; zeros, border, reflection padding),
// AffineGrid, Col2Im and MaxUnpool. Computed in float64, rounded once to the input's float dtype.
import { DTypeError, ShapeError, Tensor, ValueError, dtypeInfo, formatShape } from '@qint/tensor';
import type { Dim } from '../ir';
import { onnxOp } from './define-op';
import type { OpDefinition } from './op-definition';
import { fromFloats, need, prod, readInts } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';

function requireFloat(x: Tensor, op: string, what: string): void {
  if (!dtypeInfo(x.dtype).isFloat) throw new DTypeError(`${op}: input ${what} must be a float tensor, got ${x.dtype}`);
}

/** GridSample options (ONNX names, opset 20 spellings: linear/cubic; opset 16's bilinear/bicubic are mapped). */
export interface GridSampleOptions {
  readonly mode: 'nearest' | 'linear' | 'cubic';
  readonly paddingMode: 'zeros' | 'border' | 'reflection';
  readonly alignCorners: boolean;
}

/** Reflects `x` into `[lo, hi]` by folding at the borders as often as needed. */
function reflect(x: number, lo: number, hi: number): number {
  const range = hi - lo;
  if (range <= 0) return lo;
  if (x < lo) {
    const dx = lo - x;
    const n = Math.trunc(dx / range);
    const r = dx - n * range;
    return n % 2 === 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const dx = x - hi;
    const n = Math.trunc(dx / range);
    const r = dx - n * range;
    return n % 2 === 0 ? hi - r : lo + r;
  }
  return x;
}

/** Keys' cubic convolution weights (a = −0.75) for the taps at −1, 0, 1, 2 around a fraction t. */
function cubicWeights(t: number, out: Float64Array): void {
  const a = -0.75;
  const w = (d: number): number => {
    const x = Math.abs(d);
    if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
    if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    return 0;
  };
  out[0] = w(t + 1);
  out[1] = w(t);
  out[2] = w(1 - t);
  out[3] = w(2 - t);
}

const halfEven = (v: number): number => {
  const r = Math.round(v);
  return Math.abs(v - Math.trunc(v)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

/**
 * GridSample: samples `x` `[N, C, D1…Dr]` at the normalized points of `grid` `[N, H1…Hr, r]` (the last grid dim
 * lists coordinates in reverse dim order: x first, as PyTorch's grid_sample).
 * @returns `[N, C, H1…Hr]`
 * @throws {@link ShapeError} when the grid does not fit x
 */
export function gridSample(x: Tensor, grid: Tensor, o: GridSampleOptions): Tensor {
  requireFloat(x, 'GridSample', 'X');
  requireFloat(grid, 'GridSample', 'grid');
  const r = x.rank - 2;
  if (r < 1 || grid.rank !== r + 2 || grid.shape[0] !== x.shape[0] || grid.shape[r + 1] !== r) {
    throw new ShapeError(`GridSample: grid ${formatShape(grid.shape)} must be [N, …${r} dims, ${r}] for X ${formatShape(x.shape)}`);
  }
  const [n, c] = x.shape;
  const dims = x.shape.slice(2);
  const outSpatial = grid.shape.slice(1, r + 1);
  const points = prod(outSpatial);
  const plane = prod(dims);
  const xs = x.values();
  const gs = grid.values();
  const out = new Float64Array(n * c * points);
  const lo = dims.map(() => (o.alignCorners ? 0 : -0.5));
  const hi = dims.map((d) => (o.alignCorners ? d - 1 : d - 0.5));
  const taps = o.mode === 'nearest' ? 1 : o.mode === 'linear' ? 2 : 4;
  const idx = dims.map(() => new Int32Array(taps));
  const wts = dims.map(() => new Float64Array(taps));
  const cw = new Float64Array(4);
  const strides = dims.map((_, i) => prod(dims, i + 1));
  const round = halfEven;
  const tap = new Array<number>(r).fill(0);
  for (let b = 0; b < n; b++) {
    for (let p = 0; p < points; p++) {
      for (let i = 0; i < r; i++) {
        const g = gs[(b * points + p) * r + (r - 1 - i)];
        const d = dims[i];
        let v = o.alignCorners ? ((g + 1) / 2) * (d - 1) : ((g + 1) * d - 1) / 2;
        if (o.mode === 'nearest') v = round(v);
        // Cubic reads each tap with the padding rule instead of moving the point (as PyTorch and onnxruntime do).
        if (o.mode !== 'cubic' && (v < lo[i] || v > hi[i])) {
          if (o.paddingMode === 'border') v = Math.min(Math.max(v, 0), d - 1);
          else if (o.paddingMode === 'reflection') v = reflect(v, lo[i], hi[i]);
        }
        // Taps: integer positions and weights; an index of −1 marks a zero read.
        const base = o.mode === 'nearest' ? Math.trunc(v) : o.mode === 'linear' ? Math.floor(v) : Math.floor(v) - 1;
        if (o.mode === 'linear') {
          const t = v - Math.floor(v);
          wts[i][0] = 1 - t;
          wts[i][1] = t;
        } else if (o.mode === 'cubic') {
          cubicWeights(v - Math.floor(v), cw);
          wts[i].set(cw);
        } else wts[i][0] = 1;
        for (let t = 0; t < taps; t++) {
          let k = base + t;
          if (k < 0 || k >= d) {
            if (o.paddingMode === 'zeros') k = -1;
            else if (o.paddingMode === 'border') k = Math.min(Math.max(k, 0), d - 1);
            else k = Math.trunc(reflect(k, lo[i], hi[i]));
          }
          idx[i][t] = k;
        }
      }
      for (let ch = 0; ch < c; ch++) {
        const src = (b * c + ch) * plane;
        let acc = 0;
        tap.fill(0);
        for (;;) {
          let w = 1;
          let at = src;
          for (let i = 0; i < r; i++) {
            const k = idx[i][tap[i]];
            if (k < 0) {
              w = 0;
              break;
            }
            w *= wts[i][tap[i]];
            at += k * strides[i];
          }
          if (w !== 0) acc += w * xs[at];
          let d = r - 1;
          while (d >= 0 && ++tap[d] === taps) tap[d--] = 0;
          if (d < 0) break;
        }
        out[(b * c + ch) * points + p] = acc;
      }
    }
  }
  return fromFloats(x.dtype, [n, c, ...outSpatial], out);
}

/**
 * AffineGrid: the sampling grid of an affine transform `theta` (`[N, 2, 3]` or `[N, 3, 4]`) for an output of `size`
 * (`[N, C, H, W]` or `[N, C, D, H, W]`), as GridSample takes it.
 * @returns `[N, H, W, 2]` or `[N, D, H, W, 3]`
 */
export function affineGrid(theta: Tensor, size: readonly number[], alignCorners: boolean): Tensor {
  requireFloat(theta, 'AffineGrid', 'theta');
  const r = size.length - 2;
  if ((r !== 2 && r !== 3) || theta.rank !== 3 || theta.shape[0] !== size[0] || theta.shape[1] !== r || theta.shape[2] !== r + 1) {
    throw new ShapeError(`AffineGrid: theta ${formatShape(theta.shape)} and size [${size.join(', ')}] must be [N, 2, 3] with 4 sizes or [N, 3, 4] with 5`);
  }
  const n = size[0];
  const spatial = size.slice(2); // D, H, W (or H, W)
  const points = prod(spatial);
  const th = theta.values();
  const out = new Float64Array(n * points * r);
  const base = (i: number, d: number): number => (alignCorners ? (d === 1 ? 0 : -1 + (2 * i) / (d - 1)) : (2 * i + 1) / d - 1);
  const coord = new Array<number>(r).fill(0);
  const h = new Array<number>(r + 1).fill(1);
  for (let b = 0; b < n; b++) {
    coord.fill(0);
    for (let p = 0; p < points; p++) {
      // Homogeneous point (x, y[, z], 1): x runs over the last dim.
      for (let i = 0; i < r; i++) h[i] = base(coord[r - 1 - i], spatial[r - 1 - i]);
      for (let row = 0; row < r; row++) {
        let acc = 0;
        for (let k = 0; k <= r; k++) acc += th[(b * r + row) * (r + 1) + k] * h[k];
        out[(b * points + p) * r + row] = acc;
      }
      for (let d = r - 1; d >= 0; d--) {
        if (++coord[d] < spatial[d]) break;
        coord[d] = 0;
      }
    }
  }
  return fromFloats(theta.dtype, [n, ...spatial, r], out);
}

/** Col2Im geometry. */
export interface Col2ImOptions {
  readonly dilations?: readonly number[];
  readonly pads?: readonly number[];
  readonly strides?: readonly number[];
}

/**
 * Col2Im: sums the columns of `x` `[N, C·∏block, L]` back into an image `[N, C, …imageShape]` (the inverse
 * rearrangement of im2col; overlapping entries add).
 * @throws {@link ShapeError} when L or the channel count do not fit the geometry
 */
export function col2Im(x: Tensor, imageShape: readonly number[], blockShape: readonly number[], o: Col2ImOptions): Tensor {
  requireFloat(x, 'Col2Im', 'input');
  const r = imageShape.length;
  if (blockShape.length !== r || x.rank !== 3) throw new ShapeError(`Col2Im: input ${formatShape(x.shape)} must be 3-D and block_shape [${blockShape.join(', ')}] of rank ${r}`);
  const dil = o.dilations ?? new Array<number>(r).fill(1);
  const pads = o.pads ?? new Array<number>(2 * r).fill(0);
  const str = o.strides ?? new Array<number>(r).fill(1);
  const blocks = prod(blockShape);
  const [n, cb, l] = x.shape;
  if (cb % blocks !== 0) throw new ShapeError(`Col2Im: input dim 1 (${cb}) is not a multiple of the block size ${blocks}`);
  const c = cb / blocks;
  const grid = imageShape.map((d, i) => Math.floor((d + pads[i] + pads[i + r] - dil[i] * (blockShape[i] - 1) - 1) / str[i]) + 1);
  if (prod(grid) !== l) throw new ShapeError(`Col2Im: input dim 2 (${l}) must be the number of blocks ${prod(grid)} (${grid.join('×')})`);
  const v = x.values();
  const plane = prod(imageShape);
  const out = new Float64Array(n * c * plane);
  const bc = new Array<number>(r).fill(0);
  const gc = new Array<number>(r).fill(0);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let k = 0; k < blocks; k++) {
        let rem = k;
        for (let i = r - 1; i >= 0; i--) {
          bc[i] = rem % blockShape[i];
          rem = Math.floor(rem / blockShape[i]);
        }
        const row = ((b * c + ch) * blocks + k) * l;
        for (let q = 0; q < l; q++) {
          let rq = q;
          for (let i = r - 1; i >= 0; i--) {
            gc[i] = rq % grid[i];
            rq = Math.floor(rq / grid[i]);
          }
          let at = 0;
          let inside = true;
          for (let i = 0; i < r; i++) {
            const pos = gc[i] * str[i] - pads[i] + bc[i] * dil[i];
            if (pos < 0 || pos >= imageShape[i]) {
              inside = false;
              break;
            }
            at = at * imageShape[i] + pos;
          }
          if (inside) out[(b * c + ch) * plane + at] += v[row + q];
        }
      }
    }
  }
  return fromFloats(x.dtype, [n, c, ...imageShape], out);
}

/**
 * MaxUnpool: scatters the values of `x` to the flat positions `indices` (per batch and channel plane) of a zero
 * output, whose spatial shape is `outputShape` or, by default, `(in − 1)·stride + kernel − pads`.
 * @throws {@link ValueError} for an index outside the output plane
 */
export function maxUnpool(x: Tensor, indices: Tensor, kernel: readonly number[], pads: readonly number[], strides: readonly number[], outputShape?: readonly number[]): Tensor {
  const r = kernel.length;
  if (x.rank !== r + 2 || formatShape(indices.shape) !== formatShape(x.shape)) {
    throw new ShapeError(`MaxUnpool: X ${formatShape(x.shape)} and I ${formatShape(indices.shape)} must have one shape of rank ${r + 2}`);
  }
  const inferred = x.shape.slice(2).map((d, i) => (d - 1) * strides[i] + kernel[i] - pads[i] - pads[i + r]);
  const spatial = outputShape ? outputShape.slice(-r) : inferred;
  if (spatial.some((d, i) => d < inferred[i])) throw new ShapeError(`MaxUnpool: output_shape [${outputShape!.join(', ')}] is smaller than the pooled input's [${inferred.join(', ')}]`);
  const shape = [x.shape[0], x.shape[1], ...spatial];
  const planeIn = prod(x.shape, 2);
  const planeDefault = prod(inferred);
  const planeOut = prod(spatial);
  const idx = readInts(indices, 'MaxUnpool I');
  const out = Tensor.zeros(x.dtype, shape);
  const dst = out.data as { [i: number]: unknown };
  const src = x.data as unknown as { [i: number]: unknown };
  const planes = x.shape[0] * x.shape[1];
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < planeIn; i++) {
      // Indices are flat over the tensor MaxPool saw (the inferred shape); a larger output_shape keeps their coordinates.
      const k = idx[p * planeIn + i];
      let local = k - p * planeDefault;
      if (local < 0 || local >= planeDefault) throw new ValueError(`MaxUnpool: index ${k} is outside plane ${p} of the pooled input [${inferred.join(', ')}]`);
      let at = 0;
      let scale = 1;
      for (let d = r - 1; d >= 0; d--) {
        at += (local % inferred[d]) * scale;
        local = Math.floor(local / inferred[d]);
        scale *= spatial[d];
      }
      dst[p * planeOut + at] = src[p * planeIn + i];
    }
  }
  return out;
}

function gridSampleOptions(ctx: Parameters<OpDefinition['build']>[0]): GridSampleOptions {
  let mode = ctx.attrs.string('mode', ctx.opset >= 20 ? 'linear' : 'bilinear');
  if (mode === 'bilinear') mode = 'linear';
  if (mode === 'bicubic') mode = 'cubic';
  if (mode !== 'nearest' && mode !== 'linear' && mode !== 'cubic') throw new UnsupportedVariant(`mode "${mode}" is not supported`);
  const paddingMode = ctx.attrs.string('padding_mode', 'zeros');
  if (paddingMode !== 'zeros' && paddingMode !== 'border' && paddingMode !== 'reflection') throw new UnsupportedVariant(`padding_mode "${paddingMode}" is not supported`);
  return { mode, paddingMode, alignCorners: ctx.attrs.int('align_corners', 0) === 1 };
}

/** The resampling op definitions. */
export const samplingOps: readonly OpDefinition[] = [
  onnxOp(
    'GridSample',
    16,
    (ctx) => {
      const o = gridSampleOptions(ctx);
      return (inputs) => [gridSample(need(inputs, 0, 'X'), need(inputs, 1, 'grid'), o)];
    },
    (_ctx, [x, grid]) => [{ dtype: x?.dtype, shape: x?.shape && grid?.shape ? [x.shape[0], x.shape[1], ...grid.shape.slice(1, -1)] : undefined }],
  ),
  onnxOp(
    'AffineGrid',
    20,
    (ctx) => {
      const align = ctx.attrs.int('align_corners', 0) === 1;
      return (inputs) => [affineGrid(need(inputs, 0, 'theta'), readInts(need(inputs, 1, 'size'), 'AffineGrid size'), align)];
    },
    (_ctx, [theta, size]) => {
      const s = size?.value ? Array.from(size.value.values()) : undefined;
      return [{ dtype: theta?.dtype, shape: s ? [s[0], ...s.slice(2), s.length - 2] : undefined }];
    },
  ),
  onnxOp(
    'Col2Im',
    18,
    (ctx) => {
      const o: Col2ImOptions = { dilations: ctx.attrs.ints('dilations'), pads: ctx.attrs.ints('pads'), strides: ctx.attrs.ints('strides') };
      return (inputs) => [col2Im(need(inputs, 0, 'input'), readInts(need(inputs, 1, 'image_shape'), 'image_shape'), readInts(need(inputs, 2, 'block_shape'), 'block_shape'), o)];
    },
    (_ctx, [x, img, block]) => {
      const i = img?.value ? Array.from(img.value.values()) : undefined;
      const b = block?.value ? prod(Array.from(block.value.values())) : undefined;
      const c1 = x?.shape?.[1];
      const c: Dim = typeof c1 === 'number' && b ? c1 / b : undefined;
      return [{ dtype: x?.dtype, shape: i && x?.shape ? [x.shape[0], c, ...i] : undefined }];
    },
  ),
  onnxOp('MaxUnpool', 9, (ctx) => {
    const kernel = ctx.attrs.ints('kernel_shape') ?? ctx.attrs.fail('attribute "kernel_shape" is required');
    const r = kernel.length;
    const pads = ctx.attrs.ints('pads', new Array<number>(2 * r).fill(0));
    const strides = ctx.attrs.ints('strides', new Array<number>(r).fill(1));
    return (inputs) => [maxUnpool(need(inputs, 0, 'X'), need(inputs, 1, 'I'), kernel, pads, strides, inputs[2] ? readInts(inputs[2], 'output_shape') : undefined)];
  }),
];

