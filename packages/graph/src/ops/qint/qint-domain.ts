/**
 * The operator domain of qint's own ops (`DynamicLinear`, `DynamicConv`), emitted by `@qint/dynamic` and run by this
 * executor. onnxruntime does not know it: export a quantized model with `@qint/dynamic`'s `toOnnx` for ORT.
 */
export const QINT_DOMAIN = 'ai.qint';
