// ai.qint::DynamicLinear — the fused dynamic linear layer of @qint/kernels as a graph op.
import { dynamicLinear, prepareLinearWeights, type LinearWeights, type WeightBits } from '@qint/kernels';
import { DTypeError, ShapeError, Tensor, formatShape } from '@qint/tensor';
import { allocateF32 } from '../../buffer-pool';
import type { OpBuildContext, OpDefinition, ShapeInferrer } from '../op-definition';
import { constantInput } from './constant-input';
import { unpack3Bit } from './pack-3bit';
import { QINT_DOMAIN } from './qint-domain';

/** The storage dtype of each bit width (3-bit weights are a uint8 stream, see {@link pack3Bit}). */
const WEIGHT_DTYPE: Record<WeightBits, string> = { 8: 'int8', 4: 'int4', 3: 'uint8', 2: 'int2' };

/** Signed integer values of a weight or zero-point tensor, unpacking the 3-bit stream. */
function signedValues(t: Tensor, bits: WeightBits, count: number, what: string, label: string): Int8Array {
  if (bits === 3 && t.dtype === 'uint8') return unpack3Bit(t.data as Uint8Array, count);
  if (t.size !== count) throw new ShapeError(`${label}: "${what}" has ${t.size} elements; expected ${count}`);
  const v = t.values();
  return v instanceof Int8Array ? v : Int8Array.from(v);
}

/** Validates one DynamicLinear node's constant inputs and prepares its weights (once per node, at load). */
function prepare(ctx: OpBuildContext): { weights: LinearWeights; bias?: Tensor; perRow: boolean } {
  const a = ctx.attrs;
  const bits = a.int('bits', 8) as WeightBits;
  if (bits !== 8 && bits !== 4 && bits !== 3 && bits !== 2) a.fail(`attribute "bits" must be 8, 4, 3 or 2, got ${bits}`);
  const blockSize = a.int('block_size', 0);
  const perRowAttr = a.int('per_row', 0);
  if (perRowAttr !== 0 && perRowAttr !== 1) a.fail(`attribute "per_row" must be 0 or 1, got ${perRowAttr}`);
  const k = a.int('K', -1);
  const n = a.int('N', -1);
  if (!Number.isSafeInteger(k) || !Number.isSafeInteger(n) || k < 0 || n < 0) {
    a.fail(`attributes "K" and "N" are required non-negative integers, got K = ${k}, N = ${n}`);
  }
  const w = constantInput(ctx, 1, 'W', false)!;
  const scale = constantInput(ctx, 2, 'scales', false)!;
  const zp = constantInput(ctx, 3, 'zero_points', true);
  const bias = constantInput(ctx, 4, 'bias', true);
  const expected = WEIGHT_DTYPE[bits];
  if (w.dtype !== expected) {
    throw new DTypeError(`${ctx.label}: weight "W" must be ${expected} for bits = ${bits}, got ${w.dtype}`);
  }
  if (bits === 3) {
    const need = Math.ceil((3 * n * k) / 8);
    if (w.size !== need) throw new ShapeError(`${ctx.label}: 3-bit weight stream "W" has ${w.size} bytes; [N, K] = [${n}, ${k}] needs ${need}`);
  } else if (w.rank !== 2 || w.shape[0] !== n || w.shape[1] !== k) {
    throw new ShapeError(`${ctx.label}: weight "W" has shape ${formatShape(w.shape)}; expected [N, K] = [${n}, ${k}]`);
  }
  const values = signedValues(w, bits, n * k, 'W', ctx.label);
  const zeroPoints = zp ? Int32Array.from(zp.dtype === 'uint8' && bits === 3 ? unpack3Bit(zp.data as Uint8Array, scale.size) : zp.values()) : undefined;
  const groups = blockSize > 0 ? Math.ceil(k / blockSize) : 1;
  let scales = Float32Array.from(scale.values());
  let zps = zeroPoints;
  if (scales.length === 1 && n * groups !== 1) scales = new Float32Array(n * groups).fill(scales[0]);
  if (zps && zps.length === 1 && n * groups !== 1) zps = new Int32Array(n * groups).fill(zps[0]);
  // One validation and one (lazy, per backend) packing per node, at load — never per run.
  const weights = prepareLinearWeights({ n, k, bits, values, blockSize, scales, zeroPoints: zps });
  return { weights, bias, perRow: perRowAttr === 1 };
}

const infer: ShapeInferrer = (ctx, inputs) => {
  const x = inputs[0];
  const n = ctx.attrs.int('N');
  if (!x?.shape) return [{ dtype: 'float32' }];
  return [{ dtype: 'float32', shape: [...x.shape.slice(0, -1), n] }];
};

/**
 * `ai.qint::DynamicLinear` (since version 1): `Y = dequant(quant_u8(X) · Wᵀ) + bias`, the fused kernel
 * `dynamicLinear` of @qint/kernels. Activations are quantized to uint8 at run time (per tensor, or per row with
 * `per_row = 1`); weights are constant.
 *
 * Inputs: `X` float32 `[..., K]`; `W` `[N, K]` int8 (`bits` 8), int4 (4) or int2 (2), or for `bits` 3 a uint8
 * tensor holding `N·K` values as a 3-bit stream ({@link pack3Bit}); `scales` float32 `[N]` (per channel), `[N, ceil(K /
 * block_size)]` (per block) or one element (per tensor); optional `zero_points` (signed, same layout as `scales`; int8, or
 * the weight dtype); optional float32 `bias` `[N]`. Attributes: `bits`, `block_size` (0 = per channel), `per_row`, `K`, `N`.
 * Output: `Y` float32 `[..., N]`.
 *
 * @example
 * ```ts
 * const registry = new OpRegistry().register(dynamicLinearOp);
 * ```
 */
export const dynamicLinearOp: OpDefinition = {
  domain: QINT_DOMAIN,
  opType: 'DynamicLinear',
  sinceVersion: 1,
  build(ctx) {
    const { weights, bias, perRow } = prepare(ctx);
    // The output comes from the session's recycled buffers: the kernel writes every element of it.
    const options = { ...(bias ? { bias } : {}), perRow, ...(ctx.backend ? { backend: ctx.backend } : {}), allocate: allocateF32 };
    return ([x]) => [dynamicLinear(x!, weights, options)];
  },
  infer,
};
