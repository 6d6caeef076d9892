import { formatShape, ShapeError, shapeSize, Tensor } from '@qint/tensor';
import { primitiveBackend, type OpOptions } from './backend-registry';
import { planConv, type ConvAttributes, type ConvPlan } from './internal/conv-plan';
import { readZeroPoints, requireDType } from './internal/validate';
import { assertSafeK, maxSafeK } from './numerics';

/** Attributes of {@link convInteger} (ONNX ConvInteger) plus `{ backend }`. */
export interface ConvIntegerOptions extends ConvAttributes, OpOptions {}

/** Shared by convInteger and qlinearConv: validation, K bound, dispatch. Returns the int32 accumulators. */
export function integerConv(
  op: string,
  x: Tensor,
  w: Tensor,
  xZp: Tensor | undefined,
  wZp: Tensor | undefined,
  options: ConvIntegerOptions,
): { plan: ConvPlan; acc: Int32Array } {
  requireDType(op, 'x', x, ['uint8', 'int8'] as const);
  requireDType(op, 'w', w, ['uint8', 'int8'] as const);
  const plan = planConv(op, x, w, options, 'x', 'w');
  const m = plan.geometry.outChannels;
  let xz = 0;
  if (xZp !== undefined && xZp !== null) {
    const z = readZeroPoints(op, 'x_zero_point', xZp, x.dtype);
    if (z.length !== 1) throw new ShapeError(`${op}: input "x_zero_point" has shape ${formatShape(xZp.shape)}; expected one element (per tensor)`);
    xz = z[0];
  }
  let wz: Int32Array = new Int32Array(1);
  if (wZp !== undefined && wZp !== null) {
    wz = readZeroPoints(op, 'w_zero_point', wZp, w.dtype);
    if (wz.length !== 1 && !(wZp.rank === 1 && wz.length === m)) {
      throw new ShapeError(`${op}: input "w_zero_point" has shape ${formatShape(wZp.shape)}; expected one element or [${m}] (per output channel)`);
    }
  }
  assertSafeK(op, plan.k, maxSafeK(x.dtype, w.dtype, [xz], wz), `${x.dtype} × ${w.dtype} with these zero points`);
  const acc = new Int32Array(shapeSize(plan.outShape));
  if (acc.length > 0 && plan.k > 0) {
    // One literal of a fixed shape: spreading the geometry costs ~3 µs per call on V8 11 (see conv.ts).
    const g = plan.geometry;
    primitiveBackend('convInteger', options).convInteger({
      batch: g.batch, inChannels: g.inChannels, inHeight: g.inHeight, inWidth: g.inWidth, outChannels: g.outChannels,
      kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth, outHeight: g.outHeight, outWidth: g.outWidth,
      padTop: g.padTop, padLeft: g.padLeft, strideHeight: g.strideHeight, strideWidth: g.strideWidth,
      dilationHeight: g.dilationHeight, dilationWidth: g.dilationWidth, group: g.group,
      x: x.data as Int8Array | Uint8Array,
      w: w.data as Int8Array | Uint8Array,
      xZeroPoint: xz,
      wZeroPoint: wz,
      out: acc,
    });
  }
  return { plan, acc };
}

/**
 * ONNX ConvInteger: int32 `Σ (x − x_zero_point)(w − w_zero_point)` over each window; padding contributes 0 (it reads as
 * the zero point). 1-D (`[N, C, L]`) and 2-D (`[N, C, H, W]`) inputs; groups (incl. depthwise), pads or auto_pad
 * (SAME_UPPER, SAME_LOWER, VALID), strides and dilations; `w_zero_point` per tensor or per output channel.
 *
 * @param x - uint8 or int8 input `[N, C, H, W]` or `[N, C, L]`
 * @param w - uint8 or int8 weights `[M, C/group, kH, kW]` or `[M, C/group, kL]`
 * @param xZeroPoint - optional, one element of `x`'s dtype
 * @param wZeroPoint - optional, one element or `[M]`, of `w`'s dtype
 * @param options - {@link ConvIntegerOptions}
 * @returns int32 `[N, M, outH, outW]` (or `[N, M, outL]`)
 * @throws {@link DTypeError} for wrong dtypes
 * @throws {@link ShapeError} for shapes/attributes that do not agree, or `C/group·kH·kW` beyond the int32-safe K
 * @throws {@link ValueError} for bad attribute values or out-of-range zero points
 * @example
 * ```ts
 * convInteger(x, w, Tensor.scalar('uint8', 1), undefined, { pads: [1, 1, 1, 1] });
 * ```
 */
export function convInteger(x: Tensor, w: Tensor, xZeroPoint?: Tensor, wZeroPoint?: Tensor, options: ConvIntegerOptions = {}): Tensor<'int32'> {
  const { plan, acc } = integerConv('convInteger', x, w, xZeroPoint, wZeroPoint, options);
  return Tensor.from('int32', plan.outShape, acc);
}
