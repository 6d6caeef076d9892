// Public API of @qint/kernels. Everything not listed here is private.
export type {
  BackendDiagnostics,
  Conv2dGeometry,
  ConvF32Args,
  ConvIntegerArgs,
  DynamicLinearArgs,
  GemmF32Args,
  Int8Storage,
  KernelBackend,
  LinearWeightsSpec,
  MatMulIntegerArgs,
  PackedLinearWeights,
  WeightBits,
} from './kernel-backend';
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
export { quantizeLinear, type QuantizeLinearOptions } from './quantize-linear';
export { dequantizeLinear, type DequantizeLinearOptions } from './dequantize-linear';
export { matMulInteger } from './mat-mul-integer';
