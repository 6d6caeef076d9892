// Detection-model ops: RoiAlign (Faster/Mask R-CNN heads) and DeformConv (2-D deformable convolution, with mask).
// Computed in float64, rounded once to the input's float dtype.
import { DTypeError, ShapeError, Tensor, ValueError, dtypeInfo, formatShape } from '@qint/tensor';
import { onnxOp } from './define-op';
import type { OpDefinition } from './op-definition';
import { fromFloats, need, readInts } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';

/** RoiAlign options (ONNX attribute names in camel case). */
export interface RoiAlignOptions {
  readonly mode: 'avg' | 'max';
  readonly outputHeight: number;
  readonly outputWidth: number;
  /** Sample points per bin side; 0: `ceil(roi size / output size)`. */
  readonly samplingRatio: number;
  readonly spatialScale: number;
  /** `half_pixel` shifts ROI coordinates by −0.5 (torchvision `aligned=True`); `output_half_pixel` does not. */
  readonly halfPixel: boolean;
}

/**
 * RoiAlign: for each ROI `(x1, y1, x2, y2)` of `rois` on image `batchIndices[r]` of `x` `[N, C, H, W]`, the average
 * (or max) of bilinear samples on a regular grid in each of `outputHeight × outputWidth` bins.
 * @returns `[num_rois, C, outputHeight, outputWidth]`
 * @throws {@link ShapeError} when rois is not `[R, 4]`, {@link ValueError} for a batch index out of range
 */
export function roiAlign(x: Tensor, rois: Tensor, batchIndices: Tensor, o: RoiAlignOptions): Tensor {
  if (!dtypeInfo(x.dtype).isFloat) throw new DTypeError(`RoiAlign: input X must be a float tensor, got ${x.dtype}`);
  if (x.rank !== 4) throw new ShapeError(`RoiAlign: X must be [N, C, H, W], got ${formatShape(x.shape)}`);
  if (rois.rank !== 2 || rois.shape[1] !== 4) throw new ShapeError(`RoiAlign: rois must be [R, 4], got ${formatShape(rois.shape)}`);
  const [n, c, h, w] = x.shape;
  const nr = rois.shape[0];
  const bi = readInts(batchIndices, 'RoiAlign batch_indices');
  if (bi.length !== nr) throw new ShapeError(`RoiAlign: batch_indices must hold ${nr} values, got ${bi.length}`);
  const xv = x.values();
  const rv = rois.values();
  const { outputHeight: ph, outputWidth: pw } = o;
  const out = new Float64Array(nr * c * ph * pw);
  for (let r = 0; r < nr; r++) {
    const b = bi[r];
    if (b < 0 || b >= n) throw new ValueError(`RoiAlign: batch index ${b} of ROI ${r} is outside [0, ${n})`);
    const off = o.halfPixel ? 0.5 : 0;
    const x1 = rv[r * 4] * o.spatialScale - off;
    const y1 = rv[r * 4 + 1] * o.spatialScale - off;
    let rw = rv[r * 4 + 2] * o.spatialScale - off - x1;
    let rh = rv[r * 4 + 3] * o.spatialScale - off - y1;
    if (!o.halfPixel) {
      rw = Math.max(rw, 1);
      rh = Math.max(rh, 1);
    }
    const bh = rh / ph;
    const bw = rw / pw;
    const gh = o.samplingRatio > 0 ? o.samplingRatio : Math.ceil(rh / ph);
    const gw = o.samplingRatio > 0 ? o.samplingRatio : Math.ceil(rw / pw);
    const count = Math.max(gh * gw, 1);
    // Bilinear taps of every sample point, shared by all channels: 4 positions and 4 weights each.
    const pos = new Int32Array(ph * pw * gh * gw * 4);
    const wt = new Float64Array(ph * pw * gh * gw * 4);
    let s = 0;
    for (let i = 0; i < ph; i++) {
      for (let j = 0; j < pw; j++) {
        for (let iy = 0; iy < gh; iy++) {
          const y = y1 + i * bh + ((iy + 0.5) * bh) / gh;
          for (let ix = 0; ix < gw; ix++, s += 4) {
            let xx = x1 + j * bw + ((ix + 0.5) * bw) / gw;
            if (y < -1 || y > h || xx < -1 || xx > w) continue; // weights stay 0
            let yy = Math.max(y, 0);
            xx = Math.max(xx, 0);
            let yl = Math.trunc(yy);
            let xl = Math.trunc(xx);
            let yh: number;
            let xh: number;
            if (yl >= h - 1) {
              yh = yl = h - 1;
              yy = yl;
            } else yh = yl + 1;
            if (xl >= w - 1) {
              xh = xl = w - 1;
              xx = xl;
            } else xh = xl + 1;
            const ly = yy - yl;
            const lx = xx - xl;
            pos.set([yl * w + xl, yl * w + xh, yh * w + xl, yh * w + xh], s);
            wt.set([(1 - ly) * (1 - lx), (1 - ly) * lx, ly * (1 - lx), ly * lx], s);
          }
        }
      }
    }
    for (let ch = 0; ch < c; ch++) {
      const base = (b * c + ch) * h * w;
      let t = 0;
      for (let bin = 0; bin < ph * pw; bin++) {
        let acc = 0;
        let first = true;
        for (let k = 0; k < gh * gw; k++, t += 4) {
          if (o.mode === 'avg') {
            acc += wt[t] * xv[base + pos[t]] + wt[t + 1] * xv[base + pos[t + 1]] + wt[t + 2] * xv[base + pos[t + 2]] + wt[t + 3] * xv[base + pos[t + 3]];
          } else {
            const v = Math.max(wt[t] * xv[base + pos[t]], wt[t + 1] * xv[base + pos[t + 1]], wt[t + 2] * xv[base + pos[t + 2]], wt[t + 3] * xv[base + pos[t + 3]]);
            acc = first ? v : Math.max(acc, v);
            first = false;
          }
        }
        out[((r * c + ch) * ph * pw) + bin] = o.mode === 'avg' ? acc / count : acc;
      }
    }
  }
  return fromFloats(x.dtype, [nr, c, ph, pw], out);
}

