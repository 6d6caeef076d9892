// MaxPool, AveragePool (1-D and 2-D windows here; 3-D and up in pool-nd.ts), GlobalAveragePool, GlobalMaxPool, LpNormalization-free.
import { DTypeError, ShapeError, Tensor, allocateData, formatShape, isPackedDType } from '@qint/tensor';
import type { Dim } from '../ir';
import { onnxOp } from './define-op';
import type { OpBuildContext, OpDefinition, ShapeInferrer } from './op-definition';
import { allocateF32 } from '../buffer-pool';
import { maxPoolF32 } from './max-pool-f32';
import { poolNd } from './pool-nd';
import { readAutoPad, windowGeometry, type WindowAttributes } from './pool-geometry';
import { need, prod } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';

type Indexable = { [i: number]: number; length: number };

/** Pooling attributes, parsed once per node. */
export interface PoolOptions extends WindowAttributes {
  readonly countIncludePad: boolean;
}

/** Spatial dims viewed as 2-D (a 1-D pool is a 2-D pool with height 1). */
function as2d(x: Tensor, what: string): { n: number; c: number; h: number; w: number } {
  if (x.rank !== 3 && x.rank !== 4) throw new ShapeError(`${what}: input must be [N,C,W] or [N,C,H,W], got ${formatShape(x.shape)}`);
  return x.rank === 3 ? { n: x.shape[0], c: x.shape[1], h: 1, w: x.shape[2] } : { n: x.shape[0], c: x.shape[1], h: x.shape[2], w: x.shape[3] };
}

function lift<T>(v: readonly T[] | undefined, one: T, rank: number): readonly T[] | undefined {
  if (!v || rank === 2) return v;
  return [one, ...v];
}

function lift2(o: PoolOptions, spatialRank: number): PoolOptions {
  if (spatialRank === 2) return o;
  return {
    ...o,
    kernel: [1, ...o.kernel],
    strides: lift(o.strides, 1, 1),
    dilations: lift(o.dilations, 1, 1),
    pads: o.pads ? [0, o.pads[0], 0, o.pads[1]] : undefined,
  };
}

/**
 * MaxPool (any numeric dtype) or AveragePool (float32) over 1-D or 2-D windows. Returns `[Y]` or, for MaxPool,
 * `[Y, Indices]` with row-major flat indices into X.
 */
export function pool2d(x: Tensor, kind: 'max' | 'avg', options: PoolOptions, withIndices = false): Tensor[] {
  const what = kind === 'max' ? 'MaxPool' : 'AveragePool';
  if (x.rank > 4 || options.kernel.length > 2) return poolNd(x, kind, options, withIndices, false);
  if (isPackedDType(x.dtype) || x.dtype === 'bool' || x.dtype === 'int64' || x.dtype === 'float16') throw new DTypeError(`${what}: ${x.dtype} inputs are not supported`);
  if (kind === 'avg' && x.dtype !== 'float32') throw new DTypeError(`${what}: input must be float32, got ${x.dtype}`);
  const { n, c, h, w } = as2d(x, what);
  const g = windowGeometry([h, w], lift2(options, x.rank - 2));
  const [kh, kw] = g.kernel;
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilations;
  const [pt, pl] = g.padsBegin;
  const [pb, pr] = g.padsEnd;
  const [oh, ow] = g.outSize;
  // Valid kernel taps per output row/column, computed once: the inner loops then need no bounds checks.
  const taps = (outLen: number, stride: number, padBegin: number, padEnd: number, k: number, d: number, len: number) => {
    const start = new Int32Array(outLen);
    const end = new Int32Array(outLen);
    const inPad = new Int32Array(outLen);
    for (let o = 0; o < outLen; o++) {
      const p0 = o * stride - padBegin;
      start[o] = p0 >= 0 ? 0 : Math.min(k, Math.ceil(-p0 / d));
      end[o] = Math.max(start[o], Math.min(k, Math.floor((len - 1 - p0) / d) + 1));
      let cnt = 0;
      for (let t = 0; t < k; t++) {
        const q = p0 + t * d;
        if (q >= -padBegin && q < len + padEnd) cnt++;
      }
      inPad[o] = cnt;
    }
    return { start, end, inPad };
  };
  const ty = taps(oh, sh, pt, pb, kh, dh, h);
  const tx = taps(ow, sw, pl, pr, kw, dw, w);
  const outShape = x.rank === 3 ? [n, c, ow] : [n, c, oh, ow];
  if (kind === 'max' && x.dtype === 'float32' && !withIndices) {
    const y = allocateF32(n * c * oh * ow);
    maxPoolF32(x.data as Float32Array, y, { planes: n * c, h, w, oh, ow, kh, kw, sh, sw, dh, dw, padTop: pt, padLeft: pl, rows: ty, cols: tx });
    return [Tensor.from('float32', outShape, y)];
  }
  const src = x.data as unknown as Indexable;
  const out = allocateData(x.dtype, n * c * oh * ow) as unknown as Indexable;
  const idx = withIndices ? new BigInt64Array(n * c * oh * ow) : undefined;
  let o = 0;
  for (let plane = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let y = 0; y < oh; y++) {
      const y0 = y * sh - pt;
      const kyS = ty.start[y];
      const kyE = ty.end[y];
      for (let xo = 0; xo < ow; xo++, o++) {
        const x0 = xo * sw - pl;
        const kxS = tx.start[xo];
        const kxE = tx.end[xo];
        if (kind === 'max') {
          let best = -Infinity;
          let at = -1;
          for (let ky = kyS; ky < kyE; ky++) {
            const row = base + (y0 + ky * dh) * w + x0;
            for (let kx = kxS; kx < kxE; kx++) {
              const v = src[row + kx * dw];
              if (v > best || v !== v || at < 0) {
                best = v;
                at = row + kx * dw;
              }
            }
          }
          out[o] = best;
          if (idx) idx[o] = BigInt(at);
        } else {
          let sum = 0;
          for (let ky = kyS; ky < kyE; ky++) {
            const row = base + (y0 + ky * dh) * w + x0;
            for (let kx = kxS; kx < kxE; kx++) sum += src[row + kx * dw];
          }
          // count_include_pad counts positions inside the declared padding, not a ceil-mode overhang past it.
          const count = options.countIncludePad ? ty.inPad[y] * tx.inPad[xo] : (kyE - kyS) * (kxE - kxS);
          out[o] = count > 0 ? sum / count : 0;
        }
      }
    }
  }
  const y = Tensor.from(x.dtype, outShape, out as never);
  return idx ? [y, Tensor.from('int64', outShape, idx)] : [y];
}

