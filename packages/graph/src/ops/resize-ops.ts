// Resize (opsets 10, 11, 13, 18, 19) and Upsample (7, 9): nearest in any rank, linear over the last one or two dims.
import { DTypeError, ShapeError, Tensor, ValueError, allocateData, computeStrides, formatShape, isPackedDType } from '@qint/tensor';
import type { Dim } from '../ir';
import { onnxOp } from './define-op';
import type { OpBuildContext, OpDefinition, ShapeInferrer } from './op-definition';
import { resizeSeparable } from './resize-separable';
import { checkOutputSize, need, readFloats, readInts } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';

/** Resize settings parsed at load. */
export interface ResizeOptions {
  readonly mode: 'nearest' | 'linear' | 'cubic';
  /** Cubic only: the `a` of the cubic convolution kernel (ONNX cubic_coeff_a). */
  readonly cubicCoeffA?: number;
  readonly excludeOutside?: boolean;
  /** Linear and cubic: widen the kernel when downsampling (ONNX antialias = 1). */
  readonly antialias?: boolean;
  readonly coordinateTransformationMode: string;
  readonly nearestMode: string;
  readonly extrapolationValue: number;
  readonly keepAspectRatioPolicy: string;
  readonly axes?: readonly number[];
}

const COORD_MODES = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn', 'tf_crop_and_resize'];
const NEAREST_MODES = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];

/** Maps an output coordinate to the input coordinate along one axis (ONNX coordinate_transformation_mode). */
function sourceCoord(mode: string, x: number, scale: number, inLen: number, outLen: number, roiStart: number, roiEnd: number): number {
  switch (mode) {
    case 'half_pixel':
      return (x + 0.5) / scale - 0.5;
    case 'half_pixel_symmetric': {
      const adjustment = outLen / (scale * inLen);
      const center = inLen / 2;
      const offset = center * (1 - adjustment);
      return offset + (x + 0.5) / scale - 0.5;
    }
    case 'pytorch_half_pixel':
      return outLen > 1 ? (x + 0.5) / scale - 0.5 : 0;
    case 'align_corners':
      return outLen === 1 ? 0 : (x * (inLen - 1)) / (outLen - 1);
    case 'asymmetric':
      return x / scale;
    case 'tf_half_pixel_for_nn':
      return (x + 0.5) / scale;
    case 'tf_crop_and_resize':
      return outLen > 1
        ? roiStart * (inLen - 1) + (x * (roiEnd - roiStart) * (inLen - 1)) / (outLen - 1)
        : 0.5 * (roiStart + roiEnd) * (inLen - 1);
    default:
      throw new ValueError(`coordinate_transformation_mode "${mode}" is unknown`);
  }
}

function nearestIndex(mode: string, v: number): number {
  switch (mode) {
    case 'round_prefer_ceil':
      return Math.round(v);
    case 'floor':
      return Math.floor(v);
    case 'ceil':
      return Math.ceil(v);
    default:
      // round_prefer_floor: halves go down.
      return v === Math.floor(v) + 0.5 ? Math.floor(v) : Math.round(v);
  }
}

/**
 * Resizes `x` to `outShape` with per-axis `scales` (output/input ratio used by the coordinate transform).
 * `roi` is `[starts…, ends…]` over all axes (tf_crop_and_resize only).
 */
