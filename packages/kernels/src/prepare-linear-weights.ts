import { DTypeError, formatShape, ShapeError, Tensor, ValueError } from '@qint/tensor';
import { intValues, readScales, requireDType } from './internal/validate';
import type { LinearWeightsSpec, WeightBits } from './kernel-backend';
import { LinearWeights } from './linear-weights';
import { assertSafeK, INT32_MAX } from './numerics';

/** Quantized linear weights given as tensors (the usual output of a quantizer). */
export interface LinearWeightsInput {
  /** Signed quantized values `[n, k]` (output-major, like `nn.Linear.weight`): int8, int4 or int2. */
  weight: Tensor;
  /** Bit width; defaults from the dtype (int8 → 8, int4 → 4, int2 → 2). 3-bit values are passed as int8 in [−4, 3]. */
  bits?: WeightBits;
  /** 0 (default) for one scale per output row, else the block length along k. */
  blockSize?: number;
  /** float32/float16 scales: `[n]` (per channel), `[n, ceil(k / blockSize)]` (blocked), or one element (per tensor). */
  scale: Tensor;
  /** Optional zero points, signed in the weight's range, same layout as `scale`. */
  zeroPoint?: Tensor;
}

const OP = 'prepareLinearWeights';

/**
 * The largest group length (K per scale) of the dynamic linear kernel that cannot overflow int32:
 * `floor((2^31 − 1) / (255 · (2^bits − 1)))` — 33025 for 8-bit, 561433 for 4-bit, 1203072 for 3-bit, 2807168 for 2-bit.
 *
 * @param bits - weight bit width
 * @returns the bound
 * @example
 * ```ts
 * maxDynamicLinearK(8); // 33025
 * ```
 */
export function maxDynamicLinearK(bits: WeightBits): number {
  return Math.floor(INT32_MAX / (255 * (2 ** bits - 1)));
}

function toSpec(input: LinearWeightsInput): LinearWeightsSpec {
  requireDType(OP, 'weight', input.weight, ['int8', 'int4', 'int2'] as const);
  const w = input.weight;
  if (w.rank !== 2) throw new ShapeError(`${OP}: "weight" has shape ${formatShape(w.shape)}; expected [n, k]`);
  const [n, k] = w.shape;
  const bits = input.bits ?? (w.dtype === 'int8' ? 8 : w.dtype === 'int4' ? 4 : 2);
  const blockSize = input.blockSize ?? 0;
  const groups = blockSize > 0 ? Math.ceil(k / blockSize) : 1;
  const scales = readScales(OP, 'scale', input.scale);
  let fullScales: Float32Array;
  if (scales.length === 1 && n * groups !== 1) fullScales = new Float32Array(n * groups).fill(scales[0]);
  else fullScales = scales.slice();
  let zeroPoints: Int32Array | undefined;
  if (input.zeroPoint !== undefined && input.zeroPoint !== null) {
    const z = input.zeroPoint;
    if (z.dtype !== w.dtype && z.dtype !== 'int8' && z.dtype !== 'int32') {
      throw new DTypeError(`${OP}: "zeroPoint" must be ${w.dtype}, int8 or int32, got ${z.dtype}`);
    }
    if (z.size !== input.scale.size) throw new ShapeError(`${OP}: "zeroPoint" has ${z.size} elements but "scale" has ${input.scale.size}`);
    const zv = Int32Array.from(intValues(z));
    zeroPoints = zv.length === 1 && n * groups !== 1 ? new Int32Array(n * groups).fill(zv[0]) : zv;
  }
  return { n, k, bits, values: Int8Array.from(intValues(w)), blockSize, scales: fullScales, zeroPoints };
}

