// ai.qint::FusedDynamicAttention — FusedDynamicMatMul(Q, Kᵀ[, divisor]) → Softmax(axis −1) → FusedDynamicMatMul(·, V)
// as one node, created by the load-time fusion of fuse-transformer-patterns.ts (onnxruntime fuses attention too).
// The backend's dynamicAttentionF32 runs the same three steps as the separate nodes on that backend, keeping the
// scores (attention's largest tensor) inside the backend.
import { dynamicAttentionF32 } from '@qint/kernels';
import { Tensor } from '@qint/tensor';
import { allocateF32 } from '../../buffer-pool';
import type { OpDefinition } from '../op-definition';
import { softmaxFamily } from '../reduce-ops';
import { need, readScalar, sameBatchMatMul } from '../tensor-utils';
import { fusedDynamicMatMulOp } from './fused-dynamic-mat-mul-op';
import { QINT_DOMAIN } from './qint-domain';

/**
 * `FusedDynamicAttention(Q, Kᵀ, V[, divisor])`: exactly the FusedDynamicMatMul → Softmax(−1) → FusedDynamicMatMul
 * chain it replaces. Operands with equal batch dims (`[..., m, k]`, `[..., k, n]`, `[..., n, dv]`) take one
 * `dynamicAttentionF32` call; other shapes run the three kernels one after the other.
 *
 * @example
 * ```ts
 * createDefaultRegistry().resolve('ai.qint', 'FusedDynamicAttention', 1) === fusedDynamicAttentionOp; // true
 * ```
 */
export const fusedDynamicAttentionOp: OpDefinition = {
  domain: QINT_DOMAIN,
  opType: 'FusedDynamicAttention',
  sinceVersion: 1,
  build(ctx) {
    const options = ctx.backend ? { backend: ctx.backend } : undefined;
    // One stateless kernel serves both products.
    const matMul = fusedDynamicMatMulOp.build(ctx);
    return (inputs) => {
      const q = need(inputs, 0, 'Q');
      const kT = need(inputs, 1, 'K');
      const v = need(inputs, 2, 'V');
      const r = q.rank;
      // Q·Kᵀ as one batched product, and V with the same batch dims and n rows.
      const qk = sameBatchMatMul(q, kT, 2);
      if (qk && v.dtype === 'float32' && v.rank === r && v.shape[r - 2] === qk.n && q.shape.every((d, i) => i >= r - 2 || d === v.shape[i])) {
        const { batch, m, k, n } = qk;
        const dv = v.shape[r - 1];
        // dynamicAttentionF32 writes every element: a recycled buffer will do.
        const out = allocateF32(batch * m * dv);
        const divisor = inputs[3] ? Math.fround(readScalar(inputs[3], 'FusedDynamicAttention divisor')) : undefined;
        dynamicAttentionF32(
          { batch, m, k, n, dv, q: q.data as Float32Array, kT: kT.data as Float32Array, v: v.data as Float32Array, ...(divisor === undefined ? {} : { divisor }), out },
          options,
        );
        return [Tensor.from('float32', [...q.shape.slice(0, r - 2), m, dv], out)];
      }
      const [s] = matMul([q, kT, inputs[3]]);
      const p = softmaxFamily(s, -1, false, 'softmax', options);
      return matMul([p, v]);
    };
  },
};
