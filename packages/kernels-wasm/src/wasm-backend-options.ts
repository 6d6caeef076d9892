/** Where the kernels module comes from. */
export type WasmSource = Uint8Array | ArrayBuffer | Response | PromiseLike<Response> | WebAssembly.Module;

/** Options of {@link createWasmBackend}. */
export interface WasmBackendOptions {
  /**
   * The kernels module: bytes, a `Response` (e.g. `fetch('/kernels.wasm')`, compiled with streaming when the host
   * can) or an already compiled `WebAssembly.Module`. Default: the bytes embedded in this package.
   */
  wasm?: WasmSource;
  /** Name reported by the backend (default `'wasm'`). */
  name?: string;
  /**
   * Keep the copied / packed form of constant weight operands (`gemmF32`'s `b`, `matMulInteger`'s `b`) in the
   * backend's memory, keyed by the array object, so repeated calls with the same initializer skip the copy and the
   * packing (what onnxruntime and tfjs do with initializers). Only for arrays that are never mutated after their first
   * use; entries are freed when the array is garbage-collected or the backend disposed. Default false.
   */
  cacheConstantWeights?: boolean;
}
