import type { Conv2dGeometry, ConvF32Args, ConvIntegerArgs } from '../kernel-backend';

/** First output index `o` with `o·stride + offset ≥ 0`, and last with `o·stride + offset ≤ size − 1`, clipped to `[0, outSize)`. */
function validRange(offset: number, stride: number, size: number, outSize: number): [number, number] {
  const lo = Math.max(0, Math.ceil(-offset / stride));
  const hi = Math.min(outSize - 1, Math.floor((size - 1 - offset) / stride));
  return [lo, hi];
}

/**
 * Direct convolution over one output plane at a time: for each weight tap, the range of output positions whose
 * input falls inside the image is computed once, so the inner loop has no bounds test and padding costs nothing.
 * Integer and float variants share this shape; `tap` supplies the weight value (already zero-point corrected for
 * integers) and the input correction.
 */
function convDirect(
  g: Conv2dGeometry,
  x: ArrayLike<number>,
  xShift: number,
  weightAt: (oc: number, index: number) => number,
  init: (oc: number) => number,
  skipZeroWeights: boolean,
  out: { [i: number]: number },
): void {
  const { batch, inChannels: C, inHeight: H, inWidth: W, outChannels: M, kernelHeight: KH, kernelWidth: KW } = g;
  const { outHeight: OH, outWidth: OW, padTop, padLeft, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, group } = g;
  const cpg = C / group;
  const mpg = M / group;
  const plane = OH * OW;
  const rangesH: [number, number][] = [];
  const rangesW: [number, number][] = [];
  for (let kh = 0; kh < KH; kh++) rangesH.push(validRange(kh * dh - padTop, sh, H, OH));
  for (let kw = 0; kw < KW; kw++) rangesW.push(validRange(kw * dw - padLeft, sw, W, OW));
  for (let n = 0; n < batch; n++) {
    for (let oc = 0; oc < M; oc++) {
      const gi = (oc / mpg) | 0;
      const outBase = (n * M + oc) * plane;
      const b0 = init(oc);
      for (let i = 0; i < plane; i++) out[outBase + i] = b0;
      for (let c = 0; c < cpg; c++) {
        const inBase = (n * C + gi * cpg + c) * H * W;
        const wBase = (oc * cpg + c) * KH * KW;
        for (let kh = 0; kh < KH; kh++) {
          const [ohLo, ohHi] = rangesH[kh];
          const offH = kh * dh - padTop;
          for (let kw = 0; kw < KW; kw++) {
            const wv = weightAt(oc, wBase + kh * KW + kw);
            if (skipZeroWeights && wv === 0) continue;
            const [owLo, owHi] = rangesW[kw];
            const offW = kw * dw - padLeft;
            for (let oh = ohLo; oh <= ohHi; oh++) {
              const xRow = inBase + (oh * sh + offH) * W + offW;
              const oRow = outBase + oh * OW;
              if (sw === 1) {
                for (let ow = owLo; ow <= owHi; ow++) out[oRow + ow] += wv * (x[xRow + ow] - xShift);
              } else {
                for (let ow = owLo; ow <= owHi; ow++) out[oRow + ow] += wv * (x[xRow + ow * sw] - xShift);
              }
            }
          }
        }
      }
    }
  }
}

/** Reference float32 convolution (NCHW, weights `[M, C/group, kH, kW]`, optional bias). */
export function convF32Js(args: ConvF32Args): void {
  const { w, bias } = args;
  convDirect(args, args.x, 0, (_oc, i) => w[i], bias ? (oc) => bias[oc] : () => 0, false, args.out);
}

/**
 * Reference ConvInteger: exact int32 `Σ (x − xZp)(w − wZp)` over the taps inside the image; padded taps read as
 * `xZp` and therefore contribute 0. Taps whose corrected weight is 0 are skipped (exact for integers).
 */
export function convIntegerJs(args: ConvIntegerArgs): void {
  const { w, wZeroPoint } = args;
  const perChannel = wZeroPoint.length > 1;
  const wz0 = wZeroPoint[0];
  convDirect(args, args.x, args.xZeroPoint, (oc, i) => w[i] - (perChannel ? wZeroPoint[oc] : wz0), () => 0, true, args.out);
}
