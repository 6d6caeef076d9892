// Public API of kernels: filled in by the package's implementation.
export {};
