import { formatShape, ShapeError, type Tensor } from '@qint/tensor';
import { GemmWeights } from './gemm-weights';
import { requireDType } from './internal/validate';

/**
 * Marks a constant float32 matrix as the `B` operand of later {@link matMul} / {@link gemm} calls, so each backend
 * packs it once (at the first product) instead of copying and packing it on every call. Call it at model load for
 * MatMul / Gemm initializers; pass the result where the tensor went. Results are the same as with the tensor.
 *
 * @param b - float32 `[K, N]` (or `[N, K]`, read with `transB` in {@link gemm})
 * @returns the {@link GemmWeights} handle (holds `b` itself, not a copy: do not mutate it afterwards)
 * @throws {@link DTypeError} when `b` is not float32
 * @throws {@link ShapeError} when `b` is not 2-D
 * @example
 * ```ts
 * const w = prepareGemmWeights(Tensor.from('float32', [2, 1], [3, 4]));
 * matMul(Tensor.from('float32', [1, 2], [1, 2]), w).toArray(); // [11]
 * ```
 */
export function prepareGemmWeights(b: Tensor): GemmWeights {
  requireDType('prepareGemmWeights', 'B', b, ['float32'] as const);
  if (b.rank !== 2) throw new ShapeError(`prepareGemmWeights: input "B" has shape ${formatShape(b.shape)}; expected 2-D`);
  return new GemmWeights(b as Tensor<'float32'>);
}
