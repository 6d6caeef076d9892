import { ObserverError } from './observer-error';
import type { Convention, ObserverDType, ObserverOptions, QScheme } from './observer-options';

/** Options of {@link calculateQParams}, resolved: the integer range is final (reduce-range and convention applied). */
export interface QParamsConfig {
  readonly dtype: ObserverDType;
  readonly qscheme: QScheme;
  readonly convention: Convention;
  /** Final integer range. */
  readonly quantMin: number;
  readonly quantMax: number;
  /** Whether the user gave `quantMin`/`quantMax` (PyTorch's `has_customized_qrange`). */
  readonly customRange: boolean;
  /** Smallest scale, as float32. */
  readonly eps: number;
}

const QSCHEMES: readonly QScheme[] = ['per_tensor_affine', 'per_tensor_symmetric', 'per_channel_affine', 'per_channel_symmetric'];
const CONVENTIONS: readonly Convention[] = ['pytorch', 'onnx', 'tflite'];
const FLOAT32_EPS = 2 ** -23;

/**
 * Validates observer options and resolves the integer range the way the chosen convention does
 * (PyTorch's `calculate_qmin_qmax`, onnxruntime's `get_qmin_qmax_for_qType`, TFLite's spec).
 *
 * @param options - user options
 * @param defaultQScheme - the observer's default qscheme
 * @returns the resolved config
 * @throws {@link ObserverError} for an unknown dtype/qscheme/convention, a custom range without 0 or outside the dtype,
 *   only one of `quantMin`/`quantMax`, reduce-range with symmetric uint8 (PyTorch refuses it) or with TFLite, a bad eps
 * @example
 * ```ts
 * resolveQParamsConfig({ dtype: 'int8', reduceRange: true }).quantMin; // -64
 * ```
 */
export function resolveQParamsConfig(options: ObserverOptions = {}, defaultQScheme: QScheme = 'per_tensor_affine'): QParamsConfig {
  const dtype = options.dtype ?? 'uint8';
  if (dtype !== 'uint8' && dtype !== 'int8') {
    throw new ObserverError(`dtype must be 'uint8' or 'int8', got ${JSON.stringify(dtype)}`);
  }
  const qscheme = options.qscheme ?? defaultQScheme;
  if (!QSCHEMES.includes(qscheme)) {
    throw new ObserverError(`qscheme must be one of ${QSCHEMES.join(', ')}, got ${JSON.stringify(qscheme)}`);
  }
  const convention = options.convention ?? 'pytorch';
  if (!CONVENTIONS.includes(convention)) {
    throw new ObserverError(`convention must be one of ${CONVENTIONS.join(', ')}, got ${JSON.stringify(convention)}`);
  }
  const reduceRange = options.reduceRange ?? false;
  if (typeof reduceRange !== 'boolean') throw new ObserverError(`reduceRange must be a boolean, got ${String(reduceRange)}`);
  const eps = Math.fround(options.eps ?? FLOAT32_EPS);
  if (!Number.isFinite(eps) || eps <= 0) throw new ObserverError(`eps must be a finite number > 0, got ${options.eps}`);
  const symmetric = qscheme === 'per_tensor_symmetric' || qscheme === 'per_channel_symmetric';
  if (symmetric && reduceRange && dtype === 'uint8') {
    // torch.ao refuses this combination (NotImplementedError); keep the same contract.
    throw new ObserverError(`reduceRange is not supported for symmetric quantization with dtype 'uint8' (PyTorch refuses it too)`);
  }
  if (reduceRange && convention === 'tflite') {
    throw new ObserverError(`reduceRange has no meaning in the 'tflite' convention; use quantMin/quantMax for a narrower range`);
  }
  const hasMin = options.quantMin !== undefined && options.quantMin !== null;
  const hasMax = options.quantMax !== undefined && options.quantMax !== null;
  if (hasMin !== hasMax) {
    throw new ObserverError(`quantMin and quantMax must be given together, got quantMin=${options.quantMin} and quantMax=${options.quantMax}`);
  }
  let quantMin: number;
  let quantMax: number;
  if (hasMin) {
    const lo = options.quantMin as number;
    const hi = options.quantMax as number;
    const [dmin, dmax] = dtype === 'int8' ? [-128, 127] : [0, 255];
    if (!Number.isInteger(lo) || !Number.isInteger(hi)) {
      throw new ObserverError(`quantMin and quantMax must be integers, got ${lo} and ${hi}`);
    }
    if (!(lo <= 0 && 0 <= hi)) throw new ObserverError(`the custom range [quantMin, quantMax] = [${lo}, ${hi}] must contain 0`);
    if (!(lo < hi)) throw new ObserverError(`quantMin must be < quantMax, got [${lo}, ${hi}]`);
    if (lo < dmin || hi > dmax) {
      throw new ObserverError(`the custom range [${lo}, ${hi}] must lie inside the ${dtype} range [${dmin}, ${dmax}]`);
    }
    // PyTorch halves a custom range with floor division when reduce_range is set.
    quantMin = reduceRange ? Math.floor(lo / 2) : lo;
    quantMax = reduceRange ? Math.floor(hi / 2) : hi;
  } else if (convention === 'pytorch') {
    if (dtype === 'int8') [quantMin, quantMax] = reduceRange ? [-64, 63] : [-128, 127];
    else [quantMin, quantMax] = reduceRange ? [0, 127] : [0, 255];
  } else if (convention === 'onnx') {
    if (dtype === 'int8') [quantMin, quantMax] = reduceRange ? [-64, 64] : symmetric ? [-127, 127] : [-128, 127];
    else [quantMin, quantMax] = reduceRange ? [0, 127] : [0, 255];
  } else {
    if (dtype === 'int8') [quantMin, quantMax] = symmetric ? [-127, 127] : [-128, 127];
    else [quantMin, quantMax] = [0, 255];
  }
  return Object.freeze({ dtype, qscheme, convention, quantMin, quantMax, customRange: hasMin, eps });
}

/**
 * Whether a qscheme is symmetric.
 *
 * @param qscheme - a qscheme
 * @returns true for the two symmetric schemes
 * @example
 * ```ts
 * isSymmetric('per_channel_symmetric'); // true
 * ```
 */
export function isSymmetric(qscheme: QScheme): boolean {
  return qscheme === 'per_tensor_symmetric' || qscheme === 'per_channel_symmetric';
}

/**
 * Whether a qscheme is per channel.
 *
 * @param qscheme - a qscheme
 * @returns true for the two per-channel schemes
 * @example
 * ```ts
 * isPerChannel('per_tensor_affine'); // false
 * ```
 */
export function isPerChannel(qscheme: QScheme): boolean {
  return qscheme === 'per_channel_affine' || qscheme === 'per_channel_symmetric';
}
