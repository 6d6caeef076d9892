// The qint facade: the one-call pipeline, plus curated re-exports of the packages underneath. What is not listed
// here stays reachable through the @qint/* packages themselves.

// The pipeline.
export { loadModel, type LoadModelOptions, type ModelSource } from './load-model';
export { saveModel, serializeModel, type SaveModelOptions } from './save-model';
export { quantize, calibrationFeeds, type QuantizeOptions, type QuantizeResult, type WeightGranularity } from './quantize';
export { run, type RunModelOptions } from './run';
export { createSession, type CreateSessionOptions } from './create-session';
export { evaluate, predict, type EvaluateOptions, type EvaluateResult, type Predictions } from './evaluate';
export { compare, type ComparisonResult, type ModelMeasurement } from './compare';
export { benchmarkModel, type BenchmarkOptions, type BenchmarkResult } from './benchmark-model';
export { summarizeModel, formatBytes, type ModelSummary, type LayerSummary, type ValueSummary } from './model-summary';
export { renderReport, type ReportData, type ReportLayer, type ReportVariant } from './report/render-report';
export { renderParetoChart, paretoPoints, type ChartPoint, type ParetoChartOptions } from './report/pareto-chart';
export { resolveBackend, setBackend, type BackendName } from './backends';
export { readNpy, writeNpy } from './npy';
export { readIdx } from './idx';
export { InputError } from './input-error';
export { setWarningHandler, type WarningHandler } from './warnings';
export { writeFileAtomic, type FileContents } from './write-file-atomic';
export { VERSION } from './version';

// Tensors and errors (@qint/tensor).
export { Tensor, QuantParams, QintError, DTypeError, ShapeError, ValueError, type DType, type QintErrorCode } from '@qint/tensor';
export { MemoryLimitError, setMaxTensorBytes, maxTensorBytes, DEFAULT_MAX_TENSOR_BYTES } from '@qint/tensor';
// Kernels and backends (@qint/kernels, @qint/kernels-wasm).
export { getBackend, registerBackend, createJsBackend, BackendInitError, type KernelBackend } from '@qint/kernels';
export { createWasmBackend, type WasmBackendOptions } from '@qint/kernels-wasm';
// Graphs (@qint/graph) and files (@qint/onnx, @qint/format).
export { InferenceSession, GraphError, UnsupportedOpError, type Model, type Graph, type Node } from '@qint/graph';
export { decodeModel as decodeOnnx, encodeModel as encodeOnnx, OnnxError } from '@qint/onnx';
export { encodeQint, decodeQint, inspectQint, FormatError, type QintMetadata } from '@qint/format';
// Quantization (@qint/observers, @qint/dynamic, @qint/mixed-precision).
export { createObserver, calculateQParams, type Observer, type ObserverOptions } from '@qint/observers';
export { quantizeDynamic, toOnnxModel, QuantizeError, type QuantizeReport, type QuantizeDynamicOptions } from '@qint/dynamic';
export { NonFiniteCalibrationError } from '@qint/dynamic';
export {
  allocate,
  applyPlan,
  createPlan,
  measureSensitivity,
  outputDamage,
  paretoFrontier,
  spearman,
  BudgetError,
  type Plan,
  type SensitivityTable,
  type SensitivityCache,
  type DamageMetric,
} from '@qint/mixed-precision';
