import { ValueError } from '@qint/tensor';
import type { KernelBackend, LinearWeightsSpec, PackedLinearWeights, WeightBits } from './kernel-backend';

/**
 * Packed copies live in backend memory (the WASM heap) that the garbage collector cannot see: when a handle is
 * collected without {@link LinearWeights.release} (a session or model simply dropped), its copies are released here,
 * so discarding models does not leak backend memory.
 */
const unreleased = new FinalizationRegistry<Map<KernelBackend, PackedLinearWeights>>((packed) => {
  for (const [backend, p] of packed) backend.releaseLinearWeights?.(p);
});

/**
 * Quantized weights of one linear layer, validated once, with the packed form of each backend cached lazily: the
 * first `dynamicLinear` call on a backend packs them for it, later calls reuse that form, and switching backend
 * packs once more. Build with {@link prepareLinearWeights}.
 *
 * @example
 * ```ts
 * const w = prepareLinearWeights({ weight, scale, bits: 4, blockSize: 32 });
 * const y = dynamicLinear(x, w, { bias });
 * w.release(); // frees every backend's packed copy
 * ```
 */
export class LinearWeights {
  /** Output features. */
  readonly n: number;
  /** Input features (the reduction length). */
  readonly k: number;
  readonly bits: WeightBits;
  /** 0 for per output channel, else the group length along k. */
  readonly blockSize: number;
  /** The validated source (owned copy); backends pack from it. */
  readonly spec: Readonly<LinearWeightsSpec>;
  private readonly packed = new Map<KernelBackend, PackedLinearWeights>();
  private released = false;

  /** @param spec - a validated, owned spec (use {@link prepareLinearWeights}) */
  constructor(spec: LinearWeightsSpec) {
    this.spec = Object.freeze({ ...spec });
    this.n = spec.n;
    this.k = spec.k;
    this.bits = spec.bits;
    this.blockSize = spec.blockSize;
    unreleased.register(this, this.packed, this);
  }

  /**
   * The packed form for `backend`, packing on first use.
   *
   * @param backend - a backend implementing `packLinearWeights`
   * @returns its packed weights
   * @throws {@link ValueError} after {@link LinearWeights.release}
   */
  packedFor(backend: KernelBackend & Required<Pick<KernelBackend, 'packLinearWeights'>>): PackedLinearWeights {
    if (this.released) throw new ValueError('dynamicLinear: these LinearWeights were released; prepare them again');
    let p = this.packed.get(backend);
    if (!p) {
      p = backend.packLinearWeights(this.spec);
      this.packed.set(backend, p);
    }
    return p;
  }

  /** Names of the backends holding a packed copy (for diagnostics and tests). */
  get packedBackends(): string[] {
    return [...this.packed.keys()].map((b) => b.name);
  }

  /** Bytes held by all packed copies. */
  get packedByteLength(): number {
    let total = 0;
    for (const p of this.packed.values()) total += p.byteLength;
    return total;
  }

  /** Releases every backend's packed copy; the weights cannot be used afterwards. */
  release(): void {
    for (const [backend, p] of this.packed) backend.releaseLinearWeights?.(p);
    this.packed.clear();
    this.released = true;
    unreleased.unregister(this);
  }
}