export function resize(x: Tensor, outShape: readonly number[], scales: readonly number[], roi: readonly number[] | undefined, o: ResizeOptions): Tensor {
  if (isPackedDType(x.dtype) || x.dtype === 'float16' || x.dtype === 'bool') throw new DTypeError(`Resize: ${x.dtype} inputs are not supported`);
  const rank = x.rank;
  checkOutputSize(x.dtype, outShape, 'Resize output');
  // Cubic, antialias and linear over more than the last two axes: separable passes (resize-separable.ts).
  if (o.mode === 'cubic' || (o.mode === 'linear' && (o.antialias || outShape.some((d, i) => i < rank - 2 && d !== x.shape[i])))) {
    return resizeSeparable(x, outShape, scales, roi, {
      mode: o.mode,
      coordinateTransformationMode: o.coordinateTransformationMode,
      cubicCoeffA: o.cubicCoeffA ?? -0.75,
      excludeOutside: o.excludeOutside ?? false,
      antialias: o.antialias ?? false,
      extrapolationValue: o.extrapolationValue,
    });
  }
  const size = outShape.reduce((a, b) => a * b, 1);
  const src = x.data as unknown as { [i: number]: number };
  const crop = o.coordinateTransformationMode === 'tf_crop_and_resize';
  const roiAt = (i: number, end: boolean): number => (roi && roi.length === 2 * rank ? roi[end ? i + rank : i] : end ? 1 : 0);
  if (o.mode === 'nearest') {
    // Per axis: the source index of each output coordinate (−1 → extrapolation value).
    const maps = outShape.map((len, i) =>
      Int32Array.from({ length: len }, (_, c) => {
        const inLen = x.shape[i];
        if (len === inLen && scales[i] === 1 && !crop) return c;
        const v = sourceCoord(o.coordinateTransformationMode, c, scales[i], inLen, len, roiAt(i, false), roiAt(i, true));
        if (crop && (v < 0 || v > inLen - 1)) return -1;
        const k = nearestIndex(o.nearestMode, v);
        return Math.min(Math.max(k, 0), inLen - 1);
      }),
    );
    const out = allocateData(x.dtype, size) as unknown as { [i: number]: number };
    const st = computeStrides(x.shape);
    const coord = new Array<number>(rank).fill(0);
    for (let j = 0; j < size; j++) {
      let at = 0;
      let outside = false;
      for (let k = 0; k < rank; k++) {
        const m = maps[k][coord[k]];
        if (m < 0) outside = true;
        at += m * st[k];
      }
      out[j] = outside ? o.extrapolationValue : src[at];
      for (let k = rank - 1; k >= 0; k--) {
        if (++coord[k] < outShape[k]) break;
        coord[k] = 0;
      }
    }
    return Tensor.from(x.dtype, outShape, out as never);
  }
  // Linear: only the last two axes may change size (bilinear), or the last one (linear).
  for (let i = 0; i < rank - 2; i++) {
    if (outShape[i] !== x.shape[i]) throw new ValueError(`Resize: linear mode resizes only the last two axes; axis ${i} changes ${x.shape[i]} → ${outShape[i]}`);
  }
  if (x.dtype !== 'float32') throw new DTypeError(`Resize: linear mode needs float32 input, got ${x.dtype}`);
  const H = rank >= 2 ? x.shape[rank - 2] : 1;
  const W = x.shape[rank - 1];
  const OH = rank >= 2 ? outShape[rank - 2] : 1;
  const OW = outShape[rank - 1];
  const axisTaps = (len: number, inLen: number, axis: number) => {
    const i0 = new Int32Array(len);
    const i1 = new Int32Array(len);
    const w1 = new Float64Array(len);
    const out = new Uint8Array(len);
    for (let c = 0; c < len; c++) {
      let v = axis < 0 ? 0 : sourceCoord(o.coordinateTransformationMode, c, scales[axis], inLen, len, roiAt(axis, false), roiAt(axis, true));
      if (crop && (v < 0 || v > inLen - 1)) out[c] = 1;
      v = Math.min(Math.max(v, 0), inLen - 1);
      const f = Math.floor(v);
      i0[c] = f;
      i1[c] = Math.min(f + 1, inLen - 1);
      w1[c] = v - f;
    }
    return { i0, i1, w1, out };
  };
  const ty = axisTaps(OH, H, rank >= 2 ? rank - 2 : -1);
  const tx = axisTaps(OW, W, rank - 1);
  const planes = size / (OH * OW);
  const d = x.data as Float32Array;
  const out = new Float32Array(size);
  let j = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * H * W;
    for (let y = 0; y < OH; y++) {
      const r0 = base + ty.i0[y] * W;
      const r1 = base + ty.i1[y] * W;
      const wy = ty.w1[y];
      for (let xo = 0; xo < OW; xo++, j++) {
        if (ty.out[y] || tx.out[xo]) {
          out[j] = o.extrapolationValue;
          continue;
        }
        const a = tx.i0[xo];
        const b = tx.i1[xo];
        const wx = tx.w1[xo];
        const top = d[r0 + a] + (d[r0 + b] - d[r0 + a]) * wx;
        const bottom = d[r1 + a] + (d[r1 + b] - d[r1 + a]) * wx;
        out[j] = top + (bottom - top) * wy;
      }
    }
  }
  return Tensor.from('float32', outShape, out);
}

