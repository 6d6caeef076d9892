/** Quantized integer type an observer computes parameters for (PyTorch's `quint8` / `qint8`). */
export type ObserverDType = 'uint8' | 'int8';

/** PyTorch's quantization schemes. */
export type QScheme = 'per_tensor_affine' | 'per_tensor_symmetric' | 'per_channel_affine' | 'per_channel_symmetric';

/**
 * Whose arithmetic `calculateQParams` follows where toolkits differ (see the README's conventions table):
 * `'pytorch'` (torch.ao.quantization, the default), `'onnx'` (onnxruntime's quantization tool) or `'tflite'`.
 */
export type Convention = 'pytorch' | 'onnx' | 'tflite';

/**
 * Options shared by every observer; names follow PyTorch's keyword arguments in camelCase.
 * Options an observer does not use (e.g. `bins` for `MinMaxObserver`) are ignored.
 */
export interface ObserverOptions {
  /** Target integer type. Default `'uint8'` (PyTorch's `quint8`). */
  dtype?: ObserverDType;
  /** Default `'per_tensor_affine'` for per-tensor observers, `'per_channel_affine'` for per-channel ones. */
  qscheme?: QScheme;
  /** Halve the integer range (PyTorch: `[0,127]` / `[-64,63]`; onnx: `[0,127]` / `[-64,64]`). Default false. */
  reduceRange?: boolean;
  /** Custom lower end of the integer range (give both ends). Must be ≤ 0 and inside the dtype. */
  quantMin?: number;
  /** Custom upper end of the integer range (give both ends). Must be ≥ 0 and inside the dtype. */
  quantMax?: number;
  /** Smallest scale (PyTorch convention only). Default float32 machine epsilon, 2^-23. */
  eps?: number;
  /** Moving-average weight of a new batch, in (0, 1]. Default 0.01. */
  averagingConstant?: number;
  /** Channel axis of per-channel observers; negative counts from the end. Default 0. */
  chAxis?: number;
  /** Histogram bins. Default 2048. */
  bins?: number;
  /** Arithmetic convention of `calculateQParams`. Default `'pytorch'`. */
  convention?: Convention;
}

/** The result of `calculateQParams`: one scale and zero point per tensor (length 1) or per channel. */
export interface QParams {
  scale: Float32Array;
  zeroPoint: Int32Array;
}

/** Observed statistics: the running min/max per tensor (length 1) or per channel. `+Infinity`/`-Infinity` when nothing was seen. */
export interface ObserverStats {
  min: Float32Array;
  max: Float32Array;
}
