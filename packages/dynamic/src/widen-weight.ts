import { Tensor } from '@qint/tensor';

/**
 * Whether a constant can be quantized as a float weight: float32, or float16/bfloat16 storage (half-precision
 * exports), which is dequantized to float32 first.
 *
 * @param t - the constant
 * @returns true for float32, float16 and bfloat16
 */
export function isFloatWeight(t: Tensor): boolean {
  return t.dtype === 'float32' || t.dtype === 'float16' || t.dtype === 'bfloat16';
}

/**
 * The float32 values of a float weight (exact: every float16 and bfloat16 value is a float32 value).
 *
 * @param t - a float32, float16 or bfloat16 tensor
 * @returns `t` itself when float32, else a float32 copy
 */
export function widenWeight(t: Tensor): Tensor {
  return t.dtype === 'float32' ? t : Tensor.from('float32', t.shape, Float32Array.from(t.values()));
}
