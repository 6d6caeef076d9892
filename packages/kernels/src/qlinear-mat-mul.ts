import { dtypeInfo, ShapeError, formatShape, Tensor } from '@qint/tensor';
import type { OpOptions } from './backend-registry';
import { sliceParams } from './internal/zero-point-slices';
import { readOutputZeroPoint, readScales } from './internal/validate';
import { integerProduct } from './mat-mul-integer';
import { requantizeMultiplier, requantizeValue } from './requantize';

const OP = 'qlinearMatMul';

/**
 * ONNX QLinearMatMul: `y = saturate(roundHalfToEven((A − a_zp)(B − b_zp) · a_scale · b_scale / y_scale) + y_zp)`,
 * batched like numpy matmul. `a_scale`/`a_zero_point` per tensor or per row, `b_scale`/`b_zero_point` per tensor or
 * per column, `y_scale`/`y_zero_point` per tensor. Scales are float32, or float16 (then the multiplier is computed
 * in float16 as ONNX's reference does). The output dtype is `y_zero_point`'s (uint8 or int8).
 *
 * @param a - uint8 or int8 `[..., M, K]`
 * @param aScale - float32/float16, one element or `[M]`
 * @param aZeroPoint - dtype of `a`, same count as `aScale`
 * @param b - uint8 or int8 `[..., K, N]`
 * @param bScale - float32/float16, one element or `[N]`
 * @param bZeroPoint - dtype of `b`, same count as `bScale`
 * @param yScale - float32/float16, one element
 * @param yZeroPoint - uint8 or int8, one element; its dtype is the output's
 * @param options - `{ backend }`
 * @returns the requantized product `[..., M, N]`
 * @throws {@link DTypeError} for wrong dtypes (named by ONNX input name)
 * @throws {@link ShapeError} for shapes that do not agree or K beyond the int32-safe bound
 * @throws {@link ValueError} for NaN/Inf/≤ 0 scales or out-of-range zero points
 * @example
 * ```ts
 * const y = qlinearMatMul(a, Tensor.scalar('float32', 0.02), Tensor.scalar('uint8', 128), b, Tensor.scalar('float32', 0.01),
 *   Tensor.scalar('int8', 0), Tensor.scalar('float32', 0.05), Tensor.scalar('uint8', 100));
 * ```
 */
export function qlinearMatMul(
  a: Tensor,
  aScale: Tensor,
  aZeroPoint: Tensor | undefined,
  b: Tensor,
  bScale: Tensor,
  bZeroPoint: Tensor | undefined,
  yScale: Tensor,
  yZeroPoint: Tensor | undefined,
  options?: OpOptions,
): Tensor {
  const { plan, acc } = integerProduct(OP, a, b, aZeroPoint, bZeroPoint, ['a', 'a_zero_point', 'b', 'b_zero_point'], options);
  const as = readScales(OP, 'a_scale', aScale);
  const bs = readScales(OP, 'b_scale', bScale);
  const ys = readScales(OP, 'y_scale', yScale);
  const aAt = sliceParams(OP, 'a_scale', aScale, as, plan, 'row');
  const bAt = sliceParams(OP, 'b_scale', bScale, bs, plan, 'col');
  checkCount('a_zero_point', aZeroPoint, aScale, 'a_scale');
  checkCount('b_zero_point', bZeroPoint, bScale, 'b_scale');
  if (yScale.size !== 1) throw new ShapeError(`${OP}: input "y_scale" has shape ${formatShape(yScale.shape)}; only per-tensor output scales are supported`);
  const { dtype: outDtype, zeroPoint: yz } = readOutputZeroPoint(OP, yZeroPoint, a.dtype as 'uint8' | 'int8');
  const half = aScale.dtype === 'float16' && bScale.dtype === 'float16' && yScale.dtype === 'float16';
  const precision = half ? 'float16' : 'float32';
  const { min, max } = dtypeInfo(outDtype);
  const { m, n, batch } = plan;
  const out = outDtype === 'uint8' ? new Uint8Array(acc.length) : new Int8Array(acc.length);
  const mult = new Float64Array(n);
  // The row of multipliers depends only on (a scale, b scales): recomputed when either changes, not per row.
  let multSa = NaN;
  let multB: Float32Array | Int32Array | undefined;
  for (let t = 0; t < batch; t++) {
    const aS = aAt(t);
    const bS = bAt(t);
    for (let i = 0; i < m; i++) {
      const sa = aS.length === 1 ? aS[0] : aS[i];
      if (sa !== multSa || bS !== multB) {
        for (let j = 0; j < n; j++) mult[j] = requantizeMultiplier(sa, bS.length === 1 ? bS[0] : bS[j], ys[0], precision);
        multSa = sa;
        multB = bS;
      }
      const row = (t * m + i) * n;
      for (let j = 0; j < n; j++) out[row + j] = requantizeValue(acc[row + j], mult[j], yz, min, max);
    }
  }
  return Tensor.from(outDtype, plan.outShape, out);
}

function checkCount(name: string, zp: Tensor | undefined, scale: Tensor, scaleName: string): void {
  if (zp && zp.size !== 1 && zp.size !== scale.size) {
    throw new ShapeError(`${OP}: input "${name}" has ${zp.size} elements but "${scaleName}" has ${scale.size}; they must match`);
  }
}
