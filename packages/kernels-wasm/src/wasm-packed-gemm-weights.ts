import type { PackedGemmWeights } from '@qint/kernels';

/**
 * A float32 `B` operand packed into the WASM backend's persistent memory: column panels of 8 outputs, per k one row
 * of 8 floats (see packPanelsF32 in assembly/index.ts). Opaque to callers.
 *
 * @example
 * ```ts
 * const pb = wasm.packGemmWeights({ k, n, b, transB: false }); // a WasmPackedGemmWeights
 * wasm.gemmF32({ m, n, k, a, b, transB: false, out, packedB: pb });
 * ```
 */
export class WasmPackedGemmWeights implements PackedGemmWeights {
  readonly backend: string;
  readonly k: number;
  readonly n: number;
  readonly transB: boolean;
  readonly byteLength: number;
  /** @internal owner, so weights of one backend instance are never used with another's memory */
  readonly owner: object;
  /** @internal address of the panels */
  readonly address: number;
  released = false;

  /** @param init - every field; built by `WasmKernelBackend.packGemmWeights` only */
  constructor(init: Omit<WasmPackedGemmWeights, 'released'>) {
    this.backend = init.backend;
    this.k = init.k;
    this.n = init.n;
    this.transB = init.transB;
    this.byteLength = init.byteLength;
    this.owner = init.owner;
    this.address = init.address;
  }
}
