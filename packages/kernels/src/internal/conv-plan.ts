// Resolves ONNX Conv / ConvInteger / QLinearConv attributes into a Conv2dGeometry (1-D convolution as 2-D with H = 1).
import { formatShape, ShapeError, shapeSize, ValueError, type Tensor } from '@qint/tensor';
import type { Conv2dGeometry } from '../kernel-backend';
import { intAttr, intsAttr } from './validate';

/** Attributes shared by Conv, ConvInteger and QLinearConv (ONNX names in camelCase). */
export interface ConvAttributes {
  /** `'NOTSET'` (default: explicit `pads`), `'SAME_UPPER'`, `'SAME_LOWER'` or `'VALID'`. */
  autoPad?: 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';
  /** Dilation per spatial axis (default 1). */
  dilations?: number[];
  /** Number of groups (default 1); depthwise when it equals the input channels. */
  group?: number;
  /** Must equal the weight's spatial dims when given. */
  kernelShape?: number[];
  /** `[x1_begin, x2_begin, …, x1_end, x2_end, …]` (default 0); only with autoPad NOTSET. */
  pads?: number[];
  /** Stride per spatial axis (default 1). */
  strides?: number[];
}

/** The resolved geometry plus the output shape in the input's rank. */
export interface ConvPlan {
  geometry: Conv2dGeometry;
  outShape: number[];
  /** Reduction length per output: `C/group · kH · kW`. */
  k: number;
}

export function planConv(op: string, x: Tensor, w: Tensor, attrs: ConvAttributes, xName = 'X', wName = 'W'): ConvPlan {
  if (x.rank !== 3 && x.rank !== 4) {
    throw new ShapeError(`${op}: input "${xName}" has shape ${formatShape(x.shape)}; expected [N, C, L] or [N, C, H, W] (1-D or 2-D convolution)`);
  }
  if (w.rank !== x.rank) {
    throw new ShapeError(`${op}: input "${wName}" has shape ${formatShape(w.shape)}; expected rank ${x.rank} like "${xName}" ${formatShape(x.shape)}`);
  }
  const spatial = x.rank - 2;
  const group = intAttr(op, 'group', attrs.group, 1, 1);
  const strides = intsAttr(op, 'strides', attrs.strides, spatial, 1) ?? new Array<number>(spatial).fill(1);
  const dilations = intsAttr(op, 'dilations', attrs.dilations, spatial, 1) ?? new Array<number>(spatial).fill(1);
  const kernel = w.shape.slice(2);
  const ks = intsAttr(op, 'kernel_shape', attrs.kernelShape, spatial, 0);
  if (ks && ks.some((d, i) => d !== kernel[i])) {
    throw new ShapeError(`${op}: attribute "kernel_shape" ${formatShape(ks)} differs from the spatial dims of "${wName}" ${formatShape(w.shape)}`);
  }
  if (kernel.some((d) => d < 1)) throw new ShapeError(`${op}: "${wName}" ${formatShape(w.shape)} has an empty kernel`);
  const [n, c] = x.shape;
  const m = w.shape[0];
  if (w.shape[1] * group !== c) {
    throw new ShapeError(
      `${op}: "${wName}" ${formatShape(w.shape)} has ${w.shape[1]} input channels per group; with group = ${group} it needs ${c / group} (= C / group for "${xName}" ${formatShape(x.shape)})`,
    );
  }
  if (m % group !== 0) throw new ShapeError(`${op}: "${wName}" has ${m} output channels, not divisible by group = ${group}`);
  const inDims = x.shape.slice(2);
  const autoPad = attrs.autoPad ?? 'NOTSET';
  if (!['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'].includes(autoPad)) {
    throw new ValueError(`${op}: attribute "auto_pad" must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got ${String(autoPad)}`);
  }
  if (autoPad !== 'NOTSET' && attrs.pads !== undefined && attrs.pads.some((p) => p !== 0)) {
    throw new ValueError(`${op}: attribute "pads" cannot be combined with auto_pad = ${autoPad}`);
  }
  const pads = intsAttr(op, 'pads', attrs.pads, 2 * spatial, 0) ?? new Array<number>(2 * spatial).fill(0);
  const begin: number[] = [];
  const out: number[] = [];
  for (let i = 0; i < spatial; i++) {
    const effective = (kernel[i] - 1) * dilations[i] + 1;
    let o: number;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      o = Math.ceil(inDims[i] / strides[i]);
      const total = Math.max(0, (o - 1) * strides[i] + effective - inDims[i]);
      begin.push(autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2));
    } else if (autoPad === 'VALID') {
      o = Math.floor((inDims[i] - effective) / strides[i]) + 1;
      begin.push(0);
    } else {
      o = Math.floor((inDims[i] + pads[i] + pads[i + spatial] - effective) / strides[i]) + 1;
      begin.push(pads[i]);
    }
    if (o <= 0 && inDims[i] > 0) {
      throw new ShapeError(
        `${op}: kernel ${formatShape(kernel)} (dilations ${formatShape(dilations)}) does not fit input ${formatShape(x.shape)} with these pads (auto_pad ${autoPad})`,
      );
    }
    out.push(Math.max(0, o));
  }
  const is1d = spatial === 1;
  const geometry: Conv2dGeometry = {
    batch: n,
    inChannels: c,
    inHeight: is1d ? 1 : inDims[0],
    inWidth: is1d ? inDims[0] : inDims[1],
    outChannels: m,
    kernelHeight: is1d ? 1 : kernel[0],
    kernelWidth: is1d ? kernel[0] : kernel[1],
    outHeight: is1d ? 1 : out[0],
    outWidth: is1d ? out[0] : out[1],
    padTop: is1d ? 0 : begin[0],
    padLeft: is1d ? begin[0] : begin[1],
    strideHeight: is1d ? 1 : strides[0],
    strideWidth: is1d ? strides[0] : strides[1],
    dilationHeight: is1d ? 1 : dilations[0],
    dilationWidth: is1d ? dilations[0] : dilations[1],
    group,
  };
  return { geometry, outShape: [n, m, ...out], k: (c / group) * shapeSize(kernel) };
}