/**
 * Validates quantized linear weights once, ahead of time, and returns a handle that caches each backend's packed
 * form (packing happens lazily on the first {@link dynamicLinear} call per backend, never per call).
 *
 * @param input - tensors ({@link LinearWeightsInput}) or a raw {@link LinearWeightsSpec}
 * @returns the {@link LinearWeights} handle
 * @throws {@link DTypeError} for a weight that is not int8/int4/int2 (tensor form)
 * @throws {@link ShapeError} when scales or zero points do not match `[n, groups]`, or a group is longer than
 *   {@link maxDynamicLinearK} (code `ERR_OVERFLOW`)
 * @throws {@link ValueError} for values or zero points outside the signed `bits` range, a bad block size or bit width,
 *   or a NaN/Inf/≤ 0 scale
 * @example
 * ```ts
 * const w = prepareLinearWeights({ weight: Tensor.from('int4', [2, 4], [1, -2, 3, 7, -8, 0, 1, 2]), scale: Tensor.from('float32', [2], [0.1, 0.2]) });
 * ```
 */
export function prepareLinearWeights(input: LinearWeightsInput | LinearWeightsSpec): LinearWeights {
  const spec = 'weight' in input ? toSpec(input) : copySpec(input);
  const { n, k, bits, values, blockSize, scales, zeroPoints } = spec;
  if (!Number.isSafeInteger(n) || n < 0 || !Number.isSafeInteger(k) || k < 0) {
    throw new ShapeError(`${OP}: n and k must be non-negative integers, got n = ${n}, k = ${k}`);
  }
  if (bits !== 8 && bits !== 4 && bits !== 3 && bits !== 2) throw new ValueError(`${OP}: "bits" must be 8, 4, 3 or 2, got ${String(bits)}`);
  if (!Number.isSafeInteger(blockSize) || blockSize < 0) throw new ValueError(`${OP}: "blockSize" must be an integer ≥ 0, got ${blockSize}`);
  if (values.length !== n * k) throw new ShapeError(`${OP}: "values" has ${values.length} elements but [n, k] = [${n}, ${k}] needs ${n * k}`);
  const groups = blockSize > 0 ? Math.ceil(k / blockSize) : 1;
  if (scales.length !== n * groups) {
    throw new ShapeError(
      `${OP}: "scales" has ${scales.length} elements but [n, groups] = [${n}, ${groups}] needs ${n * groups} (${blockSize > 0 ? `blockSize ${blockSize}` : 'per channel'})`,
    );
  }
  const lo = -(2 ** (bits - 1));
  const hi = 2 ** (bits - 1) - 1;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < lo || values[i] > hi) throw new ValueError(`${OP}: "values"[${i}] = ${values[i]} is outside the signed ${bits}-bit range [${lo}, ${hi}]`);
  }
  for (let i = 0; i < scales.length; i++) {
    const s = scales[i];
    if (!(s > 0) || s === Infinity) throw new ValueError(`${OP}: "scales"[${i}] = ${s} must be a finite scale > 0`, { quantParams: true });
  }
  if (zeroPoints) {
    if (zeroPoints.length !== scales.length) throw new ShapeError(`${OP}: "zeroPoints" has ${zeroPoints.length} elements, "scales" ${scales.length}`);
    for (let i = 0; i < zeroPoints.length; i++) {
      const z = zeroPoints[i];
      if (!Number.isInteger(z) || z < lo || z > hi) {
        throw new ValueError(`${OP}: "zeroPoints"[${i}] = ${z} is outside the signed ${bits}-bit range [${lo}, ${hi}]`, { quantParams: true });
      }
    }
  }
  assertSafeK('dynamicLinear', blockSize > 0 ? Math.min(blockSize, k) : k, maxDynamicLinearK(bits), `uint8 activations × ${bits}-bit weights (per group)`);
  return new LinearWeights(spec);
}

function copySpec(s: LinearWeightsSpec): LinearWeightsSpec {
  if (!(s.values instanceof Int8Array)) throw new DTypeError(`${OP}: "values" must be an Int8Array`);
  if (!(s.scales instanceof Float32Array)) throw new DTypeError(`${OP}: "scales" must be a Float32Array`);
  if (s.zeroPoints !== undefined && !(s.zeroPoints instanceof Int32Array)) throw new DTypeError(`${OP}: "zeroPoints" must be an Int32Array`);
  return { ...s, values: s.values.slice(), scales: s.scales.slice(), zeroPoints: s.zeroPoints?.slice() };
}
