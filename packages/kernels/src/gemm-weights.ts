import { ValueError, type Tensor } from '@qint/tensor';
import type { KernelBackend, PackedGemmWeights } from './kernel-backend';

type Packer = KernelBackend & Required<Pick<KernelBackend, 'packGemmWeights'>>;

/** Releases the packed copies of handles collected without {@link GemmWeights.release} (see `LinearWeights`). */
const unreleased = new FinalizationRegistry<Map<KernelBackend, Map<boolean, PackedGemmWeights>>>((packed) => {
  for (const [backend, forms] of packed) for (const p of forms.values()) backend.releaseGemmWeights?.(p);
});

/**
 * A constant float32 `B` operand of {@link matMul} / {@link gemm} (a MatMul or Gemm initializer), with each backend's
 * packed form cached lazily: the first product on a backend that implements `packGemmWeights` packs it once (per
 * `transB`), later products skip copying and packing it. Build with {@link prepareGemmWeights} at model load.
 * The caller promises not to mutate the tensor's data afterwards.
 *
 * @example
 * ```ts
 * const w = prepareGemmWeights(weightTensor); // [K, N]
 * const y = matMul(x, w);                      // same result as matMul(x, weightTensor)
 * w.release();
 * ```
 */
export class GemmWeights {
  /** The float32 weight tensor (2-D). */
  readonly tensor: Tensor<'float32'>;
  private readonly packed = new Map<KernelBackend, Map<boolean, PackedGemmWeights>>();
  private released = false;

  /** @param tensor - a validated 2-D float32 tensor (use {@link prepareGemmWeights}) */
  constructor(tensor: Tensor<'float32'>) {
    this.tensor = tensor;
    unreleased.register(this, this.packed, this);
  }

  /**
   * The packed form of the tensor for `backend` as the `B` of `gemmF32` with the given `transB`, packing on first use.
   *
   * @param backend - a backend implementing `packGemmWeights`
   * @param transB - whether the tensor is read as `[n, k]`
   * @returns its packed weights
   * @throws {@link ValueError} after {@link GemmWeights.release}
   */
  packedFor(backend: Packer, transB: boolean): PackedGemmWeights {
    if (this.released) throw new ValueError('gemm: these GemmWeights were released; prepare them again');
    let forms = this.packed.get(backend);
    if (!forms) {
      forms = new Map();
      this.packed.set(backend, forms);
    }
    let p = forms.get(transB);
    if (!p) {
      const [r, c] = this.tensor.shape;
      p = backend.packGemmWeights({ k: transB ? c : r, n: transB ? r : c, b: this.tensor.data as Float32Array, transB });
      forms.set(transB, p);
    }
    return p;
  }

  /** Whether {@link GemmWeights.release} was called. */
  get isReleased(): boolean {
    return this.released;
  }

  /** Names of the backends holding a packed copy (for diagnostics and tests). */
  get packedBackends(): string[] {
    return [...this.packed.keys()].map((b) => b.name);
  }

  /** Bytes held by all packed copies. */
  get packedByteLength(): number {
    let total = 0;
    for (const forms of this.packed.values()) for (const p of forms.values()) total += p.byteLength;
    return total;
  }

  /** Releases every backend's packed copy; using the weights afterwards throws. */
  release(): void {
    for (const [backend, forms] of this.packed) for (const p of forms.values()) backend.releaseGemmWeights?.(p);
    this.packed.clear();
    this.released = true;
    unreleased.unregister(this);
  }
}

/**
 * The packed form of the `B` argument of {@link matMul} / {@link gemm} for `backend` (packed on first use) when it is
 * prepared {@link GemmWeights} and the backend packs; otherwise none (the backend copies the tensor as usual).
 */
export function packedGemmB(b: Tensor | GemmWeights, backend: KernelBackend, transB: boolean): PackedGemmWeights | undefined {
  return b instanceof GemmWeights && backend.packGemmWeights ? b.packedFor(backend as Packer, transB) : undefined;
}
