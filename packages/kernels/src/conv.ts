import { formatShape, ShapeError, shapeSize, Tensor } from '@qint/tensor';
import { primitiveBackend, type OpOptions } from './backend-registry';
import { planConv, type ConvAttributes } from './internal/conv-plan';
import { requireDType } from './internal/validate';
import type { Conv2dGeometry, ConvF32Args, ConvPool } from './kernel-backend';
import { convEpilogueF32Js } from './js/conv-js';
import { maxPoolPlanesJs, pooledSize } from './js/max-pool-planes-js';

/** Attributes of {@link conv} (ONNX Conv) plus `{ backend }` and an output allocator. */
export interface ConvOptions extends ConvAttributes, OpOptions {
  /**
   * Returns the output's storage: a float32 array of exactly `length` elements, whose old contents do not matter
   * (every element is written). Lets an executor hand out recycled buffers: a fresh multi-megabyte array costs a
   * zero-fill and page faults, measured as long as the convolution itself. Defaults to `new Float32Array(length)`.
   */
  allocate?: (length: number) => Float32Array;
  /** Apply Relu (`v <= 0 ? 0 : v`: −0 gives +0, NaN stays NaN) to the output after the bias (an executor's fused Conv → Relu). */
  relu?: boolean;
  /**
   * After the Relu, `v · postScale[c] + postShift[c]` per output channel in float64, rounded once to float32 (an
   * executor's fused BatchNormalization; bit-identical with the node). `M` values each; both or neither.
   */
  postScale?: Float64Array;
  postShift?: Float64Array;
  /**
   * Then max-pool every output plane (an executor's fused MaxPool: `[kh, kw, sh, sw]`, no padding, dilation 1, floor
   * mode; the bits of the MaxPool node). The result has the pooled spatial size.
   */
  pool?: ConvPool;
}

/**
 * The output shape of a conv with an optional fused pool, checked: the pool window must fit the conv output.
 * @throws {@link ShapeError} for a pool that is not 4 positive integers or a window larger than the conv output
 */
function pooledConvShape(op: string, outShape: readonly number[], pool: ConvPool | undefined): number[] {
  if (!pool) return outShape.slice();
  if (pool.length !== 4 || !pool.every((v) => Number.isInteger(v) && v >= 1)) throw new ShapeError(`${op}: options.pool must be 4 positive integers [kh, kw, sh, sw], got [${pool.join(', ')}]`);
  const is1d = outShape.length === 3;
  const h = is1d ? 1 : outShape[2];
  const w = outShape[outShape.length - 1];
  if ((is1d && pool[0] !== 1) || pool[0] > h || pool[1] > w) {
    throw new ShapeError(`${op}: the fused pool window ${pool[0]}×${pool[1]} does not fit the conv output ${formatShape(outShape)}`);
  }
  const [ph, pw] = pooledSize(h, w, pool);
  return is1d ? [outShape[0], outShape[1], pw] : [outShape[0], outShape[1], ph, pw];
}

/**
 * The checked epilogue lists and the output storage of a conv with {@link ConvOptions} (shared by {@link conv} and
 * `dynamicConv`): the (pooled) output shape and an array of its size from `options.allocate` or a new one.
 * @throws {@link ShapeError} for unpaired or mis-sized `postScale`/`postShift`, a pool that does not fit, or an
 * allocator that returns the wrong length
 */
export function convOutput(op: string, outShape: readonly number[], m: number, options: ConvOptions): { shape: number[]; out: Float32Array } {
  const { postScale, postShift } = options;
  if ((postScale === undefined) !== (postShift === undefined) || (postScale && postScale.length !== m) || (postShift && postShift.length !== m)) {
    throw new ShapeError(`${op}: options.postScale and options.postShift must come together with ${m} values each`);
  }
  const shape = pooledConvShape(op, outShape, options.pool);
  const size = shapeSize(shape);
  const out = options.allocate ? options.allocate(size) : new Float32Array(size);
  if (out.length !== size) throw new ShapeError(`${op}: options.allocate returned ${out.length} elements; expected ${size}`);
  return { shape, out };
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
  const { shape: outShape, out } = convOutput(OP, plan.outShape, m, options);
  if (out.length > 0) {
    const g = plan.geometry;
    const xd = x.data as Float32Array;
    const wd = w.data as Float32Array;
    // No input channels: no backend call, every output is its bias.
    const backend = plan.k === 0 ? undefined : primitiveBackend('convF32', options);
    const fused = options.relu || options.postScale || options.pool;
    if (backend && (!fused || backend.convF32Epilogue === true)) {
      backend.convF32(convArgs(g, xd, wd, b, out, options));
    } else {
      // The bias-only output of K = 0, or a backend that predates the epilogue fields: the plain conv, then the
      // epilogue and pool here.
      const full = options.pool ? new Float32Array(shapeSize(plan.outShape)) : out;
      if (backend) backend.convF32(convArgs(g, xd, wd, b, full, {}));
      else {
        const plane = g.outHeight * g.outWidth;
        for (let i = 0; i < full.length; i++) full[i] = b ? b[Math.floor(i / plane) % m] : 0;
      }
      convEpilogueF32Js(convArgs(g, xd, wd, b, full, options));
      if (options.pool) maxPoolPlanesJs(full, g.batch * m, g.outHeight, g.outWidth, options.pool, out);
    }
  }
  return Tensor.from('float32', outShape, out);
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
    x, w, bias, out, relu: o.relu, postScale: o.postScale, postShift: o.postShift, pool: o.pool,
  };
}