function parseOptions(ctx: OpBuildContext, upsample: boolean): ResizeOptions {
  const a = ctx.attrs;
  const rawMode = a.string('mode', 'nearest');
  const mode = rawMode === 'bilinear' ? 'linear' : rawMode;
  if (mode !== 'nearest' && mode !== 'linear' && mode !== 'cubic') throw new UnsupportedVariant(`mode "${rawMode}" is not supported`);
  if (mode === 'cubic' && upsample) throw new UnsupportedVariant('Upsample mode "cubic" is not supported');
  // Opset-10 Resize and Upsample behave as asymmetric coordinates with floor rounding for nearest.
  const legacy = upsample || ctx.opset < 11;
  const coordinateTransformationMode = legacy ? 'asymmetric' : a.string('coordinate_transformation_mode', 'half_pixel');
  const nearestMode = legacy ? 'floor' : a.string('nearest_mode', 'round_prefer_floor');
  if (!COORD_MODES.includes(coordinateTransformationMode)) throw new UnsupportedVariant(`coordinate_transformation_mode "${coordinateTransformationMode}" is not supported`);
  if (!NEAREST_MODES.includes(nearestMode)) throw new UnsupportedVariant(`nearest_mode "${nearestMode}" is not supported`);
  const axes = a.ints('axes');
  return {
    mode,
    cubicCoeffA: a.float('cubic_coeff_a', -0.75),
    excludeOutside: a.int('exclude_outside', 0) === 1,
    antialias: a.int('antialias', 0) === 1 && mode !== 'nearest',
    coordinateTransformationMode,
    nearestMode,
    extrapolationValue: a.float('extrapolation_value', 0),
    keepAspectRatioPolicy: a.string('keep_aspect_ratio_policy', 'stretch'),
    ...(axes ? { axes } : {}),
  };
}

/** Output shape and effective scales from `scales` or `sizes` (with `axes` and `keep_aspect_ratio_policy`). */
export function resizeTarget(
  inShape: readonly number[],
  scalesIn: readonly number[] | undefined,
  sizesIn: readonly number[] | undefined,
  o: Pick<ResizeOptions, 'axes' | 'keepAspectRatioPolicy'>,
): { outShape: number[]; scales: number[] } {
  const rank = inShape.length;
  const axes = (o.axes ?? inShape.map((_, i) => i)).map((a) => (a < 0 ? a + rank : a));
  const scales = new Array<number>(rank).fill(1);
  const outShape = inShape.slice();
  if (sizesIn && sizesIn.length > 0) {
    if (sizesIn.length !== axes.length) throw new ShapeError(`Resize: sizes has ${sizesIn.length} entries for ${axes.length} axes of ${formatShape(inShape)}`);
    if (o.keepAspectRatioPolicy === 'stretch') {
      axes.forEach((a, i) => {
        outShape[a] = sizesIn[i];
        scales[a] = sizesIn[i] / inShape[a];
      });
    } else {
      const ratios = axes.map((a, i) => sizesIn[i] / inShape[a]);
      const s = o.keepAspectRatioPolicy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
      axes.forEach((a) => {
        scales[a] = s;
        outShape[a] = Math.round(inShape[a] * s);
      });
    }
  } else if (scalesIn && scalesIn.length > 0) {
    if (scalesIn.length !== axes.length) throw new ShapeError(`Resize: scales has ${scalesIn.length} entries for ${axes.length} axes of ${formatShape(inShape)}`);
    axes.forEach((a, i) => {
      if (!(scalesIn[i] > 0)) throw new ValueError(`Resize: scales[${i}] must be > 0, got ${scalesIn[i]}`);
      scales[a] = scalesIn[i];
      outShape[a] = Math.floor(inShape[a] * scalesIn[i]);
    });
  } else throw new ValueError('Resize: one of scales or sizes must be given');
  return { outShape, scales };
}

