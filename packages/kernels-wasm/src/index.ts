// Public API of @qint/kernels-wasm.
export { createWasmBackend } from './create-wasm-backend';
export { WasmKernelBackend, NATIVE_OPS } from './wasm-kernel-backend';
export { WasmPackedGemmWeights } from './wasm-packed-gemm-weights';
export { WasmPackedLinearWeights } from './wasm-packed-linear-weights';
export type { WasmBackendOptions, WasmSource } from './wasm-backend-options';
