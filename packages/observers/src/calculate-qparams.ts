import type { ObserverOptions, QParams } from './observer-options';
import { ObserverError } from './observer-error';
import { isSymmetric, resolveQParamsConfig, type QParamsConfig } from './qparams-config';

const f = Math.fround;

/**
 * Rounds half to even, as torch.round and numpy.round do.
 *
 * @param x - a number
 * @returns the nearest integer, ties to the even one
 * @example
 * ```ts
 * roundHalfEven(2.5); // 2
 * roundHalfEven(3.5); // 4
 * ```
 */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Scale and zero point from a min/max range: PyTorch's `_calculate_qparams` (the default), or onnxruntime's
 * `compute_scale_zp`, or TFLite's parameter choice, per `options.convention`. This is the one code path every
 * observer and the dynamic quantizer use.
 *
 * The range is first widened to contain 0. PyTorch: affine `scale = max((max − min) / (qmax − qmin), eps)`,
 * `zeroPoint = clamp(qmin − round(min / scale))`; symmetric `scale = max(absmax / ((qmax − qmin) / 2), eps)` with
 * zero point 0 (int8), 128 (uint8) or `(qmin + qmax) >> 1` (uint8 with a custom range). All in float32, ties to even.
 * A channel whose min > max (nothing observed) is treated as the range [0, 0].
 *
 * Infinite bounds follow PyTorch 1.13 on x86 exactly (`pytorch` convention): the scale is `+Infinity`; the zero point
 * is `qmin` (affine, finite min), `clamp(qmin − INT32_MIN)` with int32 wrap-around when min is −∞ (qmax for signed
 * ranges, qmin when qmin = 0), or the usual symmetric zero point. `'onnx'`: scale `+Infinity`, zero point qmin
 * (affine, finite min) or round((qmin + qmax) / 2) (symmetric). `'tflite'`: symmetric gives scale `+Infinity`.
 *
 * @param min - per-tensor min (a number) or per-channel mins
 * @param max - per-tensor max or per-channel maxes (same length as `min`)
 * @param options - {@link ObserverOptions} (or an already resolved {@link QParamsConfig})
 * @returns `{ scale: Float32Array, zeroPoint: Int32Array }`, one entry per channel (length 1 per tensor)
 * @throws {@link ObserverError} for invalid options, lengths that differ, a NaN bound (PyTorch's
 *   `check_min_max_valid` asserts there), or an infinite bound where the convention defines no zero point (`'onnx'`
 *   affine with min −∞, `'tflite'` affine)
 * @example
 * ```ts
 * calculateQParams(-1, 2, { dtype: 'uint8' }); // { scale: [0.011764706], zeroPoint: [85] }
 * calculateQParams([-1, -3], [1, 1], { dtype: 'int8', qscheme: 'per_channel_symmetric' }).scale; // [1/127.5, 3/127.5]
 * calculateQParams(-Infinity, 1, { dtype: 'int8' }); // { scale: [Infinity], zeroPoint: [127] }, as PyTorch
 * ```
 */
export function calculateQParams(
  min: number | ArrayLike<number>,
  max: number | ArrayLike<number>,
  options: ObserverOptions | QParamsConfig = {},
): QParams {
  const config = isResolved(options) ? options : resolveQParamsConfig(options);
  const mins = typeof min === 'number' ? [min] : min;
  const maxs = typeof max === 'number' ? [max] : max;
  if (mins.length !== maxs.length) {
    throw new ObserverError(`calculateQParams: min has ${mins.length} entries but max has ${maxs.length}`);
  }
  const n = mins.length;
  const scale = new Float32Array(n);
  const zeroPoint = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let lo = f(mins[i]);
    let hi = f(maxs[i]);
    if (Number.isNaN(lo) || Number.isNaN(hi)) {
      throw new ObserverError(`calculateQParams: range [${mins[i]}, ${maxs[i]}] at index ${i} contains NaN`);
    }
    if (lo > hi) {
      // An unobserved channel (min = +Infinity, max = -Infinity): the math below then sees the range [0, 0].
      lo = 0;
      hi = 0;
    }
    const [s, z] = qparamsOne(lo, hi, config, i);
    scale[i] = s;
    zeroPoint[i] = z;
  }
  return { scale, zeroPoint };
}

function isResolved(o: ObserverOptions | QParamsConfig): o is QParamsConfig {
  return typeof (o as QParamsConfig).customRange === 'boolean' && Object.isFrozen(o);
}

