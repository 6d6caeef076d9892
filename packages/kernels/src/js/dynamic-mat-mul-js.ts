import type { DynamicAttentionF32Args, DynamicMatMulF32Args } from '../kernel-backend';
import { softmaxF32Js } from './row-ops-js';
import { dynamicParams } from '../internal/dynamic-quant';
import { ROUND_MAGIC } from '../numerics';
import { matMulIntegerBatchedJs } from './mat-mul-integer-batched-js';

const fround = Math.fround;

/**
 * DynamicQuantizeLinear of `x` (the params of internal/dynamic-quant, the element rule of its quantizeDynamic) in a
 * loop typed Float32Array → Uint8Array. |x / scale| ≤ 255·(1 + ε) for finite x of the range, so adding and removing
 * 1.5·2^52 rounds the float32 quotient ties-to-even exactly as roundHalfToEven; ±Infinity passes through to the
 * clamp, NaN to the zero point.
 */
function quantizeU8Js(x: Float32Array, count: number): { q: Uint8Array; scale: number; zeroPoint: number } {
  const { scale, zeroPoint } = dynamicParams(x, 0, count);
  const q = new Uint8Array(count);
  if (scale === 0) return { q, scale, zeroPoint };
  for (let i = 0; i < count; i++) {
    let v = fround(x[i] / scale) + ROUND_MAGIC - ROUND_MAGIC + zeroPoint;
    if (v < 0) v = 0;
    else if (v > 255) v = 255;
    else if (v !== v) v = zeroPoint;
    q[i] = v;
  }
  return { q, scale, zeroPoint };
}

/** Reference dynamic activation MatMul (see `DynamicMatMulF32Args`). */
export function dynamicMatMulF32Js(args: DynamicMatMulF32Args): void {
  const { batch, m, n, k, out } = args;
  const qa = quantizeU8Js(args.a, batch * m * k);
  const qb = quantizeU8Js(args.b, batch * k * n);
  const size = batch * m * n;
  const acc = new Int32Array(size);
  matMulIntegerBatchedJs({ batch, m, n, k, a: qa.q, b: qb.q, aZeroPoint: qa.zeroPoint, bZeroPoint: qb.zeroPoint, out: acc });
  const scale = fround(qa.scale * qb.scale);
  if (args.divisor === undefined) for (let i = 0; i < size; i++) out[i] = fround(acc[i]) * scale;
  else {
    const d = fround(args.divisor);
    for (let i = 0; i < size; i++) out[i] = fround(fround(acc[i]) * scale) / d;
  }
}

/** Reference dynamic attention: the reference dynamic MatMul, Softmax and dynamic MatMul one after the other. */
export function dynamicAttentionF32Js(args: DynamicAttentionF32Args): void {
  const { batch, m, k, n, dv, q, kT, v, out } = args;
  const scores = new Float32Array(batch * m * n);
  dynamicMatMulF32Js({ batch, m, n, k, a: q, b: kT, ...(args.divisor === undefined ? {} : { divisor: args.divisor }), out: scores });
  if (n > 0) softmaxF32Js({ rows: batch * m, dim: n, x: scores, out: scores });
  dynamicMatMulF32Js({ batch, m, n: dv, k: n, a: scores, b: v, out });
}
