// Public API of onnx: filled in by the package's implementation.
export {};
