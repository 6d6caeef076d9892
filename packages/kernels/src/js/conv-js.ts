import type { Conv2dGeometry, ConvF32Args, ConvIntegerArgs } from '../kernel-backend';

/** Column-buffer budget in elements: bounds scratch memory (1 MB of float32) whatever the image size. */
const COL_BUDGET = 1 << 18;

/** Scratch buffers reused across calls (grown on demand). */
export interface ConvScratch {
  f32: Float32Array;
  i16: Int16Array;
}

/**
 * im2col for one image, one group and a chunk of output positions `[pos0, pos0 + count)`:
 * `col[r, j] = x[c, ih, iw] − shift` for kernel row `r = (c·kH + kh)·kW + kw`, or 0 where the tap falls in the padding
 * (for integers the padding reads as the zero point, i.e. contributes 0 once centred).
 */
function im2col(
  g: Conv2dGeometry,
  x: ArrayLike<number>,
  inBase: number,
  pos0: number,
  count: number,
  shift: number,
  col: { [i: number]: number; fill(v: number, start: number, end: number): unknown },
): void {
  const { inHeight: H, inWidth: W, kernelHeight: KH, kernelWidth: KW, outWidth: OW } = g;
  const { padTop, padLeft, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = g;
  const cpg = g.inChannels / g.group;
  for (let c = 0; c < cpg; c++) {
    const plane = inBase + c * H * W;
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        const rowBase = ((c * KH + kh) * KW + kw) * count;
        const offW = kw * dw - padLeft;
        // Output columns whose tap lands inside the image: iw = ow·sw + offW ∈ [0, W).
        const owLo = Math.max(0, Math.ceil(-offW / sw));
        const owHi = Math.min(OW - 1, Math.floor((W - 1 - offW) / sw));
        let j = 0;
        let pos = pos0;
        while (j < count) {
          const oh = (pos / OW) | 0;
          const ow0 = pos - oh * OW;
          const run = Math.min(OW - ow0, count - j);
          const ih = oh * sh - padTop + kh * dh;
          const dst = rowBase + j;
          if (ih < 0 || ih >= H) {
            col.fill(0, dst, dst + run);
          } else {
            const src = plane + ih * W + offW;
            for (let t = 0; t < run; t++) {
              const ow = ow0 + t;
              col[dst + t] = ow >= owLo && ow <= owHi ? x[src + ow * sw] - shift : 0;
            }
          }
          j += run;
          pos += run;
        }
      }
    }
  }
}

/**
 * Convolution as im2col + GEMM per image and group, tiled over output positions so the column buffer stays within
 * {@link COL_BUDGET}. The GEMM is i-k-j with four output channels per pass (each column row is read once per four
 * channels). `weightAt(oc, r)` returns the (zero-point-corrected) weight; `init(oc)` the bias.
 */
function convIm2colGemm(
  g: Conv2dGeometry,
  x: ArrayLike<number>,
  shift: number,
  col: Float32Array | Int16Array,
  weightAt: (oc: number, r: number) => number,
  init: (oc: number) => number,
  out: { [i: number]: number },
): void {
  const { batch, inChannels: C, inHeight: H, inWidth: W, outChannels: M, group } = g;
  const cpg = C / group;
  const mpg = M / group;
  const K = cpg * g.kernelHeight * g.kernelWidth;
  const plane = g.outHeight * g.outWidth;
  const chunk = Math.max(1, Math.min(plane, Math.floor(col.length / K)));
  for (let n = 0; n < batch; n++) {
    for (let gi = 0; gi < group; gi++) {
      const inBase = (n * C + gi * cpg) * H * W;
      for (let pos0 = 0; pos0 < plane; pos0 += chunk) {
        const count = Math.min(chunk, plane - pos0);
        im2col(g, x, inBase, pos0, count, shift, col);
        let oc = gi * mpg;
        const ocEnd = oc + mpg;
        for (; oc + 4 <= ocEnd; oc += 4) {
          const o0 = (n * M + oc) * plane + pos0;
          const o1 = o0 + plane;
          const o2 = o1 + plane;
          const o3 = o2 + plane;
          const i0 = init(oc);
          const i1 = init(oc + 1);
          const i2 = init(oc + 2);
          const i3 = init(oc + 3);
          for (let j = 0; j < count; j++) {
            out[o0 + j] = i0;
            out[o1 + j] = i1;
            out[o2 + j] = i2;
            out[o3 + j] = i3;
          }
          for (let r = 0; r < K; r++) {
            const w0 = weightAt(oc, r);
            const w1 = weightAt(oc + 1, r);
            const w2 = weightAt(oc + 2, r);
            const w3 = weightAt(oc + 3, r);
            const cr = r * count;
            for (let j = 0; j < count; j++) {
              const v = col[cr + j];
              out[o0 + j] += w0 * v;
              out[o1 + j] += w1 * v;
              out[o2 + j] += w2 * v;
              out[o3 + j] += w3 * v;
            }
          }
        }
        for (; oc < ocEnd; oc++) {
          const o = (n * M + oc) * plane + pos0;
          const i0 = init(oc);
          for (let j = 0; j < count; j++) out[o + j] = i0;
          for (let r = 0; r < K; r++) {
            const wv = weightAt(oc, r);
            const cr = r * count;
            for (let j = 0; j < count; j++) out[o + j] += wv * col[cr + j];
          }
        }
      }
    }
  }
}

function kernelSize(g: Conv2dGeometry): number {
  return (g.inChannels / g.group) * g.kernelHeight * g.kernelWidth;
}

/** Reference float32 convolution (NCHW, weights `[M, C/group, kH, kW]`, optional bias). */
export function convF32Js(args: ConvF32Args, scratch: ConvScratch): void {
  const K = kernelSize(args);
  const need = Math.min(COL_BUDGET, Math.max(K, K * args.outHeight * args.outWidth));
  if (scratch.f32.length < need) scratch.f32 = new Float32Array(need);
  const { w, bias } = args;
  convIm2colGemm(args, args.x, 0, scratch.f32, (oc, r) => w[oc * K + r], bias ? (oc) => bias[oc] : () => 0, args.out);
}

/**
 * Reference ConvInteger: exact int32 `Σ (x − xZp)(w − wZp)` over the taps inside the image; padded taps read as
 * `xZp` and contribute 0. The column buffer holds centred activations `x − xZp` (int16).
 */
export function convIntegerJs(args: ConvIntegerArgs, scratch: ConvScratch): void {
  const K = kernelSize(args);
  const need = Math.min(COL_BUDGET, Math.max(K, K * args.outHeight * args.outWidth));
  if (scratch.i16.length < need) scratch.i16 = new Int16Array(need);
  const { w, wZeroPoint } = args;
  const perChannel = wZeroPoint.length > 1;
  const wz0 = wZeroPoint[0];
  convIm2colGemm(args, args.x, args.xZeroPoint, scratch.i16, (oc, r) => w[oc * K + r] - (perChannel ? wZeroPoint[oc] : wz0), () => 0, args.out);
}
