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
}
