export { QintError, type QintErrorCode, type QintErrorOptions } from './qint-error';
export { DTypeError } from './dtype-error';
export { ShapeError } from './shape-error';
export { ValueError } from './value-error';
export {
  DTYPE_NAMES,
  allocateData,
  byteLengthOf,
  dtypeInfo,
  isDType,
  isPackedDType,
  isQuantDType,
  storageConstructor,
  type DType,
  type DTypeInfo,
  type DataTypeMap,
  type PackedDType,
  type QuantDType,
  type TensorData,
} from './dtype';
export {
  broadcastIndex,
  broadcastShapes,
  broadcastStrides,
  computeStrides,
  formatShape,
  normalizeAxis,
  resolveReshape,
  resolveSliceRange,
  shapeSize,
  shapesEqual,
  validateShape,
  type Shape,
} from './shape';
export { float16BitsToFloat32, float16ToFloat32Array, float32ToFloat16Array, float32ToFloat16Bits } from './float16';
export { packSubByte, readPacked, unpackSubByte, writePacked } from './packing';
export { Tensor, type NestedArray, type ReshapeOptions } from './tensor';
export { QuantParams, type QuantGranularity } from './quant-params';
export { MemoryLimitError } from './memory-limit-error';
export { DEFAULT_MAX_TENSOR_BYTES, checkAllocation, maxTensorBytes, setMaxTensorBytes } from './allocation-limit';
export {
  bfloat16BitsToFloat32,
  decodeMinifloat,
  encodeMinifloat,
  float32ToBfloat16Bits,
  isMinifloatDType,
  minifloatMax,
  minifloatTable,
  type E8M0RoundMode,
  type MinifloatDType,
} from './minifloat';
