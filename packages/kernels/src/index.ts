// Public API of @qint/kernels. Everything not listed here is private.
export type {
  BackendDiagnostics,
  BatchedGemmF32Args,
  BatchedMatMulIntegerArgs,
  BinaryF32Args,
  DynamicAttentionF32Args,
  DynamicMatMulF32Args,
  Conv2dGeometry,
  ConvF32Args,
  ConvIntegerArgs,
  DynamicConvF32Args,
  ConvPool,
  ConvOutputEpilogue,
  DynamicLinearArgs,
  GeluErfF32Args,
  GemmF32Args,
  GemmWeightsSpec,
  Int8Storage,
  LayerNormF32Args,
  KernelBackend,
  LinearWeightsSpec,
  MatMulIntegerArgs,
  PackedGemmWeights,
  PackedLinearWeights,
  SoftmaxF32Args,
  StridedCopyF32Args,
  WeightBits,
} from './kernel-backend';
export { erf } from './erf';
export { binaryF32, dynamicAttentionF32, dynamicMatMulF32, gemmF32Batched, geluErfF32, layerNormF32, matMulIntegerBatched, softmaxF32, stridedCopyF32 } from './row-ops';
export { BackendInitError } from './backend-init-error';
export { createJsBackend, PRIMITIVE_NAMES, type CompleteKernelBackend, type PrimitiveName } from './js-backend';
export {
  getBackend,
  listBackends,
  registerBackend,
  setBackend,
  type BackendFactory,
  type BackendInfo,
  type OpOptions,
} from './backend-registry';
export {
  assertSafeK,
  INT32_MAX,
  MAX_SAFE_K_8BIT,
  maxCenteredMagnitude,
  maxSafeK,
  roundHalfToEven,
  saturate,
} from './numerics';
export { dynamicParamsFromRange, type DynamicParams } from './internal/dynamic-quant';
export { quantizeLinear, type QuantizeLinearOptions } from './quantize-linear';
export { dequantizeLinear, type DequantizeLinearOptions } from './dequantize-linear';
export { matMulInteger } from './mat-mul-integer';
export { dynamicQuantizeLinear } from './dynamic-quantize-linear';
export { qlinearMatMul } from './qlinear-mat-mul';
export { convInteger, type ConvIntegerOptions } from './conv-integer';
export { qlinearConv, type QLinearConvOptions } from './qlinear-conv';
export type { ConvAttributes } from './internal/conv-plan';
export { conv, type ConvOptions } from './conv';
export { dynamicConv, maxDynamicConvK, type DynamicConvOptions } from './dynamic-conv';
export { gemm, type GemmOptions } from './gemm';
export { matMul } from './mat-mul';
export { GemmWeights } from './gemm-weights';
export { prepareGemmWeights } from './prepare-gemm-weights';
export { requantizeMultiplier, requantizeValue } from './requantize';
export { LinearWeights } from './linear-weights';
export { maxDynamicLinearK, prepareLinearWeights, type LinearWeightsInput } from './prepare-linear-weights';
export { dynamicLinear, type DynamicLinearOptions } from './dynamic-linear';
