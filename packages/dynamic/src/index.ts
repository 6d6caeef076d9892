// Public API of @qint/dynamic.
export { QuantizeError } from './quantize-error';
export { NonFiniteCalibrationError, assertFiniteCalibration } from './non-finite-calibration-error';
export { quantizeDynamic, type QuantizeDynamicResult } from './quantize-dynamic';
export type {
  LayerGram,
  LayerGrams,
  LayerGramsOptions,
  NodeQuantSettings,
  QuantizeDynamicOptions,
  QuantizeReport,
  QuantizedNodeInfo,
  RangeMethod,
  SkippedNodeInfo,
  WeightBitWidth,
  WeightGranularity,
  WeightRounding,
} from './quantize-dynamic-options';
export { gptqRound, type GptqRoundOptions } from './gptq-round';
export { layerGrams } from './layer-grams';
export { isLayerGrams } from './is-layer-grams';
export { groupRanges, quantizeWeight, type GroupRanges, type QuantizedWeight, type WeightQuantSettings } from './quantize-weight';
export { toOnnxModel, type ToOnnxOptions } from './to-onnx-model';
export { SATURATION_FREE_INT8, saturationHazards, type SaturationHazard } from './saturation-hazards';
export { fromOnnxModel, type FromOnnxOptions, type FromOnnxReport } from './from-onnx-model';
export { foldConstant, type FoldedConstant } from './fold-constant';
export { calibrate, calibrateState } from './calibrate';
export type { CalibrateOptions, CalibrationJSON, CalibrationMethod, CalibrationProgress, CalibrationRanges, CalibrationState } from './calibrate-options';
export { calibrationFromJSON } from './calibration-from-json';
export { CALIBRATION_METHODS } from './observer-calibration';
export { quantizeStatic } from './quantize-static';
export type { QuantizeStaticOptions } from './quantize-static-options';
export type { StaticWeightType } from './static-weight';
