import { BackendInitError } from '@qint/kernels';
import { EMBEDDED_KERNELS } from './embedded-kernels';
import type { WasmBackendOptions, WasmSource } from './wasm-backend-options';
import type { KernelExports } from './wasm-exports';
import { WasmKernelBackend } from './wasm-kernel-backend';

// Every member of KernelExports, checked by the compiler (a key missing here or unknown to KernelExports fails to build).
const REQUIRED_EXPORTS = Object.keys({
  memory: 1, heapBase: 1, rangeRows: 1, quantizeRows: 1, quantizeRowsShared: 1, packWeights: 1, dynGemv: 1, finishRows: 1, widenRows: 1,
  interleaveRows4: 1, quantizeRowsIL: 1, widenPanels: 1, dynGemmIL: 1, gemmI16IL: 1, gemvF32Panels: 1,
  packPanelsB: 1, gemmI16: 1, depthwiseI16: 1, packPanelsF32: 1, gemmF32Panels: 1, gemvF32: 1, gemvF32T: 1,
  depthwiseF32P: 1, convF32C1: 1, convEpilogueF32: 1, dynamicConvOutF32: 1, maxPoolPlanesF32: 1, padImageI16: 1, padImageF32: 1, tapOffsets: 1, im2colI16S1: 1, im2colF32S1: 1,
  im2colI16Gather: 1, im2colF32Gather: 1, softmaxRows: 1, geluErfF32: 1, layerNormRows: 1, quantizeU8: 1,
  scaleI32ToF32: 1, stridedCopyF32: 1, binaryF32: 1,
} satisfies Record<keyof KernelExports, 1>);

function describe(source: WasmSource | undefined): string {
  if (source === undefined) return 'the kernels embedded in @qint/kernels-wasm';
  if (source instanceof WebAssembly.Module) return 'the given WebAssembly.Module';
  if (typeof Response !== 'undefined' && source instanceof Response) return `the Response for ${source.url || '(no URL)'}`;
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return `the given ${source.byteLength} bytes`;
  return 'the given Response promise';
}

async function compile(source: WasmSource | undefined): Promise<WebAssembly.Module> {
  if (source === undefined) return WebAssembly.compile(EMBEDDED_KERNELS);
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof Uint8Array) return WebAssembly.compile(source as Uint8Array<ArrayBuffer>);
  if (source instanceof ArrayBuffer) return WebAssembly.compile(source);
  const response = await source;
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText} for ${response.url || '(no URL)'}`);
  if (typeof WebAssembly.compileStreaming === 'function' && response.headers.get('content-type') === 'application/wasm') {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/**
 * Creates the WebAssembly SIMD kernel backend. Every primitive of KernelBackend v1 runs natively:
 * `matMulInteger`, `convInteger`, `packLinearWeights` and `dynamicLinear` (8/4/3/2-bit weights) bit-identical with
 * the JS backend; `gemmF32` and `convF32` in float32 SIMD (same results up to float rounding order).
 *
 * @param options - where the kernels module comes from (default: the bytes embedded in this package) and the name
 * @returns a KernelBackend v1, ready to use
 * @throws {@link BackendInitError} when the module cannot be fetched, compiled (e.g. no WebAssembly SIMD in this
 * runtime) or instantiated, or lacks an expected export
 * @example
 * ```ts
 * import { setBackend } from '@qint/kernels';
 * import { createWasmBackend } from '@qint/kernels-wasm';
 * await setBackend(await createWasmBackend());
 * ```
 */
export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<WasmKernelBackend> {
  if (typeof WebAssembly === 'undefined') {
    throw new BackendInitError('createWasmBackend: this runtime has no WebAssembly; use the JS backend (setBackend("js"))');
  }
  let module: WebAssembly.Module;
  try {
    module = await compile(options.wasm);
  } catch (e) {
    throw new BackendInitError(
      `createWasmBackend: could not compile ${describe(options.wasm)}: ${e instanceof Error ? e.message : String(e)}. ` +
        'The kernels need WebAssembly SIMD128 (Node >= 16.4, Chrome >= 91, Firefox >= 89, Safari >= 16.4); ' +
        'pass options.wasm only with a build of @qint/kernels-wasm of the same version.',
      { cause: e },
    );
  }
  let instance: WebAssembly.Instance;
  try {
    instance = await WebAssembly.instantiate(module, {});
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    if (isMemoryReservationFailure(reason)) {
      throw new BackendInitError(
        `createWasmBackend: WebAssembly could not reserve its memory (${reason}). Node reserves about 10 GB of address space ` +
          'per WebAssembly memory for its bounds-check guard pages, more than this process may map (a virtual-memory limit such as `ulimit -v`). ' +
          'Raise or remove that limit, run node with --disable-wasm-trap-handler (or NODE_OPTIONS=--disable-wasm-trap-handler), or use the JS backend.',
        { cause: e, memoryReservation: true },
      );
    }
    throw new BackendInitError(`createWasmBackend: could not instantiate ${describe(options.wasm)}: ${reason}`, {
      cause: e,
    });
  }
  const exports = instance.exports as unknown as KernelExports;
  const missing = REQUIRED_EXPORTS.filter((name) => !(name in exports));
  if (missing.length > 0) {
    throw new BackendInitError(
      `createWasmBackend: ${describe(options.wasm)} lacks the exports ${missing.join(', ')}; it is not the kernels module of this version of @qint/kernels-wasm`,
    );
  }
  return new WasmKernelBackend(options.name ?? 'wasm', exports, { cacheConstantWeights: options.cacheConstantWeights });
}

/** V8's words when a WebAssembly memory cannot be reserved (address space exhausted or limited). */
function isMemoryReservationFailure(reason: string): boolean {
  return /Cannot allocate Wasm memory|could not allocate memory|Out of memory/i.test(reason);
}