function resizeOp(since: number): OpDefinition {
  return onnxOp(
    'Resize',
    since,
    (ctx) => {
      const o = parseOptions(ctx, false);
      return (inputs) => {
        const x = need(inputs, 0, 'X');
        let scales: number[] | undefined;
        let sizes: number[] | undefined;
        let roi: number[] | undefined;
        if (since < 11) scales = Array.from(readFloats(need(inputs, 1, 'scales')));
        else {
          if (inputs[1] && inputs[1].size > 0) roi = Array.from(readFloats(inputs[1]));
          // An roi over `axes` only: spread it over all axes (the others keep [0, 1]).
          if (roi && o.axes && roi.length === 2 * o.axes.length && o.axes.length !== x.rank) {
            const full = [...new Array<number>(x.rank).fill(0), ...new Array<number>(x.rank).fill(1)];
            o.axes.forEach((ax, i) => {
              const a = ax < 0 ? ax + x.rank : ax;
              full[a] = roi![i];
              full[a + x.rank] = roi![i + o.axes!.length];
            });
            roi = full;
          }
          if (inputs[2] && inputs[2].size > 0) scales = Array.from(readFloats(inputs[2]));
          if (inputs[3] && inputs[3].size > 0) sizes = readInts(inputs[3], 'input sizes');
        }
        const t = resizeTarget(x.shape, scales, sizes, o);
        return [resize(x, t.outShape, t.scales, roi, o)];
      };
    },
    resizeInfer(since < 11 ? 1 : 2, since < 11 ? -1 : 3),
  );
}

function resizeInfer(scalesAt: number, sizesAt: number): ShapeInferrer {
  return (ctx, inputs) => {
    const x = inputs[0];
    if (!x?.shape) return [{ dtype: x?.dtype }];
    const axesAttr = ctx.attrs.ints('axes');
    const policy = ctx.attrs.string('keep_aspect_ratio_policy', 'stretch');
    const sizes = sizesAt >= 0 && inputs[sizesAt]?.value && inputs[sizesAt]!.value!.size > 0 ? readInts(inputs[sizesAt]!.value!, 'sizes') : undefined;
    const scalesV = scalesAt >= 0 && inputs[scalesAt]?.value && inputs[scalesAt]!.value!.size > 0 ? Array.from(readFloats(inputs[scalesAt]!.value!)) : undefined;
    const scales = scalesAt === -2 ? ctx.attrs.floats('scales')?.slice() : scalesV;
    if (!sizes && !scales) return [{ dtype: x.dtype, shape: x.shape.map(() => undefined) }];
    const rank = x.shape.length;
    const axes = (axesAttr ?? x.shape.map((_, i) => i)).map((a) => (a < 0 ? a + rank : a));
    const out: Dim[] = x.shape.slice();
    if (sizes && policy === 'stretch') axes.forEach((a, i) => (out[a] = sizes[i]));
    else if (sizes) axes.forEach((a) => (out[a] = undefined));
    else axes.forEach((a, i) => (out[a] = typeof x.shape![a] === 'number' ? Math.floor((x.shape![a] as number) * scales![i]) : scales![i] === 1 ? x.shape![a] : undefined));
    return [{ dtype: x.dtype, shape: out }];
  };
}

/** All Resize / Upsample definitions. */
export const resizeOps: readonly OpDefinition[] = [
  resizeOp(10),
  resizeOp(11),
  onnxOp(
    'Upsample',
    7,
    (ctx) => {
      const o = parseOptions(ctx, true);
      const attrScales = ctx.opset < 9 ? (ctx.attrs.floats('scales') ?? ctx.attrs.fail('attribute "scales" is required')) : undefined;
      return (inputs) => {
        const x = need(inputs, 0, 'X');
        const scales = attrScales ?? Array.from(readFloats(need(inputs, 1, 'scales')));
        const t = resizeTarget(x.shape, scales, undefined, o);
        return [resize(x, t.outShape, t.scales, undefined, o)];
      };
    },
    (ctx, inputs) => resizeInfer(ctx.opset < 9 ? -2 : 1, -1)(ctx, inputs),
  ),
];
