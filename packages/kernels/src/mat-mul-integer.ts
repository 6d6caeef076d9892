import { Tensor } from '@qint/tensor';
import { primitiveBackend, type OpOptions } from './backend-registry';
import { planMatMul, type MatMulPlan } from './internal/mat-mul-plan';
import { requireDType } from './internal/validate';
import { zeroPointSlices } from './internal/zero-point-slices';
import { assertSafeK, maxSafeK } from './numerics';

const OP = 'matMulInteger';

/** The int32 product of a batched integer matmul, before any requantization. */
export interface IntegerProduct {
  plan: MatMulPlan;
  /** `[batch, m, n]` row-major. */
  acc: Int32Array;
}

/** Shared by matMulInteger and qlinearMatMul: validation, K bound, batching, dispatch. */
export function integerProduct(op: string, a: Tensor, b: Tensor, aZp: Tensor | undefined, bZp: Tensor | undefined, names: [string, string, string, string], options?: OpOptions): IntegerProduct {
  requireDType(op, names[0], a, ['uint8', 'int8'] as const);
  requireDType(op, names[2], b, ['uint8', 'int8'] as const);
  const plan = planMatMul(op, a, b, names[0], names[2]);
  const za = zeroPointSlices(op, names[1], aZp, a.dtype, plan, 'row');
  const zb = zeroPointSlices(op, names[3], bZp, b.dtype, plan, 'col');
  const { m, k, n, batch } = plan;
  assertSafeK(op, k, maxSafeK(a.dtype, b.dtype, za.values, zb.values), `${a.dtype} × ${b.dtype} with these zero points`);
  const acc = new Int32Array(batch * m * n);
  if (acc.length === 0 || k === 0) return { plan, acc };
  const backend = primitiveBackend('matMulInteger', options);
  const ad = a.data as Int8Array | Uint8Array;
  const bd = b.data as Int8Array | Uint8Array;
  const mk = m * k;
  const kn = k * n;
  const mn = m * n;
  for (let i = 0; i < batch; i++) {
    const ai = plan.aIndex(i);
    const bi = plan.bIndex(i);
    backend.matMulInteger({
      m,
      n,
      k,
      a: batch === 1 ? ad : ad.subarray(ai * mk, (ai + 1) * mk),
      b: batch === 1 ? bd : bd.subarray(bi * kn, (bi + 1) * kn),
      aZeroPoint: za.at(i),
      bZeroPoint: zb.at(i),
      out: batch === 1 ? acc : acc.subarray(i * mn, (i + 1) * mn),
    });
  }
  return { plan, acc };
}

/**
 * ONNX MatMulInteger: `Y = (A − a_zero_point) · (B − b_zero_point)` with exact int32 accumulation, batched with
 * numpy broadcasting (1-D operands as in numpy.matmul). `a_zero_point` is per tensor, per row (`[M]` or
 * `[..., M, 1]`); `b_zero_point` per tensor or per column (`[N]` or `[..., 1, N]`). uint8 and int8 on either side.
 *
 * @param a - uint8 or int8, `[..., M, K]` or `[K]`
 * @param b - uint8 or int8, `[..., K, N]` or `[K]`
 * @param aZeroPoint - optional, dtype of `a`
 * @param bZeroPoint - optional, dtype of `b`
 * @param options - `{ backend }` to run on a specific backend
 * @returns int32 `[..., M, N]`
 * @throws {@link DTypeError} for a non-8-bit input or a zero point of another dtype than its operand
 * @throws {@link ShapeError} when K differs, batch dims do not broadcast, a zero point has the wrong shape, or K
 *   exceeds the int32-safe bound (code `ERR_OVERFLOW`, see {@link maxSafeK})
 * @throws {@link ValueError} for a zero point outside its type's range
 * @example
 * ```ts
 * const y = matMulInteger(Tensor.from('uint8', [1, 2], [3, 4]), Tensor.from('int8', [2, 1], [1, -1]), Tensor.scalar('uint8', 1));
 * y.toArray(); // [(3-1)·1 + (4-1)·(-1)] = [-1]
 * ```
 */
export function matMulInteger(a: Tensor, b: Tensor, aZeroPoint?: Tensor, bZeroPoint?: Tensor, options?: OpOptions): Tensor<'int32'> {
  const { plan, acc } = integerProduct(OP, a, b, aZeroPoint, bZeroPoint, ['A', 'a_zero_point', 'B', 'b_zero_point'], options);
  return Tensor.from('int32', plan.outShape, acc);
}
