// LpPool: `(Σ |x|^p)^(1/p)` over each window (padding counts as zeros), any number of spatial dims.
import { DTypeError, ShapeError, formatShape, type Tensor } from '@qint/tensor';
import type { Dim } from '../ir';
import { onnxOp } from './define-op';
import type { OpDefinition, ShapeInferrer } from './op-definition';
import { readAutoPad, windowGeometry, type WindowAttributes } from './pool-geometry';
import { fromFloats, need, prod } from './tensor-utils';

/**
 * LpPool over N-D windows of a [N, C, D1, …] float tensor.
 * @throws {@link ShapeError} when the window does not fit; {@link DTypeError} for non-float inputs
 */
export function lpPool(x: Tensor, p: number, attrs: WindowAttributes, label: string): Tensor {
  if (x.dtype !== 'float32' && x.dtype !== 'float16' && x.dtype !== 'float64') throw new DTypeError(`${label}: input X must be float32, float16 or float64, got ${x.dtype}`);
  if (x.rank < 3) throw new ShapeError(`${label}: input X must be [N, C, D1, …], got ${formatShape(x.shape)}`);
  const spatial = x.shape.slice(2);
  const g = windowGeometry(spatial, attrs);
  const r = spatial.length;
  const planes = x.shape[0] * x.shape[1];
  const inPlane = prod(spatial);
  const outPlane = prod(g.outSize);
  const v = x.values();
  const out = new Float64Array(planes * outPlane);
  const inStrides = new Array<number>(r);
  for (let d = r - 1, s = 1; d >= 0; d--) {
    inStrides[d] = s;
    s *= spatial[d];
  }
  const taps = prod(g.kernel);
  // Per output position: the window's first coordinate; per tap: its offset in kernel units.
  const kCoord = new Array<number>(r).fill(0);
  const oCoord = new Array<number>(r).fill(0);
  for (let o = 0; o < outPlane; o++) {
    const start = oCoord.map((c, d) => c * g.strides[d] - g.padsBegin[d]);
    const offsets: number[] = [];
    kCoord.fill(0);
    for (let t = 0; t < taps; t++) {
      let off = 0;
      let inside = true;
      for (let d = 0; d < r; d++) {
        const pos = start[d] + kCoord[d] * g.dilations[d];
        if (pos < 0 || pos >= spatial[d]) {
          inside = false;
          break;
        }
        off += pos * inStrides[d];
      }
      if (inside) offsets.push(off);
      for (let d = r - 1; d >= 0; d--) {
        if (++kCoord[d] < g.kernel[d]) break;
        kCoord[d] = 0;
      }
    }
    for (let pl = 0; pl < planes; pl++) {
      const base = pl * inPlane;
      let acc = 0;
      for (const off of offsets) acc += Math.abs(v[base + off]) ** p;
      out[pl * outPlane + o] = acc ** (1 / p);
    }
    for (let d = r - 1; d >= 0; d--) {
      if (++oCoord[d] < g.outSize[d]) break;
      oCoord[d] = 0;
    }
  }
  return fromFloats(x.dtype, [x.shape[0], x.shape[1], ...g.outSize], out);
}

function readWindow(a: Parameters<typeof readAutoPad>[0], opset: number): WindowAttributes {
  const kernel = a.ints('kernel_shape') ?? a.fail('attribute "kernel_shape" is required');
  return {
    kernel,
    strides: a.ints('strides'),
    dilations: opset >= 18 ? a.ints('dilations') : undefined,
    pads: a.ints('pads'),
    autoPad: readAutoPad(a),
    ceilMode: opset >= 18 && a.int('ceil_mode', 0) === 1,
  };
}

const lpPoolInfer: ShapeInferrer = (ctx, inputs) => {
  const x = inputs[0];
  if (!x?.shape || x.shape.slice(2).some((d) => typeof d !== 'number')) return [{ dtype: x?.dtype }];
  try {
    const g = windowGeometry(x.shape.slice(2) as number[], readWindow(ctx.attrs, ctx.opset));
    return [{ dtype: x.dtype, shape: [x.shape[0], x.shape[1], ...g.outSize] as Dim[] }];
  } catch {
    return [{ dtype: x.dtype }];
  }
};

/** LpPool (opset 2; dilations and ceil_mode from 18). */
export const lpPoolOps: readonly OpDefinition[] = [
  onnxOp(
    'LpPool',
    2,
    (ctx) => {
      const window = readWindow(ctx.attrs, ctx.opset);
      const p = ctx.attrs.int('p', 2);
      if (p < 1) ctx.attrs.fail(`attribute "p" must be ≥ 1, got ${p}`);
      return (inputs) => [lpPool(need(inputs, 0, 'X'), p, window, ctx.label)];
    },
    lpPoolInfer,
  ),
];
