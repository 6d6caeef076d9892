import { hasNonFinite } from './internal/non-finite';
import { formatShape, ShapeError, Tensor, ValueError } from '@qint/tensor';
import { primitiveBackend } from './backend-registry';
import { convOutput, type ConvOptions } from './conv';
import { planConv } from './internal/conv-plan';
import { requireDType } from './internal/validate';
import type { Conv2dGeometry, DynamicConvF32Args } from './kernel-backend';
import { maxSafeK } from './numerics';

/** Options of {@link dynamicConv}: ONNX Conv attributes, `{ backend }`, the output allocator and the epilogue of {@link conv}. */
export type DynamicConvOptions = ConvOptions;

/**
 * The largest reduction length `C/group · kH · kW` {@link dynamicConv} accepts for weights of `wDtype`: int32-safe for
 * any activation zero point (a uint8 activation minus its zero point lies in [−255, 255]).
 *
 * @param wDtype - `'int8'` or `'uint8'`
 * @param wZeroPoint - the weight zero points (default 0)
 * @returns the bound on K
 * @example
 * ```ts
 * maxDynamicConvK('int8'); // 65793
 * ```
 */
export function maxDynamicConvK(wDtype: 'int8' | 'uint8', wZeroPoint?: ArrayLike<number>): number {
  // maxSafeK would take a missing zero point as any of the type's (33025); dynamicConv's default is 0.
  return maxSafeK('uint8', wDtype, [0, 255], wZeroPoint ?? [0]);
}

/**
 * The dynamic quantization of a convolution in one backend call (ai.qint DynamicConv): `x` quantized per tensor as
 * DynamicQuantizeLinear, ConvInteger with int8/uint8 `w`, per output channel `f32(acc · f32(xScale · wScale[c]))
 * (+ bias[c])`, then `relu` / `postScale`·`postShift` / `pool` as in {@link conv}. Bit-identical on every backend. A NaN or
 * ±Infinity anywhere in `x` makes every output NaN (the activations share one scale).
 *
 * @param x - float32 `[N, C, H, W]` or `[N, C, L]`
 * @param w - int8 or uint8 `[M, C/group, kH, kW]` (or `[M, C/group, kL]`)
 * @param wScale - `M` positive finite float32 scales
 * @param wZeroPoint - 1 or `M` zero points in `w`'s range (default 0)
 * @param bias - optional `M` float32 values
 * @param options - {@link DynamicConvOptions}
 * @returns float32 `[N, M, outH, outW]` (or `[N, M, outL]`)
 * @throws {@link DTypeError} for other dtypes
 * @throws {@link ShapeError} for shapes or attributes that do not agree, or K above {@link maxDynamicConvK}
 * @throws {@link ValueError} for non-positive or non-finite scales
 * @example
 * ```ts
 * const y = dynamicConv(x, wq, new Float32Array([0.01, 0.02]), undefined, undefined, { pads: [1, 1, 1, 1], relu: true });
 * ```
 */
export function dynamicConv(
  x: Tensor,
  w: Tensor,
  wScale: Float32Array,
  wZeroPoint?: Int32Array,
  bias?: Float32Array,
  options: DynamicConvOptions = {},
): Tensor<'float32'> {
  const OP = 'dynamicConv';
  requireDType(OP, 'x', x, ['float32'] as const);
  requireDType(OP, 'w', w, ['int8', 'uint8'] as const);
  const plan = planConv(OP, x, w, options, 'x', 'w');
  const m = plan.geometry.outChannels;
  if (wScale.length !== m) throw new ShapeError(`${OP}: wScale has ${wScale.length} values; expected M = ${m}`);
  for (let c = 0; c < m; c++) {
    if (!(wScale[c] > 0) || wScale[c] === Infinity) throw new ValueError(`${OP}: wScale[${c}] = ${wScale[c]} must be finite and > 0`);
  }
  const wz = wZeroPoint ?? new Int32Array(1);
  if (wz.length !== 1 && wz.length !== m) throw new ShapeError(`${OP}: wZeroPoint has ${wz.length} values; expected 1 or M = ${m}`);
  if (bias && bias.length !== m) throw new ShapeError(`${OP}: bias has ${bias.length} values; expected M = ${m}`);
  const limit = maxDynamicConvK(w.dtype as 'int8' | 'uint8', wz);
  if (plan.k > limit) {
    throw new ShapeError(`${OP}: reduction length K = ${plan.k} of x ${formatShape(x.shape)} ⊛ w ${formatShape(w.shape)} may overflow int32; the largest safe K is ${limit}`, { overflow: true });
  }
  const { shape: outShape, out } = convOutput(OP, plan.outShape, m, options);
  if (out.length > 0) {
    primitiveBackend('dynamicConvF32', options).dynamicConvF32(
      dynamicConvArgs(plan.geometry, x.data as Float32Array, w.data as Int8Array | Uint8Array, wz, wScale, bias, out, options),
    );
    // One activation scale for all of x: a NaN or ±Infinity anywhere in it makes every output NaN.
    if (hasNonFinite(x.data as Float32Array, 0, x.size)) out.fill(NaN);
  }
  return Tensor.from('float32', outShape, out);
}

/** One fixed-shape literal (an object spread costs ~3 µs per call on V8 11; see conv.ts). */
function dynamicConvArgs(
  g: Conv2dGeometry, x: Float32Array, w: Int8Array | Uint8Array, wZeroPoint: Int32Array, wScale: Float32Array, bias: Float32Array | undefined,
  out: Float32Array, o: DynamicConvOptions,
): DynamicConvF32Args {
  return {
    batch: g.batch, inChannels: g.inChannels, inHeight: g.inHeight, inWidth: g.inWidth, outChannels: g.outChannels,
    kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth, outHeight: g.outHeight, outWidth: g.outWidth,
    padTop: g.padTop, padLeft: g.padLeft, strideHeight: g.strideHeight, strideWidth: g.strideWidth,
    dilationHeight: g.dilationHeight, dilationWidth: g.dilationWidth, group: g.group,
    x, w, wZeroPoint, wScale, bias, out, relu: o.relu, postScale: o.postScale, postShift: o.postShift, pool: o.pool,
  };
}