/** GlobalAveragePool / GlobalMaxPool: one value per (n, c) over all spatial dims. */
export function globalPool(x: Tensor, kind: 'max' | 'avg'): Tensor {
  if (x.dtype !== 'float32') throw new DTypeError(`Global${kind === 'max' ? 'Max' : 'Average'}Pool: input must be float32, got ${x.dtype}`);
  if (x.rank < 2) throw new ShapeError(`input must have rank ≥ 2, got ${formatShape(x.shape)}`);
  const planes = x.shape[0] * x.shape[1];
  const spatial = prod(x.shape, 2);
  const d = x.data as Float32Array;
  const out = new Float32Array(planes);
  for (let p = 0; p < planes; p++) {
    const base = p * spatial;
    if (kind === 'avg') {
      let s = 0;
      for (let j = 0; j < spatial; j++) s += d[base + j];
      out[p] = s / spatial;
    } else {
      let m = -Infinity;
      for (let j = 0; j < spatial; j++) if (d[base + j] > m) m = d[base + j];
      out[p] = m;
    }
  }
  return Tensor.from('float32', [x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)], out);
}

/** Parses pooling attributes (shared with the quantized pools). */
export function poolOptions(ctx: OpBuildContext, kind: 'max' | 'avg'): PoolOptions {
  const a = ctx.attrs;
  const kernel = a.ints('kernel_shape') ?? a.fail('attribute "kernel_shape" is required');
  if (kernel.length < 1) throw new UnsupportedVariant('an empty kernel_shape is not supported');
  const autoPad = readAutoPad(a);
  return {
    kernel,
    strides: a.ints('strides'),
    dilations: kind === 'max' || ctx.opset >= 19 ? a.ints('dilations') : undefined,
    pads: a.ints('pads'),
    autoPad,
    ceilMode: a.int('ceil_mode', 0) === 1,
    countIncludePad: a.int('count_include_pad', 0) === 1,
  };
}

const poolInfer =
  (kind: 'max' | 'avg'): ShapeInferrer =>
  (ctx, inputs) => {
    const x = inputs[0];
    if (!x?.shape) return [{ dtype: x?.dtype }, { dtype: 'int64' }];
    const o = poolOptions(ctx, kind);
    const spatial = x.shape.slice(2);
    let out: Dim[];
    if (spatial.every((d): d is number => typeof d === 'number')) {
      out = [...windowGeometry(spatial, o).outSize];
    } else out = spatial.map(() => undefined);
    const shape = [x.shape[0], x.shape[1], ...out];
    return [{ dtype: x.dtype, shape }, { dtype: 'int64', shape }];
  };

const globalInfer: ShapeInferrer = (_ctx, inputs) => {
  const x = inputs[0];
  return [{ dtype: x?.dtype, shape: x?.shape ? [x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)] : undefined }];
};

/** All pooling op definitions. */
export const poolOps: readonly OpDefinition[] = [
  onnxOp(
    'MaxPool',
    1,
    (ctx) => {
      const o = poolOptions(ctx, 'max');
      const withIndices = (ctx.node.outputs[1] ?? '') !== '';
      // storage_order = 1: Indices in column-major order, computed by the N-D loop.
      if (withIndices && ctx.attrs.int('storage_order', 0) !== 0) return (inputs) => poolNd(need(inputs, 0, 'X'), 'max', o, true, true);
      return (inputs) => pool2d(need(inputs, 0, 'X'), 'max', o, withIndices);
    },
    poolInfer('max'),
  ),
  onnxOp(
    'AveragePool',
    1,
    (ctx) => {
      const o = poolOptions(ctx, 'avg');
      return (inputs) => pool2d(need(inputs, 0, 'X'), 'avg', o);
    },
    poolInfer('avg'),
  ),
  onnxOp('GlobalAveragePool', 1, () => (inputs) => [globalPool(need(inputs, 0, 'X'), 'avg')], globalInfer),
  onnxOp('GlobalMaxPool', 1, () => (inputs) => [globalPool(need(inputs, 0, 'X'), 'max')], globalInfer),
];