/** DeformConv attributes (ONNX names in camel case; defaults as ONNX gives them). */
export interface DeformConvOptions {
  readonly dilations?: readonly number[];
  readonly group?: number;
  readonly kernelShape?: readonly number[];
  readonly offsetGroup?: number;
  readonly pads?: readonly number[];
  readonly strides?: readonly number[];
}

/**
 * DeformConv (2-D): a convolution whose kernel taps are moved by the per-position `offset` (dy, dx per tap) and
 * scaled by `mask`, sampling `x` bilinearly with zeros outside.
 * @param x - `[N, C, H, W]`
 * @param weight - `[OC, C / group, kH, kW]`
 * @param offset - `[N, offsetGroup·kH·kW·2, oH, oW]`
 * @param bias - `[OC]` or undefined
 * @param mask - `[N, offsetGroup·kH·kW, oH, oW]` or undefined (all ones)
 * @returns `[N, OC, oH, oW]`
 * @throws {@link ShapeError} when the shapes do not fit
 */
export function deformConv(x: Tensor, weight: Tensor, offset: Tensor, bias: Tensor | undefined, mask: Tensor | undefined, o: DeformConvOptions): Tensor {
  if (!dtypeInfo(x.dtype).isFloat) throw new DTypeError(`DeformConv: input X must be a float tensor, got ${x.dtype}`);
  if (x.rank !== 4 || weight.rank !== 4 || offset.rank !== 4) {
    throw new ShapeError(`DeformConv: only 2-D is supported: X ${formatShape(x.shape)}, W ${formatShape(weight.shape)}, offset ${formatShape(offset.shape)} must be 4-D`);
  }
  const [n, ic, ih, iw] = x.shape;
  const [oc, icg] = weight.shape;
  const [kh, kw] = o.kernelShape ?? weight.shape.slice(2);
  const group = o.group ?? 1;
  const og = o.offsetGroup ?? 1;
  const [dh, dw] = o.dilations ?? [1, 1];
  const [sh, sw] = o.strides ?? [1, 1];
  const pads = o.pads ?? [0, 0, 0, 0];
  const oh = offset.shape[2];
  const ow = offset.shape[3];
  const eh = Math.floor((ih + pads[0] + pads[2] - ((kh - 1) * dh + 1)) / sh) + 1;
  const ew = Math.floor((iw + pads[1] + pads[3] - ((kw - 1) * dw + 1)) / sw) + 1;
  if (icg * group !== ic || oc % group !== 0 || ic % og !== 0 || offset.shape[0] !== n || offset.shape[1] !== og * kh * kw * 2 || oh !== eh || ow !== ew) {
    throw new ShapeError(
      `DeformConv: X ${formatShape(x.shape)}, W ${formatShape(weight.shape)} (group ${group}) and offset ${formatShape(offset.shape)} (offset_group ${og}) do not fit an output of ${eh}×${ew}`,
    );
  }
  if (mask && (mask.shape[1] !== og * kh * kw || mask.size !== n * og * kh * kw * oh * ow)) {
    throw new ShapeError(`DeformConv: mask ${formatShape(mask.shape)} must be [${n}, ${og * kh * kw}, ${oh}, ${ow}]`);
  }
  const xv = x.values();
  const wv = weight.values();
  const ov = offset.values();
  const mv = mask?.values();
  const bv = bias?.values();
  const ocg = oc / group;
  const icPerOg = ic / og;
  const k = kh * kw;
  const plane = oh * ow;
  // Sampled input columns for one image: [ic, k, oh·ow], then a plain grouped GEMM with the weights.
  const col = new Float64Array(ic * k * plane);
  const out = new Float64Array(n * oc * plane);
  const at = (base: number, y: number, xx: number): number => (y >= 0 && y < ih && xx >= 0 && xx < iw ? xv[base + y * iw + xx] : 0);
  for (let b = 0; b < n; b++) {
    for (let c = 0; c < ic; c++) {
      const g = Math.floor(c / icPerOg);
      const base = (b * ic + c) * ih * iw;
      for (let ki = 0; ki < kh; ki++) {
        for (let kj = 0; kj < kw; kj++) {
          const t = ki * kw + kj;
          for (let i = 0; i < oh; i++) {
            for (let j = 0; j < ow; j++) {
              const p = i * ow + j;
              const offBase = ((b * og + g) * k + t) * 2 * plane;
              const y = i * sh - pads[0] + ki * dh + ov[offBase + p];
              const xx = j * sw - pads[1] + kj * dw + ov[offBase + plane + p];
              const y0 = Math.floor(y);
              const x0 = Math.floor(xx);
              const ly = y - y0;
              const lx = xx - x0;
              let v =
                (1 - ly) * (1 - lx) * at(base, y0, x0) + (1 - ly) * lx * at(base, y0, x0 + 1) + ly * (1 - lx) * at(base, y0 + 1, x0) + ly * lx * at(base, y0 + 1, x0 + 1);
              if (mv) v *= mv[((b * og + g) * k + t) * plane + p];
              col[(c * k + t) * plane + p] = v;
            }
          }
        }
      }
    }
    for (let m = 0; m < oc; m++) {
      const g = Math.floor(m / ocg);
      const dst = (b * oc + m) * plane;
      const bm = bv ? bv[m] : 0;
      for (let p = 0; p < plane; p++) out[dst + p] = bm;
      for (let cc = 0; cc < icg; cc++) {
        const c = g * icg + cc;
        for (let t = 0; t < k; t++) {
          const wgt = wv[(m * icg + cc) * k + t];
          if (wgt === 0) continue;
          const src = (c * k + t) * plane;
          for (let p = 0; p < plane; p++) out[dst + p] += wgt * col[src + p];
        }
      }
    }
  }
  return fromFloats(x.dtype, [n, oc, oh, ow], out);
}

