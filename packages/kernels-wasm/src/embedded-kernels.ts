// The compiled kernels (assembly/ → build/kernels.wasm by `asc` in the package build), embedded as bytes so that
// Node and bundlers load the backend without a file path, URL or fetch.
import kernelsWasm from '../build/kernels.wasm';

/** The bytes of the kernels module shipped inside this package. */
export const EMBEDDED_KERNELS: Uint8Array<ArrayBuffer> = kernelsWasm;
