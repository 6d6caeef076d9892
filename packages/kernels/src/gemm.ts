import { broadcastStrides, formatShape, ShapeError, Tensor } from '@qint/tensor';
import { primitiveBackend, type OpOptions } from './backend-registry';
import { GemmWeights, packedGemmB } from './gemm-weights';
import { requireDType } from './internal/validate';

/** Attributes of {@link gemm} (ONNX Gemm) plus `{ backend }`. */
export interface GemmOptions extends OpOptions {
  /** Multiplier of `A·B` (default 1). */
  alpha?: number;
  /** Multiplier of `C` (default 1). */
  beta?: number;
  /** Use `Aᵀ` (A is `[K, M]`). */
  transA?: boolean | number;
  /** Use `Bᵀ` (B is `[N, K]`, the `nn.Linear` layout; read in place, no copy). */
  transB?: boolean | number;
  /**
   * Returns the output's storage: a float32 array of exactly `length` elements whose old contents do not matter
   * (every element is written), so a caller can reuse one buffer across calls (a recurrent layer's steps), as for
   * `dynamicLinear`. Defaults to `new Float32Array(length)`.
   */
  allocate?: (length: number) => Float32Array;
}

/**
 * ONNX Gemm in float32: `Y = alpha · A'·B' + beta · C`, with `C` unidirectionally broadcast to `[M, N]`.
 * Each step is rounded to float32 (`f32(f32(alpha·AB) + f32(beta·C))`); alpha = beta = 1 skip the multiplies.
 *
 * @param a - float32 `[M, K]` (or `[K, M]` with transA)
 * @param b - float32 `[K, N]` (or `[N, K]` with transB), or {@link GemmWeights} from {@link prepareGemmWeights} (packed
 *   once per backend instead of on every call; same result)
 * @param c - optional float32, broadcastable to `[M, N]` (scalar, `[N]`, `[1, N]`, `[M, 1]`, `[M, N]`)
 * @param options - {@link GemmOptions}
 * @returns float32 `[M, N]`
 * @throws {@link DTypeError} for non-float32 inputs
 * @throws {@link ShapeError} when the inner dimensions differ, an input is not 2-D, or `C` does not broadcast
 * @example
 * ```ts
 * gemm(x, w, bias, { transB: true }); // x·wᵀ + bias, like nn.Linear
 * ```
 */
export function gemm(a: Tensor, bOrWeights: Tensor | GemmWeights, c?: Tensor, options: GemmOptions = {}): Tensor<'float32'> {
  const OP = 'gemm';
  const b = bOrWeights instanceof GemmWeights ? bOrWeights.tensor : bOrWeights;
  requireDType(OP, 'A', a, ['float32'] as const);
  requireDType(OP, 'B', b, ['float32'] as const);
  if (a.rank !== 2) throw new ShapeError(`${OP}: input "A" has shape ${formatShape(a.shape)}; expected 2-D`);
  if (b.rank !== 2) throw new ShapeError(`${OP}: input "B" has shape ${formatShape(b.shape)}; expected 2-D`);
  const transA = Boolean(options.transA);
  const transB = Boolean(options.transB);
  const alpha = options.alpha ?? 1;
  const beta = options.beta ?? 1;
  const [m, k] = transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [kb, n] = transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (k !== kb) {
    throw new ShapeError(`${OP}: inner dimensions do not agree: "A" ${formatShape(a.shape)}${transA ? 'ᵀ' : ''} has K = ${k}, "B" ${formatShape(b.shape)}${transB ? 'ᵀ' : ''} has K = ${kb}`);
  }
  let cStrides: number[] | undefined;
  if (c !== undefined && c !== null) {
    requireDType(OP, 'C', c, ['float32'] as const);
    try {
      cStrides = broadcastStrides(c.shape, [m, n]);
    } catch (cause) {
      throw new ShapeError(`${OP}: input "C" has shape ${formatShape(c.shape)}, which does not broadcast to [${m}, ${n}]`, { cause });
    }
  }
  const out = options.allocate ? options.allocate(m * n) : new Float32Array(m * n);
  if (out.length !== m * n) throw new ShapeError(`${OP}: options.allocate returned ${out.length} elements; expected ${m * n}`);
  if (options.allocate && k === 0) out.fill(0);
  if (out.length > 0 && k > 0) {
    const ad = (transA ? a.transpose() : a).data as Float32Array;
    const backend = primitiveBackend('gemmF32', options);
    const packedB = packedGemmB(bOrWeights, backend, transB);
    backend.gemmF32({ m, n, k, a: ad, b: b.data as Float32Array, transB, out, ...(packedB ? { packedB } : {}) });
  }
  if (alpha !== 1) for (let i = 0; i < out.length; i++) out[i] = Math.fround(alpha * out[i]);
  if (c && cStrides && beta !== 0) {
    const cd = c.data as Float32Array;
    const [si, sj] = cStrides;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const cv = beta === 1 ? cd[i * si + j * sj] : Math.fround(beta * cd[i * si + j * sj]);
        out[i * n + j] = out[i * n + j] + cv;
      }
    }
  }
  return Tensor.from('float32', [m, n], out);
}
