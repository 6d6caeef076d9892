// Public API of kernels-wasm: filled in by the package's implementation.
export {};
