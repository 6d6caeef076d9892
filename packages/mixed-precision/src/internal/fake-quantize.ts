// Quantize-then-dequantize of a weight matrix for the data-free proxy (only the error is used, so −0 vs 0 is moot).
// It follows ONNX QuantizeLinear/DequantizeLinear arithmetic in float32: q = saturate(roundHalfToEven(w / scale) + zp),
// ŵ = (q − zp) · scale.
import { roundHalfToEven } from '@qint/kernels';
import { float16BitsToFloat32, float32ToFloat16Bits, ValueError } from '@qint/tensor';
import type { QuantScheme } from '../sensitivity-table';

/**
 * Symmetric: signed levels, `scale = absmax / (2^(b−1) − 1)` (the restricted range ONNX Runtime and TFLite use for
 * int8 weights, so ±absmax are exact), zero point 0. Affine: `[min(w, 0), max(w, 0)]` onto `[0, 2^b − 1]`
 * (zero stays exact), `zp = roundHalfToEven(−lo / scale)`. Scales are float32, or float16 when `scaleBytes` is 2.
 * A group whose scale is 0 (all zeros, or a float16 underflow) dequantizes to zeros; a scale that overflows
 * float16 is a ValueError (such weights cannot be stored with float16 scales).
 */
export function fakeQuantize(weights: Float32Array, n: number, k: number, scheme: QuantScheme): Float32Array {
  const out = new Float32Array(weights.length);
  if (scheme.granularity === 'float') {
    out.set(weights);
    return out;
  }
  if (scheme.granularity === 'per-tensor') {
    quantizeGroup(weights, out, 0, n * k, scheme);
  } else {
    const bs = scheme.granularity === 'per-block' ? (scheme.blockSize as number) : Math.max(k, 1);
    for (let i = 0; i < n; i++) {
      for (let b = 0; b < k; b += bs) quantizeGroup(weights, out, i * k + b, i * k + Math.min(b + bs, k), scheme);
    }
  }
  return out;
}

function quantizeGroup(w: Float32Array, out: Float32Array, start: number, end: number, s: QuantScheme): void {
  const bits = s.bits;
  const half = s.scaleBytes === 2;
  const toScale = (v: number) => (half ? float16BitsToFloat32(float32ToFloat16Bits(v)) : Math.fround(v));
  if (s.affine) {
    let lo = 0;
    let hi = 0;
    for (let i = start; i < end; i++) {
      lo = Math.min(lo, w[i]);
      hi = Math.max(hi, w[i]);
    }
    const qmax = 2 ** bits - 1;
    const scale = toScale(Math.fround(hi - lo) / qmax);
    checkScale(scale, start);
    if (scale === 0) {
      out.fill(0, start, end);
      return;
    }
    const zp = Math.min(qmax, Math.max(0, roundHalfToEven(Math.fround(-lo / scale))));
    for (let i = start; i < end; i++) {
      const q = Math.min(qmax, Math.max(0, roundHalfToEven(Math.fround(w[i] / scale)) + zp));
      out[i] = Math.fround((q - zp) * scale);
    }
  } else {
    let absmax = 0;
    for (let i = start; i < end; i++) absmax = Math.max(absmax, Math.abs(w[i]));
    const qmax = 2 ** (bits - 1) - 1;
    const qmin = -(2 ** (bits - 1));
    const scale = toScale(absmax / qmax);
    checkScale(scale, start);
    if (scale === 0) {
      out.fill(0, start, end);
      return;
    }
    for (let i = start; i < end; i++) {
      const q = Math.min(qmax, Math.max(qmin, roundHalfToEven(Math.fround(w[i] / scale))));
      out[i] = Math.fround(q * scale);
    }
  }
}

function checkScale(scale: number, start: number): void {
  if (!Number.isFinite(scale)) {
    throw new ValueError(`weightQuantizationError: the scale of the group starting at weight ${start} overflows (${scale}); use float32 scales (scaleBytes 4)`);
  }
}
