// ai.qint::FusedDynamicMatMul — the dynamic activation × activation MatMul (attention) as one node. Only created by
// the load-time fusion of fuse-transformer-patterns.ts; it computes exactly what the ONNX chain computes:
//   (Aq, sa, za) = DynamicQuantizeLinear(A); (Bq, sb, zb) = DynamicQuantizeLinear(B)
//   Y = f32(f32(MatMulInteger(Aq, Bq, za, zb)) · f32(sa · sb)), then f32(Y / divisor) when the optional third input
//   (a scalar constant: attention's Div by √d that follows the chain) is given.
import { dynamicMatMulF32, dynamicQuantizeLinear, matMulInteger } from '@qint/kernels';
import { DTypeError, Tensor } from '@qint/tensor';
import { allocateF32 } from '../../buffer-pool';
import type { OpDefinition } from '../op-definition';
import { linearShape } from '../quantized-ops';
import { need, readScalar, sameBatchMatMul } from '../tensor-utils';
import { QINT_DOMAIN } from './qint-domain';

const fround = Math.fround;

/**
 * `FusedDynamicMatMul(A, B[, divisor])`: both float32 operands quantized per tensor to uint8 by ONNX DynamicQuantizeLinear, an
 * exact int32 MatMulInteger (numpy batching), then the float scale (and division) — bit-identical with the unfused chain on every
 * backend. Operands with the same batch dims (attention heads) run as one `dynamicMatMulF32` backend call.
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
      const divisor = inputs[2] ? fround(readScalar(inputs[2], 'FusedDynamicMatMul divisor')) : undefined;
      if (a.dtype !== 'float32' || b.dtype !== 'float32') {
        throw new DTypeError(`FusedDynamicMatMul: inputs A and B must be float32, got ${a.dtype} and ${b.dtype}`);
      }
      const dims = sameBatchMatMul(a, b, 2);
      if (dims) {
        const { batch, m, k, n } = dims;
        // dynamicMatMulF32 writes every element: a recycled buffer will do.
        const out = allocateF32(batch * m * n);
        dynamicMatMulF32({ batch, m, n, k, a: a.data as Float32Array, b: b.data as Float32Array, ...(divisor === undefined ? {} : { divisor }), out }, options);
        return [Tensor.from('float32', dims.shape, out)];
      }
      // Broadcast batch dims or 1-D operands: the ONNX ops one after the other.
      const [aq, sa, za] = dynamicQuantizeLinear(a);
      const [bq, sb, zb] = dynamicQuantizeLinear(b);
      const acc = matMulInteger(aq, bq, za, zb, options);
      const scale = fround((sa.data as Float32Array)[0] * (sb.data as Float32Array)[0]);
      const src = acc.data as Int32Array;
      const out = new Float32Array(src.length);
      // Cast int32 → float32 rounds once (fround), then the float32 product rounds again on the store.
      if (divisor === undefined) for (let i = 0; i < src.length; i++) out[i] = fround(src[i]) * scale;
      else for (let i = 0; i < src.length; i++) out[i] = fround(fround(src[i]) * scale) / divisor;
      return [Tensor.from('float32', acc.shape, out)];
    };
  },
  infer: (_ctx, inputs) => [{ dtype: 'float32', shape: linearShape(inputs[0]?.shape, inputs[1]?.shape) }],
};
