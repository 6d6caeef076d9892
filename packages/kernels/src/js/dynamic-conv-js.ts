import type { DynamicConvF32Args } from '../kernel-backend';
import { dynamicParams, quantizeDynamic } from '../internal/dynamic-quant';
import { convEpilogueF32Js, convIntegerJs, type ConvScratch } from './conv-js';

/** Reference DynamicConvF32Args: DynamicQuantizeLinear, ConvInteger, per-channel scale and bias, then the epilogue. */
export function dynamicConvF32Js(args: DynamicConvF32Args, scratch: ConvScratch): void {
  const { x, w, wZeroPoint, wScale, bias, out, batch, outChannels: m } = args;
  const params = dynamicParams(x, 0, batch * args.inChannels * args.inHeight * args.inWidth);
  const xq = new Uint8Array(batch * args.inChannels * args.inHeight * args.inWidth);
  quantizeDynamic(x, 0, xq.length, params, xq, 0, 0);
  const acc = new Int32Array(out.length);
  convIntegerJs({ ...args, x: xq, w, xZeroPoint: params.zeroPoint, wZeroPoint, out: acc }, scratch);
  const plane = args.outHeight * args.outWidth;
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < m; c++) {
      const s = Math.fround(params.scale * wScale[c]);
      const start = (n * m + c) * plane;
      if (bias) {
        const b = bias[c];
        for (let i = start; i < start + plane; i++) out[i] = Math.fround(acc[i] * s) + b;
      } else for (let i = start; i < start + plane; i++) out[i] = acc[i] * s;
    }
  }
  convEpilogueF32Js(args);
}
