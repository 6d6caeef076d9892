// Public API of @qint/onnx. Everything not listed here is private.
export { OnnxError } from './onnx-error';
export { ONNX_DATA_TYPES, dtypeFromOnnx, dtypeToOnnx, onnxDataTypeName, type OnnxDataTypeName } from './onnx-data-type';
export { decodeTensor } from './decode-tensor';
export { encodeTensor } from './encode-tensor';
export { decodeModel } from './decode-model';
export { encodeModel } from './encode-model';
export { encodeModelChunks, type ModelChunks } from './encode-model-chunks';
export { encodeModelWithExternalData } from './encode-model-with-external-data';
export { loadTensorPb } from './load-tensor-pb';
export { loadModel } from './load-model';
export { loadTestCase } from './load-test-case';
export { runTestCase } from './run-test-case';
export { compareTensors } from './compare-tensors';
export type { DecodeModelOptions, DecodeTensorOptions, ExternalDataOptions } from './external-data-options';
export type { ExternalDataWriteOptions, ModelWithExternalData } from './external-data-write-options';
export type { NamedTensor } from './named-tensor';
export type { OnnxTestCase, OnnxTestDataSet, OutputComparison, RunTestCaseOptions, TestCaseResult } from './onnx-test-case';
export type { Int64Like, StringStringEntryMessage, TensorProto } from './proto/proto-messages';
