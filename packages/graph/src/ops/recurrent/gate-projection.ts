// The matrix products of a recurrent layer: one object per weight matrix and direction, prepared once.
import {
  dynamicLinear,
  gemm,
  getBackend,
  prepareGemmWeights,
  type GemmWeights,
  type KernelBackend,
  type LinearWeights,
} from '@qint/kernels';
import { Tensor } from '@qint/tensor';

/** `out[m, n] = x[m, k] · Wᵀ` for one run: the returned array is reused, valid until the next call. */
export type ProjectFn = (x: Float32Array, m: number) => Float32Array;

/**
 * `out[m, n] = x[m, k] · Wᵀ` for one weight matrix `W` `[n, k]` of a recurrent layer (W or R of one direction). Built
 * once per node at load (constant weights) or once per run, never per time step: the backend packs the matrix at its
 * first product and reuses the packed form for every step.
 */
export interface GateProjection {
  readonly n: number;
  readonly k: number;
  /**
   * Resolves the backend and its packed weights once for a run and returns the product function its steps call
   * (straight to the backend primitive: no tensors, checks or allocations per step).
   */
  begin(): ProjectFn;
  /** Frees the backend's packed copy (projections built per run). */
  release(): void;
}

/** An allocator that hands out one buffer per length, reused call after call (the steps of a sequence). */
function reusedBuffer(): (length: number) => Float32Array {
  let buffer = new Float32Array(0);
  return (length) => (buffer.length === length ? buffer : (buffer = new Float32Array(length)));
}

const activeBackend = (pinned: KernelBackend | undefined): KernelBackend => pinned ?? getBackend().backend;

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
 * const gates = p.begin()(hPrev, batch);
 * ```
 */
export function floatProjection(w: Float32Array, n: number, k: number, backend: KernelBackend | undefined): GateProjection {
  const weights: GemmWeights = prepareGemmWeights(Tensor.from('float32', [n, k], w));
  const allocate = reusedBuffer();
  return {
    n,
    k,
    begin: () => {
      const b = activeBackend(backend);
      if (typeof b.gemmF32 !== 'function' || k === 0) {
        const options = { transB: true, allocate, ...(backend ? { backend } : {}) };
        return (x, m) => gemm(Tensor.from('float32', [m, k], x), weights, undefined, options).data as Float32Array;
      }
      const packedB = typeof b.packGemmWeights === 'function' ? weights.packedFor(b as KernelBackend & Required<Pick<KernelBackend, 'packGemmWeights'>>, true) : undefined;
      return (x, m) => {
        const out = allocate(m * n);
        if (m > 0) b.gemmF32!({ m, n, k, a: x, b: w, transB: true, out, ...(packedB ? { packedB } : {}) });
        return out;
      };
    },
    release: () => weights.release(),
  };
}

/**
 * A dynamically quantized projection: `x` quantized to uint8 per row at run time (each row — one time step of one
 * sequence — with its own range), integer dot products with the pre-packed 8/4/3/2-bit weights, dequantized to
 * float32: the `dynamicLinear` primitive of @qint/kernels, bit-identical on every backend.
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
  const allocate = reusedBuffer();
  const { n, k } = weights;
  return {
    n,
    k,
    begin: () => {
      const b = activeBackend(backend);
      if (typeof b.dynamicLinear !== 'function' || typeof b.packLinearWeights !== 'function' || k === 0) {
        // The op function falls back to the JS backend's primitive (and handles k = 0).
        const options = { perRow: true, allocate, ...(backend ? { backend } : {}) };
        return (x, m) => dynamicLinear(Tensor.from('float32', [m, k], x), weights, options).data as Float32Array;
      }
      const packed = weights.packedFor(b as KernelBackend & Required<Pick<KernelBackend, 'packLinearWeights'>>);
      return (x, m) => {
        const out = allocate(m * n);
        if (m > 0) b.dynamicLinear!({ m, x, weights: packed, perRow: true, out });
        return out;
      };
    },
    release: () => undefined,
  };
}
