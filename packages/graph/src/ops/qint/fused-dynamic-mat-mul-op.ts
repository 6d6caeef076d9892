// ai.qint::FusedDynamicMatMul — the dynamic activation × activation MatMul (attention) as one node. Only created by
// the load-time fusion of fuse-transformer-patterns.ts; it computes exactly what the ONNX chain computes:
//   (Aq, sa, za) = DynamicQuantizeLinear(A); (Bq, sb, zb) = DynamicQuantizeLinear(B)
//   Y = f32(f32(MatMulInteger(Aq, Bq, za, zb)) · f32(sa · sb))
import { matMulInteger, matMulIntegerBatched, roundHalfToEven } from '@qint/kernels';
import { DTypeError, Tensor } from '@qint/tensor';
import { linearShape } from '../quantized-ops';
import type { OpDefinition } from '../op-definition';
import { need } from '../tensor-utils';
import { QINT_DOMAIN } from './qint-domain';

const fround = Math.fround;
/** 1.5·2^52: float64 addition of it rounds any |t| < 2^51 to an integer, ties to even. */
const ROUND_MAGIC = 6755399441055744;

/**
 * ONNX DynamicQuantizeLinear of a float32 array, exactly as @qint/kernels' `dynamicQuantizeLinear` (same range rule:
 * NaN and ±Infinity left out of the range; NaN → zero point, +Inf → 255, −Inf → 0; a zero scale gives all zeros), in
 * loops typed for Float32Array → Uint8Array so V8 keeps them monomorphic (the shared kernel loop writes several
 * storage types and runs ~10× slower here). The fusion tests compare both bit for bit.
 */
function quantizeU8(x: Float32Array): { q: Uint8Array; scale: number; zeroPoint: number } {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v < lo) {
      if (v !== -Infinity) lo = v;
    } else if (v > hi && v !== Infinity) hi = v;
  }
  const q = new Uint8Array(x.length);
  const scale = fround(fround(hi - lo) / 255);
  if (scale === 0) return { q, scale: 0, zeroPoint: 0 };
  let zp = roundHalfToEven(fround(-lo / scale));
  zp = zp < 0 ? 0 : zp > 255 ? 255 : zp;
  for (let i = 0; i < x.length; i++) {
    // |x / scale| ≤ 255·(1 + ε) for finite x (the range includes x), so adding and removing 1.5·2^52 rounds the
    // float32 quotient to the nearest integer, ties to even, exactly as roundHalfToEven — without a call and a
    // Math.round per element. ±Infinity passes through unchanged (then clamps); NaN stays NaN (→ zero point).
    let v = fround(x[i] / scale) + ROUND_MAGIC - ROUND_MAGIC + zp;
    if (v < 0) v = 0;
    else if (v > 255) v = 255;
    else if (v !== v) v = zp;
    q[i] = v;
  }
  return { q, scale, zeroPoint: zp };
}

/**
 * `FusedDynamicMatMul(A, B)`: both float32 operands quantized per tensor to uint8 by ONNX DynamicQuantizeLinear, an
 * exact int32 MatMulInteger (numpy batching), then the float scale — bit-identical with the unfused chain.
 *
 * @example
 * ```ts
 * createDefaultRegistry().resolve('ai.qint', 'FusedDynamicMatMul', 1) === fusedDynamicMatMulOp; // true
 * ```
 */
export const fusedDynamicMatMulOp: OpDefinition = {
  domain: QINT_DOMAIN,
  opType: 'FusedDynamicMatMul',
  sinceVersion: 1,
  build(ctx) {
    const options = ctx.backend ? { backend: ctx.backend } : undefined;
    return (inputs) => {
      const a = need(inputs, 0, 'A');
      const b = need(inputs, 1, 'B');
      if (a.dtype !== 'float32' || b.dtype !== 'float32') {
        throw new DTypeError(`FusedDynamicMatMul: inputs A and B must be float32, got ${a.dtype} and ${b.dtype}`);
      }
      const qa = quantizeU8(a.data as Float32Array);
      const qb = quantizeU8(b.data as Float32Array);
      let src: Int32Array;
      let shape: readonly number[];
      const r = a.rank;
      if (r >= 2 && b.rank === r && a.shape[r - 1] === b.shape[r - 2] && a.shape.every((d, i) => i >= r - 2 || d === b.shape[i])) {
        // Same batch dims on both sides (attention heads): one batched backend call instead of one per head.
        const m = a.shape[r - 2];
        const k = a.shape[r - 1];
        const n = b.shape[r - 1];
        shape = [...a.shape.slice(0, r - 1), n];
        const batch = m * k === 0 ? shape.slice(0, r - 2).reduce((p, d) => p * d, 1) : a.size / (m * k);
        src = new Int32Array(batch * m * n);
        matMulIntegerBatched({ batch, m, n, k, a: qa.q, b: qb.q, aZeroPoint: qa.zeroPoint, bZeroPoint: qb.zeroPoint, out: src }, options);
      } else {
        const acc = matMulInteger(
          Tensor.from('uint8', a.shape, qa.q),
          Tensor.from('uint8', b.shape, qb.q),
          Tensor.scalar('uint8', qa.zeroPoint),
          Tensor.scalar('uint8', qb.zeroPoint),
          options,
        );
        src = acc.data as Int32Array;
        shape = acc.shape;
      }
      const scale = fround(qa.scale * qb.scale);
      const out = new Float32Array(src.length);
      // Cast int32 → float32 rounds once (fround), then the float32 product rounds again on the store.
      for (let i = 0; i < src.length; i++) out[i] = fround(src[i]) * scale;
      return [Tensor.from('float32', shape, out)];
    };
  },
  infer: (_ctx, inputs) => [{ dtype: 'float32', shape: linearShape(inputs[0]?.shape, inputs[1]?.shape) }],
};
