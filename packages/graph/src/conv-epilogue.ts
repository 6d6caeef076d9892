// What the load-time fusions append to a conv (ONNX Conv or ai.qint DynamicConv): a Relu, then a per-channel affine
// map (a BatchNormalization that follows the Relu and so cannot be folded into the weights). Both are applied in one
// pass over the conv's output, in place, instead of one node (an allocation and a full pass) each.
import type { ConvOptions, ConvPool } from '@qint/kernels';
import { GraphError } from './graph-error';
import type { AttributeReader } from './ops/attribute-reader';

/** The fused tail of a conv node: attributes `activation` ('Relu'), `post_scale` and `post_shift` (one per channel), `pool`. */
export interface ConvEpilogue {
  readonly relu: boolean;
  /** Per output channel; with `shift`, `y = v · scale[c] + shift[c]` in float64, rounded once to float32 (as BatchNormalization). */
  readonly scale?: Float64Array;
  readonly shift?: Float64Array;
  /** A fused MaxPool `[kh, kw, sh, sw]` (attribute `pool`), applied last. */
  readonly pool?: ConvPool;
}

/**
 * Reads a conv node's fused epilogue (set only by the executor's load-time fusions, never by exporters).
 *
 * @param attrs - the node's attributes
 * @param channels - the conv's output channels, when known at load (to check the per-channel lengths)
 * @returns the epilogue, or undefined when nothing is fused
 * @throws {@link GraphError} for an unknown activation or per-channel lists of different or wrong lengths
 * @example
 * ```ts
 * const epilogue = readConvEpilogue(ctx.attrs, 16);
 * ```
 */
export function readConvEpilogue(attrs: AttributeReader, channels?: number): ConvEpilogue | undefined {
  const activation = attrs.string('activation', '');
  if (activation !== '' && activation !== 'Relu') throw new GraphError(`attribute "activation" must be "Relu", got "${activation}"`);
  const scale = attrs.floats('post_scale');
  const shift = attrs.floats('post_shift');
  if ((scale === undefined) !== (shift === undefined) || (scale && shift && scale.length !== shift.length)) {
    throw new GraphError('attributes "post_scale" and "post_shift" must come together, with one value per output channel each');
  }
  if (scale && channels !== undefined && scale.length !== channels) {
    throw new GraphError(`attribute "post_scale" has ${scale.length} values; the conv has ${channels} output channels`);
  }
  const pool = attrs.ints('pool');
  if (pool && (pool.length !== 4 || !pool.every((v) => Number.isInteger(v) && v >= 1))) {
    throw new GraphError(`attribute "pool" must be 4 positive integers [kh, kw, sh, sw], got [${pool.join(', ')}]`);
  }
  if (activation === '' && !scale && !pool) return undefined;
  return {
    relu: activation === 'Relu',
    ...(scale && shift ? { scale: Float64Array.from(scale), shift: Float64Array.from(shift) } : {}),
    ...(pool ? { pool: [pool[0], pool[1], pool[2], pool[3]] as const } : {}),
  };
}

/**
 * An epilogue as the fields of the conv kernels' options (`conv` / `dynamicConv` of @qint/kernels), only those it sets.
 *
 * @param e - the epilogue read by {@link readConvEpilogue}, or undefined
 * @returns `relu`, `postScale`/`postShift` and `pool` as present in `e`
 * @example
 * ```ts
 * const options = { ...attributes, ...convEpilogueOptions(readConvEpilogue(ctx.attrs, m)) };
 * ```
 */
export function convEpilogueOptions(e: ConvEpilogue | undefined): Pick<ConvOptions, 'relu' | 'postScale' | 'postShift' | 'pool'> {
  if (!e) return {};
  return {
    ...(e.relu ? { relu: true } : {}),
    ...(e.scale && e.shift ? { postScale: e.scale, postShift: e.shift } : {}),
    ...(e.pool ? { pool: e.pool } : {}),
  };
}

/**
 * Applies an epilogue's Relu (`v <= 0 ? 0 : v`, as the Relu op: NaN stays NaN) and `v · scale[c] + shift[c]` in place to a conv output
 * `[N, channels, ...spatial]` (not its `pool`: the caller pools).
 *
 * @param data - the conv output, changed in place
 * @param e - the epilogue
 * @param channels - output channels
 * @param spatial - elements per channel plane (the product of the spatial dims)
 * @throws {@link GraphError} when the per-channel lists do not match `channels`
 * @example
 * ```ts
 * applyConvEpilogue(y.data as Float32Array, { relu: true }, 16, 14 * 14);
 * ```
 */
export function applyConvEpilogue(data: Float32Array, e: ConvEpilogue, channels: number, spatial: number): void {
  const { scale, shift } = e;
  if (!scale || !shift) {
    if (!e.relu) return;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      data[i] = v <= 0 ? 0 : v;
    }
    return;
  }
  if (scale.length !== channels) throw new GraphError(`the fused post_scale has ${scale.length} values; the conv output has ${channels} channels`);
  const planes = spatial > 0 ? data.length / spatial : 0;
  for (let p = 0; p < planes; p++) {
    const c = p % channels;
    const k = scale[c];
    const t = shift[c];
    const end = (p + 1) * spatial;
    if (e.relu) {
      for (let i = p * spatial; i < end; i++) {
        const v = data[i];
        data[i] = (v <= 0 ? 0 : v) * k + t;
      }
    } else for (let i = p * spatial; i < end; i++) data[i] = data[i] * k + t;
  }
}
