// The matrix products of a recurrent layer: one object per weight matrix and direction, prepared once.
import { dynamicLinear, gemm, prepareGemmWeights, type GemmWeights, type KernelBackend, type LinearWeights } from '@qint/kernels';
import { Tensor } from '@qint/tensor';

/**
 * `out[m, n] = x[m, k] · Wᵀ` for one weight matrix `W` `[n, k]` of a recurrent layer (W or R of one direction). Built
 * once per node at load (constant weights) or once per run, never per time step: the backend packs the matrix at its
 * first product and reuses the packed form for every step.
 */
export interface GateProjection {
  readonly n: number;
  readonly k: number;
  /**
   * @param x - `[m, k]` row-major float32
   * @param m - rows
   * @returns `[m, n]` float32, in a buffer this projection reuses: valid until its next `apply`
   */
  apply(x: Float32Array, m: number): Float32Array;
  /** Frees the backend's packed copy (projections built per run). */
  release(): void;
}

/** An allocator that hands out one buffer per length, reused call after call (the steps of a sequence). */
function reusedBuffer(): (length: number) => Float32Array {
  let buffer = new Float32Array(0);
  return (length) => (buffer.length === length ? buffer : (buffer = new Float32Array(length)));
}

/**
 * A float32 projection on the backend's GEMM with the weights packed once (`prepareGemmWeights`).
 *
 * @param w - `[n, k]` row-major (a view of the node's W or R for one direction; not copied, not mutated)
 * @param n - output features
 * @param k - input features
 * @param backend - the session's backend (undefined: the selected one)
 * @returns the projection
 * @example
 * ```ts
 * const p = floatProjection(r.subarray(0, 4 * h * h), 4 * h, h, undefined);
 * const gates = p.apply(hPrev, batch);
 * ```
 */
export function floatProjection(w: Float32Array, n: number, k: number, backend: KernelBackend | undefined): GateProjection {
  const weights: GemmWeights = prepareGemmWeights(Tensor.from('float32', [n, k], w));
  const options = { transB: true, allocate: reusedBuffer(), ...(backend ? { backend } : {}) };
  return {
    n,
    k,
    apply: (x, m) => gemm(Tensor.from('float32', [m, k], x), weights, undefined, options).data as Float32Array,
    release: () => weights.release(),
  };
}

/**
 * A dynamically quantized projection: `x` quantized to uint8 per row at run time (each row — one time step of one
 * sequence — with its own range), integer dot products with the pre-packed 8/4/3/2-bit weights, dequantized to
 * float32: `dynamicLinear` of @qint/kernels, bit-identical on every backend.
 *
 * @param weights - from `prepareLinearWeights` (`[n, k]`)
 * @param backend - the session's backend (undefined: the selected one)
 * @returns the projection
 * @example
 * ```ts
 * const p = quantizedProjection(prepareLinearWeights({ n, k, bits: 8, values, blockSize: 0, scales }), undefined);
 * ```
 */
export function quantizedProjection(weights: LinearWeights, backend: KernelBackend | undefined): GateProjection {
  const options = { perRow: true, allocate: reusedBuffer(), ...(backend ? { backend } : {}) };
  const { n, k } = weights;
  return {
    n,
    k,
    apply: (x, m) => dynamicLinear(Tensor.from('float32', [m, k], x), weights, options).data as Float32Array,
    release: () => undefined,
  };
}