/** The detection op definitions. */
export const detectionOps: readonly OpDefinition[] = [
  onnxOp(
    'RoiAlign',
    10,
    (ctx) => {
      const mode = ctx.attrs.string('mode', 'avg');
      if (mode !== 'avg' && mode !== 'max') throw new UnsupportedVariant(`mode "${mode}" is not supported (avg and max are)`);
      const ctm = ctx.opset >= 16 ? ctx.attrs.string('coordinate_transformation_mode', 'half_pixel') : 'output_half_pixel';
      if (ctm !== 'half_pixel' && ctm !== 'output_half_pixel') throw new UnsupportedVariant(`coordinate_transformation_mode "${ctm}" is not supported`);
      const o: RoiAlignOptions = {
        mode,
        outputHeight: ctx.attrs.int('output_height', 1),
        outputWidth: ctx.attrs.int('output_width', 1),
        samplingRatio: ctx.attrs.int('sampling_ratio', 0),
        spatialScale: ctx.attrs.float('spatial_scale', 1),
        halfPixel: ctm === 'half_pixel',
      };
      return (inputs) => [roiAlign(need(inputs, 0, 'X'), need(inputs, 1, 'rois'), need(inputs, 2, 'batch_indices'), o)];
    },
    (ctx, [x, rois]) => [
      { dtype: x?.dtype, shape: [rois?.shape?.[0], x?.shape?.[1], ctx.attrs.int('output_height', 1), ctx.attrs.int('output_width', 1)] },
    ],
  ),
  onnxOp('DeformConv', 19, (ctx) => {
    const ks = ctx.attrs.ints('kernel_shape');
    if (ks && ks.length !== 2) throw new UnsupportedVariant(`${ks.length}-D DeformConv is not supported (2-D is)`);
    const o: DeformConvOptions = {
      dilations: ctx.attrs.ints('dilations'),
      group: ctx.attrs.int('group', 1),
      kernelShape: ks,
      offsetGroup: ctx.attrs.int('offset_group', 1),
      pads: ctx.attrs.ints('pads'),
      strides: ctx.attrs.ints('strides'),
    };
    return (inputs) => [deformConv(need(inputs, 0, 'X'), need(inputs, 1, 'W'), need(inputs, 2, 'offset'), inputs[3], inputs[4], o)];
  }),
];
