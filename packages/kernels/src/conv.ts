import { formatShape, ShapeError, shapeSize, Tensor } from '@qint/tensor';
import { primitiveBackend, type OpOptions } from './backend-registry';
import { planConv, type ConvAttributes } from './internal/conv-plan';
import { requireDType } from './internal/validate';
import type { Conv2dGeometry, ConvF32Args } from './kernel-backend';
import { convEpilogueF32Js } from './js/conv-js';

/** Attributes of {@link conv} (ONNX Conv) plus `{ backend }` and an output allocator. */
export interface ConvOptions extends ConvAttributes, OpOptions {
  /**
   * Returns the output's storage: a float32 array of exactly `length` elements, whose old contents do not matter
   * (every element is written). Lets an executor hand out recycled buffers: a fresh multi-megabyte array costs a
   * zero-fill and page faults, measured as long as the convolution itself. Defaults to `new Float32Array(length)`.
   */
  allocate?: (length: number) => Float32Array;
  /** Apply Relu (`v > 0 ? v : 0`) to the output after the bias (an executor's fused Conv → Relu). */
  relu?: boolean;
  /**
   * After the Relu, `v · postScale[c] + postShift[c]` per output channel in float64, rounded once to float32 (an
   * executor's fused BatchNormalization; bit-identical with the node). `M` values each; both or neither.
   */
  postScale?: Float64Array;
  postShift?: Float64Array;
}

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
  const { relu, postScale, postShift } = options;
  if ((postScale === undefined) !== (postShift === undefined) || (postScale && postScale.length !== m) || (postShift && postShift.length !== m)) {
    throw new ShapeError(`${OP}: options.postScale and options.postShift must come together with ${m} values each`);
  }
  const size = shapeSize(plan.outShape);
  const out = options.allocate ? options.allocate(size) : new Float32Array(size);
  if (out.length !== size) throw new ShapeError(`${OP}: options.allocate returned ${out.length} elements; expected ${size}`);
  if (out.length > 0) {
    if (plan.k === 0) {
      const plane = out.length / (plan.geometry.batch * m);
      for (let i = 0; i < out.length; i++) out[i] = b ? b[Math.floor(i / plane) % m] : 0;
      convEpilogueF32Js(convArgs(plan.geometry, x.data as Float32Array, w.data as Float32Array, undefined, out, options));
    } else {
      primitiveBackend('convF32', options).convF32(convArgs(plan.geometry, x.data as Float32Array, w.data as Float32Array, b, out, options));
    }
  }
  return Tensor.from('float32', plan.outShape, out);
}

/**
 * The backend arguments as one object literal of a fixed shape: an object spread of the geometry (`{ ...g, x, … }`)
 * costs ~3 µs per call on V8 11, as much as a small conv's arithmetic.
 */
function convArgs(g: Conv2dGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | undefined, out: Float32Array, o: ConvOptions): ConvF32Args {
  return {
    batch: g.batch, inChannels: g.inChannels, inHeight: g.inHeight, inWidth: g.inWidth, outChannels: g.outChannels,
    kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth, outHeight: g.outHeight, outWidth: g.outWidth,
    padTop: g.padTop, padLeft: g.padLeft, strideHeight: g.strideHeight, strideWidth: g.strideWidth,
    dilationHeight: g.dilationHeight, dilationWidth: g.dilationWidth, group: g.group,
    x, w, bias, out, relu: o.relu, postScale: o.postScale, postShift: o.postShift,
  };
}
