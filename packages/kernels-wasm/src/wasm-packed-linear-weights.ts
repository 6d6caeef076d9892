import type { PackedLinearWeights, WeightBits } from '@qint/kernels';

/**
 * Linear weights packed into the WASM backend's persistent memory (column panels of 8 outputs, k-pair interleaved,
 * 8-bit, offset-binary nibbles in int16 lanes, or 2-bit fields; see assembly/index.ts). Opaque to callers.
 *
 * @example
 * ```ts
 * const w = wasm.packLinearWeights(spec); // a WasmPackedLinearWeights
 * console.log(w.byteLength);
 * ```
 */
export class WasmPackedLinearWeights implements PackedLinearWeights {
  readonly backend: string;
  readonly n: number;
  readonly k: number;
  readonly bits: WeightBits;
  readonly blockSize: number;
  /** Bytes of the packed panels, scales and offsets. */
  private readonly packedBytes: number;
  /** @internal owner, so weights of one backend instance are never used with another's memory */
  readonly owner: object;
  /** @internal addresses and geometry */
  readonly address: number;
  readonly panelsAddress: number;
  readonly scalesAddress: number;
  readonly offsetsAddress: number;
  readonly panels: number;
  readonly groups: number;
  readonly groupLength: number;
  readonly paddedGroupLength: number;
  /** Width of the stored fields: 8, 4 or 2 (3-bit weights and 4-bit groups longer than 32768 use wider fields). */
  readonly storageBits: 8 | 4 | 2;
  /** GEMV correction: 0 none, > 0 the storage offset shared by all columns (no zero points), −1 per-column offsets. */
  readonly gemvCorrection: number;
  released = false;
  /**
   * @internal address of the int16-widened panels (8-bit storage only; 0 until the first call with M >= 4 builds
   * them): `groups * paddedGroupLength * 16` bytes per panel, released with the weights.
   */
  widenedAddress = 0;
  /** @internal size of the widened panels (counted in `byteLength` once they exist) */
  readonly widenedBytes: number;

  /** @param init - every field; built by `WasmKernelBackend.packLinearWeights` only */
  constructor(init: Omit<WasmPackedLinearWeights, 'released' | 'widenedAddress' | 'widenedBytes'>) {
    this.backend = init.backend;
    this.n = init.n;
    this.k = init.k;
    this.bits = init.bits;
    this.blockSize = init.blockSize;
    this.packedBytes = init.byteLength;
    this.owner = init.owner;
    this.address = init.address;
    this.panelsAddress = init.panelsAddress;
    this.scalesAddress = init.scalesAddress;
    this.offsetsAddress = init.offsetsAddress;
    this.panels = init.panels;
    this.groups = init.groups;
    this.groupLength = init.groupLength;
    this.paddedGroupLength = init.paddedGroupLength;
    this.storageBits = init.storageBits;
    this.gemvCorrection = init.gemvCorrection;
    this.widenedBytes = this.panels * this.groups * this.paddedGroupLength * 16;
  }

  /** Bytes held: the packed form, plus the int16 panels of 8-bit storage once a call with M ≥ 4 has built them. */
  get byteLength(): number {
    return this.packedBytes + (this.widenedAddress ? this.widenedBytes : 0);
  }
}