function qparamsOne(lo: number, hi: number, c: QParamsConfig, index: number): [number, number] {
  const qmin = c.quantMin;
  const qmax = c.quantMax;
  const minNeg = Math.min(lo, 0);
  const maxPos = Math.max(hi, 0);
  const symmetric = isSymmetric(c.qscheme);
  if (c.convention === 'pytorch') {
    if (symmetric) {
      const absmax = Math.max(-minNeg, maxPos);
      const scale = Math.max(f(absmax / ((qmax - qmin) / 2)), c.eps);
      let zp = 0;
      if (c.dtype === 'uint8') zp = c.customRange ? Math.floor((qmin + qmax) / 2) : 128;
      return [scale, zp];
    }
    const scale = Math.max(f(f(maxPos - minNeg) / (qmax - qmin)), c.eps);
    // `quant_min - torch.round(min_val_neg / scale).to(torch.int)` is int32 arithmetic: with min = -Infinity the
    // quotient is -inf/inf = NaN, which x86's float→int32 conversion turns into INT32_MIN, and the subtraction wraps.
    const zp = (qmin - x86Int32(roundHalfEven(f(minNeg / scale)))) | 0;
    return [scale, clamp(zp, qmin, qmax)];
  }
  if (c.convention === 'onnx') {
    // onnxruntime quant_utils.compute_scale_zp: symmetric uses [-absmax, absmax]; a scale below float32 tiny gives (1, 0).
    let rmin = minNeg;
    let rmax = maxPos;
    if (symmetric) {
      const absmax = Math.max(-minNeg, maxPos);
      rmin = -absmax;
      rmax = absmax;
    }
    const scale = f(f(rmax - rmin) / (qmax - qmin));
    if (scale < 1.1754943508222875e-38) return [1, 0];
    if (scale === Infinity) {
      // onnxruntime gives an infinite scale too. Its symmetric zero point is round((qmin + qmax) / 2); its affine one,
      // round(qmin - rmin / scale), is qmin for a finite rmin and round(NaN) for rmin = -inf, which has no value
      // (Python's round raises, a NumPy cast is platform-defined): qint refuses that case.
      if (symmetric) return [scale, roundHalfEven((qmin + qmax) / 2)];
      if (rmin === -Infinity) throw infiniteError(lo, hi, index, 'onnx');
      return [scale, qmin];
    }
    return [scale, clamp(qmin - roundHalfEven(f(rmin / scale)), qmin, qmax)];
  }
  // TFLite: symmetric scale absmax / qmax with zero point 0 (weights); asymmetric picks the zero point from the end
  // with the smaller error and rounds it half away from zero (tensorflow/lite/tools/optimize quantization_utils).
  if (symmetric) {
    const absmax = Math.max(-minNeg, maxPos);
    if (absmax === 0) return [1, c.dtype === 'uint8' ? Math.floor((qmin + qmax + 1) / 2) : 0];
    const half = (qmax - qmin) / 2;
    return [f(absmax / half), c.dtype === 'uint8' ? Math.floor((qmin + qmax + 1) / 2) : 0];
  }
  if (minNeg === maxPos) return [1, clamp(0, qmin, qmax)];
  // TFLite's asymmetric rule compares the errors of the zero points from both ends; with an infinite bound one of
  // them is NaN and the chosen zero point is undefined, so qint refuses (symmetric gives scale Infinity above).
  if (maxPos === Infinity || minNeg === -Infinity) throw infiniteError(lo, hi, index, 'tflite');
  const scale = (maxPos - minNeg) / (qmax - qmin);
  const zpFromMin = qmin - minNeg / scale;
  const zpFromMax = qmax - maxPos / scale;
  const errMin = Math.abs(qmin) + Math.abs(minNeg / scale);
  const errMax = Math.abs(qmax) + Math.abs(maxPos / scale);
  const zpd = errMin < errMax ? zpFromMin : zpFromMax;
  const zp = zpd <= qmin ? qmin : zpd >= qmax ? qmax : Math.sign(zpd) * Math.round(Math.abs(zpd));
  return [f(scale), zp];
}

/**
 * What x86's float→int32 conversion (cvttss2si, PyTorch's `.to(torch.int)`) gives: truncation toward zero, and
 * INT32_MIN for NaN and for values outside the int32 range.
 */
function x86Int32(v: number): number {
  return v >= -2147483648 && v < 2147483648 ? Math.trunc(v) : -2147483648;
}

function infiniteError(lo: number, hi: number, index: number, convention: string): ObserverError {
  return new ObserverError(
    `calculateQParams: range [${lo}, ${hi}] at index ${index} is infinite and the '${convention}' convention defines no zero point for it; ` +
      `drop ±Infinity before observing, or use the 'pytorch' convention (infinite scale, as PyTorch)`,
  );
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
