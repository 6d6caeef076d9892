// onnxruntime-web as every benchmark runs it: one thread (as qint), errors only, the WASM provider, full graph
// optimization.
import * as ort from 'onnxruntime-web';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

export { ort };

/** An ORT session on ONNX model bytes. */
export function ortSession(bytes) {
  return ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
}
