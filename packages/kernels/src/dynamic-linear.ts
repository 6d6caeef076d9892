import { formatShape, ShapeError, shapeSize, Tensor, ValueError } from '@qint/tensor';
import { getJsBackend, primitiveBackend, type OpOptions } from './backend-registry';
import { poisonNonFinite } from './internal/non-finite';
import { requireDType } from './internal/validate';
import { LinearWeights } from './linear-weights';

/** Options of {@link dynamicLinear}. */
export interface DynamicLinearOptions extends OpOptions {
  /** Optional float32 bias `[n]`. */
  bias?: Tensor;
  /** Quantize each row (token) with its own range instead of one range for all of `x` (default false). */
  perRow?: boolean;
  /**
   * Returns the output's storage: a float32 array of exactly `length` elements, whose old contents do not matter
   * (every element is written), so an executor can hand out recycled buffers, as for `conv`. Defaults to
   * `new Float32Array(length)`.
   */
  allocate?: (length: number) => Float32Array;
}

/**
 * The fused dynamic linear layer: float activations quantized to uint8 on the fly (per tensor or per row), integer
 * dot products with pre-packed 8/4/3/2-bit weights (per-channel or per-block scales and zero points), int32
 * accumulation, dequantized with bias to float32 — one call. A NaN or ±Infinity in `x` makes the outputs it feeds NaN
 * (its row with `perRow`, else the whole output), as the float layer cannot give a finite result there. The float arithmetic is fixed exactly (see
 * `DynamicLinearArgs` and the README), so every backend gives bit-identical outputs.
 *
 * Runs on the active backend when it implements both `packLinearWeights` and `dynamicLinear`, else on JS; the
 * weights are packed for that backend on first use and reused afterwards.
 *
 * @param x - float32 `[..., k]`
 * @param weights - from {@link prepareLinearWeights}
 * @param options - {@link DynamicLinearOptions}
 * @returns float32 `[..., n]`
 * @throws {@link DTypeError} when `x` or the bias is not float32
 * @throws {@link ShapeError} when the last dim of `x` is not `k` or the bias is not `[n]`
 * @throws {@link ValueError} when the weights were released or are not a {@link LinearWeights}
 * @example
 * ```ts
 * const y = dynamicLinear(x, prepareLinearWeights({ weight, scale }), { bias, perRow: true });
 * ```
 */
export function dynamicLinear(x: Tensor, weights: LinearWeights, options: DynamicLinearOptions = {}): Tensor<'float32'> {
  const OP = 'dynamicLinear';
  requireDType(OP, 'x', x, ['float32'] as const);
  if (!(weights instanceof LinearWeights)) throw new ValueError(`${OP}: "weights" must come from prepareLinearWeights()`);
  const { n, k } = weights;
  if (x.rank === 0 || x.shape[x.rank - 1] !== k) {
    throw new ShapeError(`${OP}: input "x" has shape ${formatShape(x.shape)}; its last dim must be k = ${k} of the weights [${n}, ${k}]`);
  }
  let bias: Float32Array | undefined;
  if (options.bias !== undefined && options.bias !== null) {
    requireDType(OP, 'bias', options.bias, ['float32'] as const);
    if (options.bias.rank !== 1 || options.bias.shape[0] !== n) {
      throw new ShapeError(`${OP}: "bias" has shape ${formatShape(options.bias.shape)}; expected [${n}]`);
    }
    bias = options.bias.data as Float32Array;
  }
  const m = k === 0 ? shapeSize(x.shape.slice(0, -1)) : x.size / k;
  const outShape = [...x.shape.slice(0, -1), n];
  const out = options.allocate ? options.allocate(m * n) : new Float32Array(m * n);
  if (out.length !== m * n) throw new ShapeError(`${OP}: options.allocate returned ${out.length} elements; expected ${m * n}`);
  if (out.length === 0) return Tensor.from('float32', outShape, out);
  if (k === 0) {
    // Empty reduction: y = 0, plus bias (an allocated array may hold stale values).
    if (bias) for (let i = 0; i < m; i++) out.set(bias, i * n);
    else out.fill(0);
    return Tensor.from('float32', outShape, out);
  }
  let backend = primitiveBackend('dynamicLinear', options);
  if (typeof backend.packLinearWeights !== 'function') backend = getJsBackend();
  const packed = weights.packedFor(backend as typeof backend & { packLinearWeights: NonNullable<typeof backend.packLinearWeights> });
  backend.dynamicLinear({ m, x: x.data as Float32Array, weights: packed, bias, perRow: Boolean(options.perRow), out });
  poisonNonFinite(x.data as Float32Array, m, k, Boolean(options.perRow), out, n);
  return Tensor.from('float32', outShape, out);
}
