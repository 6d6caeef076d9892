import { formatShape, ShapeError, shapeSize, Tensor } from '@qint/tensor';
import { primitiveBackend, type OpOptions } from './backend-registry';
import { planConv, type ConvAttributes } from './internal/conv-plan';
import { requireDType } from './internal/validate';

/** Attributes of {@link conv} (ONNX Conv) plus `{ backend }`. */
export interface ConvOptions extends ConvAttributes, OpOptions {}

/**
 * ONNX Conv in float32 — the float baseline the integer path must beat. 1-D or 2-D, groups (incl. depthwise), pads
 * or auto_pad, strides, dilations, optional bias.
 *
 * @param x - float32 `[N, C, H, W]` or `[N, C, L]`
 * @param w - float32 `[M, C/group, kH, kW]` or `[M, C/group, kL]`
 * @param bias - optional float32 `[M]`
 * @param options - {@link ConvOptions}
 * @returns float32 `[N, M, outH, outW]` (or `[N, M, outL]`)
 * @throws {@link DTypeError} for non-float32 inputs
 * @throws {@link ShapeError} / {@link ValueError} for shapes or attributes that do not agree
 * @example
 * ```ts
 * conv(x, w, undefined, { pads: [1, 1, 1, 1], strides: [2, 2] });
 * ```
 */
export function conv(x: Tensor, w: Tensor, bias?: Tensor, options: ConvOptions = {}): Tensor<'float32'> {
  const OP = 'conv';
  requireDType(OP, 'X', x, ['float32'] as const);
  requireDType(OP, 'W', w, ['float32'] as const);
  const plan = planConv(OP, x, w, options);
  const m = plan.geometry.outChannels;
  let b: Float32Array | undefined;
  if (bias !== undefined && bias !== null) {
    requireDType(OP, 'B', bias, ['float32'] as const);
    if (bias.rank !== 1 || bias.shape[0] !== m) throw new ShapeError(`${OP}: input "B" has shape ${formatShape(bias.shape)}; expected [${m}]`);
    b = bias.data as Float32Array;
  }
  const out = new Float32Array(shapeSize(plan.outShape));
  if (out.length > 0) {
    if (plan.k === 0) {
      const plane = out.length / (plan.geometry.batch * m);
      if (b) for (let i = 0; i < out.length; i++) out[i] = b[Math.floor(i / plane) % m];
    } else {
      primitiveBackend('convF32', options).convF32({ ...plan.geometry, x: x.data as Float32Array, w: w.data as Float32Array, bias: b, out });
    }
  }
  return Tensor.from('float32', plan.outShape, out);
}
