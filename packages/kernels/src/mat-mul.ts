import { Tensor } from '@qint/tensor';
import { primitiveBackend, type OpOptions } from './backend-registry';
import { GemmWeights, packedGemmB } from './gemm-weights';
import { planMatMul } from './internal/mat-mul-plan';
import { requireDType } from './internal/validate';

/**
 * ONNX MatMul in float32 with numpy semantics: batch dims broadcast, 1-D operands promoted and their dim removed.
 *
 * @param a - float32 `[..., M, K]` or `[K]`
 * @param b - float32 `[..., K, N]` or `[K]`, or {@link GemmWeights} from {@link prepareGemmWeights} (a constant
 *   `[K, N]` the backend packs once instead of on every call; same result)
 * @param options - `{ backend }`
 * @returns float32 `[..., M, N]`
 * @throws {@link DTypeError} for non-float32 inputs
 * @throws {@link ShapeError} when K differs or batch dims do not broadcast
 * @example
 * ```ts
 * matMul(Tensor.from('float32', [1, 2], [1, 2]), Tensor.from('float32', [2, 1], [3, 4])).toArray(); // [11]
 * ```
 */
export function matMul(a: Tensor, bOrWeights: Tensor | GemmWeights, options?: OpOptions): Tensor<'float32'> {
  const OP = 'matMul';
  const b = bOrWeights instanceof GemmWeights ? bOrWeights.tensor : bOrWeights;
  requireDType(OP, 'A', a, ['float32'] as const);
  requireDType(OP, 'B', b, ['float32'] as const);
  const plan = planMatMul(OP, a, b);
  const { m, k, n, batch } = plan;
  const out = new Float32Array(batch * m * n);
  if (out.length > 0 && k > 0) {
    const backend = primitiveBackend('gemmF32', options);
    const ad = a.data as Float32Array;
    const bd = b.data as Float32Array;
    // A prepared B is 2-D, so every batch multiplies the same matrix: pack it once for this backend.
    const packedB = packedGemmB(bOrWeights, backend, false);
    for (let t = 0; t < batch; t++) {
      const ai = plan.aIndex(t);
      const bi = plan.bIndex(t);
      backend.gemmF32({
        m,
        n,
        k,
        a: batch === 1 ? ad : ad.subarray(ai * m * k, (ai + 1) * m * k),
        b: batch === 1 ? bd : bd.subarray(bi * k * n, (bi + 1) * k * n),
        transB: false,
        out: batch === 1 ? out : out.subarray(t * m * n, (t + 1) * m * n),
        ...(packedB ? { packedB } : {}),
      });
    }
  }
  return Tensor.from('float32', plan.outShape, out);
}
