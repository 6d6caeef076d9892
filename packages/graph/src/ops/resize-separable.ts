// Resize by separable 1-D passes over every resized axis: cubic (cubic_coeff_a, exclude_outside), antialiased linear
// and cubic (the kernel widened by 1/scale when downsampling), and linear over any set of axes. resize-ops.ts keeps
// its fast nearest and bilinear paths and hands these cases here. Float64 inside, rounded once at the end.
import { DTypeError, Tensor, ValueError, dtypeInfo } from '@qint/tensor';
import { fromFloats, prod } from './tensor-utils';

/** Options of {@link resizeSeparable}. */
export interface SeparableResizeOptions {
  readonly mode: 'linear' | 'cubic';
  readonly coordinateTransformationMode: string;
  readonly cubicCoeffA: number;
  readonly excludeOutside: boolean;
  readonly antialias: boolean;
  readonly extrapolationValue: number;
}

/**
 * Input coordinate of output coordinate `x` (ONNX coordinate_transformation_mode). The lengths are the integer
 * output length, as onnxruntime and PyTorch use them (onnx's reference uses scale · inLen for align_corners, which
 * differs when that product is not an integer).
 */
function inputCoord(mode: string, x: number, scale: number, inLen: number, outLen: number, roi0: number, roi1: number): number {
  switch (mode) {
    case 'align_corners':
      return outLen === 1 ? 0 : (x * (inLen - 1)) / (outLen - 1);
    case 'asymmetric':
      return x / scale;
    case 'tf_half_pixel_for_nn':
      return (x + 0.5) / scale;
    case 'tf_crop_and_resize':
      return (outLen === 1 ? ((roi1 - roi0) * (inLen - 1)) / 2 : (x * (roi1 - roi0) * (inLen - 1)) / (outLen - 1)) + roi0 * (inLen - 1);
    case 'pytorch_half_pixel':
      return outLen === 1 ? 0 : (x + 0.5) / scale - 0.5;
    case 'half_pixel':
      return (x + 0.5) / scale - 0.5;
    case 'half_pixel_symmetric': {
      const offset = (inLen / 2) * (1 - outLen / (scale * inLen));
      return offset + (x + 0.5) / scale - 0.5;
    }
    default:
      throw new ValueError(`Resize: coordinate_transformation_mode "${mode}" is unknown`);
  }
}

function cubicKernel(a: number): (d: number) => number {
  return (d) => {
    const x = Math.abs(d);
    if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
    if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    return 0;
  };
}

const triangle = (d: number): number => Math.max(0, 1 - Math.abs(d));

/** Taps of one axis: for each output coordinate, `n` input indices (edge-clamped) and weights; NaN weight: extrapolate. */
function axisTaps(o: SeparableResizeOptions, inLen: number, outLen: number, scale: number, roi0: number, roi1: number): { n: number; idx: Int32Array; w: Float64Array } {
  const kernel = o.mode === 'cubic' ? cubicKernel(o.cubicCoeffA) : triangle;
  const support = o.mode === 'cubic' ? 2 : 1;
  const s = o.antialias ? Math.min(scale, 1) : 1;
  const start = Math.floor(-support / s) + 1;
  const taps = 2 - 2 * start;
  const idx = new Int32Array(outLen * taps);
  const w = new Float64Array(outLen * taps);
  for (let c = 0; c < outLen; c++) {
    const x = inputCoord(o.coordinateTransformationMode, c, scale, inLen, outLen, roi0, roi1);
    if (o.coordinateTransformationMode === 'tf_crop_and_resize' && (x < 0 || x > inLen - 1)) {
      w.fill(NaN, c * taps, (c + 1) * taps);
      continue;
    }
    // The reference takes the taps left of x: base = floor(x), or x − 1 when x is an integer (ratio in (0, 1]).
    const base = Number.isInteger(x) ? x - 1 : Math.floor(x);
    const ratio = x - base;
    let sum = 0;
    for (let t = 0; t < taps; t++) {
      const off = start + t;
      const k = base + off;
      let wt = kernel((off - ratio) * s);
      if (o.excludeOutside && (k < 0 || k >= inLen)) wt = 0;
      idx[c * taps + t] = Math.min(Math.max(k, 0), inLen - 1);
      w[c * taps + t] = wt;
      sum += wt;
    }
    if ((o.antialias || o.excludeOutside) && sum !== 0) for (let t = 0; t < taps; t++) w[c * taps + t] /= sum;
  }
  return { n: taps, idx, w };
}

/**
 * Resizes `x` to `outShape` with per-axis `scales`, one separable pass per axis that changes (or is cropped).
 * @param roi - `[starts…, ends…]` over all axes (tf_crop_and_resize)
 * @returns the resized tensor, in x's float dtype
 * @throws {@link DTypeError} for a non-float input
 */
export function resizeSeparable(x: Tensor, outShape: readonly number[], scales: readonly number[], roi: readonly number[] | undefined, o: SeparableResizeOptions): Tensor {
  if (!dtypeInfo(x.dtype).isFloat) throw new DTypeError(`Resize: ${o.mode} mode needs a float input, got ${x.dtype}`);
  const rank = x.rank;
  const crop = o.coordinateTransformationMode === 'tf_crop_and_resize';
  let shape = x.shape.slice();
  let data: Float64Array = Float64Array.from(x.values());
  for (let axis = 0; axis < rank; axis++) {
    const inLen = shape[axis];
    const outLen = outShape[axis];
    const roi0 = roi && roi.length === 2 * rank ? roi[axis] : 0;
    const roi1 = roi && roi.length === 2 * rank ? roi[axis + rank] : 1;
    if (inLen === outLen && scales[axis] === 1 && !(crop && (roi0 !== 0 || roi1 !== 1))) continue;
    const { n, idx, w } = axisTaps(o, inLen, outLen, scales[axis], roi0, roi1);
    const outer = prod(shape, 0, axis);
    const inner = prod(shape, axis + 1);
    const next = new Float64Array(outer * outLen * inner);
    for (let a = 0; a < outer; a++) {
      for (let c = 0; c < outLen; c++) {
        const dst = (a * outLen + c) * inner;
        if (Number.isNaN(w[c * n])) {
          next.fill(o.extrapolationValue, dst, dst + inner);
          continue;
        }
        for (let t = 0; t < n; t++) {
          const wt = w[c * n + t];
          if (wt === 0) continue;
          const src = (a * inLen + idx[c * n + t]) * inner;
          for (let i = 0; i < inner; i++) next[dst + i] += wt * data[src + i];
        }
      }
    }
    data = next;
    shape = shape.slice();
    shape[axis] = outLen;
  }
  return fromFloats(x.dtype, outShape, data);
}
