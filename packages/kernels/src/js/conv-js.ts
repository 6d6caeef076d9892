import type { Conv2dGeometry, ConvF32Args, ConvIntegerArgs, ConvOutputEpilogue } from '../kernel-backend';

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

/** Loop bounds shared by the two conv drivers. */
interface ConvLoop {
  K: number;
  plane: number;
  chunk: number;
  cpg: number;
  mpg: number;
}

function convLoop(g: Conv2dGeometry, colLength: number): ConvLoop {
  const cpg = g.inChannels / g.group;
  const K = cpg * g.kernelHeight * g.kernelWidth;
  const plane = g.outHeight * g.outWidth;
  return { K, plane, chunk: Math.max(1, Math.min(plane, Math.floor(colLength / K))), cpg, mpg: g.outChannels / g.group };
}

// Convolution as im2col + GEMM per image and group, tiled over output positions so the column buffer stays within
// COL_BUDGET. The GEMM is i-k-j with four output channels per pass (each column row is read once per four channels).
// The float and integer drivers are written out separately on purpose: one shared driver sees Float32Array and
// Int32Array outputs, V8 then compiles it polymorphic, and both run about 1.7× slower (measured).

/** Reference float32 convolution (NCHW, weights `[M, C/group, kH, kW]`, optional bias). */
export function convF32Js(args: ConvF32Args, scratch: ConvScratch): void {
  const K0 = kernelSize(args);
  const need = Math.min(COL_BUDGET, Math.max(K0, K0 * args.outHeight * args.outWidth));
  if (scratch.f32.length < need) scratch.f32 = new Float32Array(need);
  const col = scratch.f32;
  const { x, w, bias, out, batch, inChannels: C, inHeight: H, inWidth: W, outChannels: M, group } = args;
  const { K, plane, chunk, cpg, mpg } = convLoop(args, col.length);
  for (let n = 0; n < batch; n++) {
    for (let gi = 0; gi < group; gi++) {
      const inBase = (n * C + gi * cpg) * H * W;
      for (let pos0 = 0; pos0 < plane; pos0 += chunk) {
        const count = Math.min(chunk, plane - pos0);
        im2col(args, x, inBase, pos0, count, 0, col);
        let oc = gi * mpg;
        const ocEnd = oc + mpg;
        for (; oc + 4 <= ocEnd; oc += 4) {
          const o0 = (n * M + oc) * plane + pos0;
          const o1 = o0 + plane;
          const o2 = o1 + plane;
          const o3 = o2 + plane;
          out.fill(bias ? bias[oc] : 0, o0, o0 + count);
          out.fill(bias ? bias[oc + 1] : 0, o1, o1 + count);
          out.fill(bias ? bias[oc + 2] : 0, o2, o2 + count);
          out.fill(bias ? bias[oc + 3] : 0, o3, o3 + count);
          const wr = oc * K;
          for (let r = 0; r < K; r++) {
            const w0 = w[wr + r];
            const w1 = w[wr + K + r];
            const w2 = w[wr + 2 * K + r];
            const w3 = w[wr + 3 * K + r];
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
          out.fill(bias ? bias[oc] : 0, o, o + count);
          for (let r = 0; r < K; r++) {
            const wv = w[oc * K + r];
            const cr = r * count;
            for (let j = 0; j < count; j++) out[o + j] += wv * col[cr + j];
          }
        }
      }
    }
  }
  convEpilogueF32Js(args);
}

/** A conv output `[batch, outChannels, outHeight · outWidth]` and the epilogue to apply to it (of either conv's args). */
type ConvEpilogueTarget = Pick<ConvF32Args, 'batch' | 'outChannels' | 'outHeight' | 'outWidth' | 'out'> & ConvOutputEpilogue;

/**
 * The epilogue of {@link ConvF32Args} in place over `[batch, M, plane]`: Relu (`v <= 0 ? 0 : v`: NaN stays NaN), then
 * `v · postScale[c] + postShift[c]` in float64, rounded once to float32 by the store.
 */
export function convEpilogueF32Js(args: ConvEpilogueTarget): void {
  const { out, relu, postScale, postShift, batch, outChannels: M } = args;
  const plane = args.outHeight * args.outWidth;
  if (!relu && !(postScale && postShift)) return;
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < M; c++) {
      const start = (n * M + c) * plane;
      const end = start + plane;
      if (relu) {
        for (let i = start; i < end; i++) {
          const v = out[i];
          out[i] = v <= 0 ? 0 : v;
        }
      }
      if (postScale && postShift) {
        const k = postScale[c];
        const t = postShift[c];
        for (let i = start; i < end; i++) out[i] = out[i] * k + t;
      }
    }
  }
}

/**
 * Reference ConvInteger: exact int32 `Σ (x − xZp)(w − wZp)` over the taps inside the image; padded taps read as
 * `xZp` and contribute 0. The column buffer holds centred activations `x − xZp` (int16).
 */
export function convIntegerJs(args: ConvIntegerArgs, scratch: ConvScratch): void {
  const K0 = kernelSize(args);
  const need = Math.min(COL_BUDGET, Math.max(K0, K0 * args.outHeight * args.outWidth));
  if (scratch.i16.length < need) scratch.i16 = new Int16Array(need);
  const col = scratch.i16;
  const { x, w, wZeroPoint, xZeroPoint, out, batch, inChannels: C, inHeight: H, inWidth: W, outChannels: M, group } = args;
  const perChannel = wZeroPoint.length > 1;
  const wz0 = wZeroPoint[0];
  const { K, plane, chunk, cpg, mpg } = convLoop(args, col.length);
  for (let n = 0; n < batch; n++) {
    for (let gi = 0; gi < group; gi++) {
      const inBase = (n * C + gi * cpg) * H * W;
      for (let pos0 = 0; pos0 < plane; pos0 += chunk) {
        const count = Math.min(chunk, plane - pos0);
        im2col(args, x, inBase, pos0, count, xZeroPoint, col);
        let oc = gi * mpg;
        const ocEnd = oc + mpg;
        for (; oc + 4 <= ocEnd; oc += 4) {
          const o0 = (n * M + oc) * plane + pos0;
          const o1 = o0 + plane;
          const o2 = o1 + plane;
          const o3 = o2 + plane;
          out.fill(0, o0, o0 + count);
          out.fill(0, o1, o1 + count);
          out.fill(0, o2, o2 + count);
          out.fill(0, o3, o3 + count);
          const z0 = perChannel ? wZeroPoint[oc] : wz0;
          const z1 = perChannel ? wZeroPoint[oc + 1] : wz0;
          const z2 = perChannel ? wZeroPoint[oc + 2] : wz0;
          const z3 = perChannel ? wZeroPoint[oc + 3] : wz0;
          const wr = oc * K;
          for (let r = 0; r < K; r++) {
            const w0 = w[wr + r] - z0;
            const w1 = w[wr + K + r] - z1;
            const w2 = w[wr + 2 * K + r] - z2;
            const w3 = w[wr + 3 * K + r] - z3;
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
          out.fill(0, o, o + count);
          const z = perChannel ? wZeroPoint[oc] : wz0;
          for (let r = 0; r < K; r++) {
            const wv = w[oc * K + r] - z;
            if (wv === 0) continue;
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
