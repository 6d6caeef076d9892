// Public API of @qint/onnx.
export { OnnxError } from './onnx-error';
export { ONNX_DATA_TYPES, dtypeFromOnnx, dtypeToOnnx, onnxDataTypeName, type OnnxDataTypeName } from './onnx-data-type';
export { decodeTensor, type DecodeTensorOptions } from './decode-tensor';
export { encodeTensor } from './encode-tensor';
export { decodeModel, type DecodeModelOptions } from './decode-model';
export { encodeModel, encodeModelWithExternalData, type ExternalDataWriteOptions, type ModelWithExternalData } from './encode-model';
export { loadTensorPb, type NamedTensor } from './load-tensor-pb';
export { loadModel } from './load-model';
export type { ExternalDataOptions } from './external-data-options';
export type { TensorProto, Int64Like, StringStringEntryMessage } from './proto/proto-messages';
export {
  compareTensors,
  loadTestCase,
  runTestCase,
  type OnnxTestCase,
  type OnnxTestDataSet,
  type OutputComparison,
  type RunTestCaseOptions,
  type TestCaseResult,
} from './test-case';
