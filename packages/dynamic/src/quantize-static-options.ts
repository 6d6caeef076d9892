import type { Convention } from '@qint/observers';
import type { StaticWeightType } from './static-weight';

/** Options of {@link quantizeStatic}. */
export interface QuantizeStaticOptions {
  /**
   * `'qdq'` (default): QuantizeLinear → DequantizeLinear around each layer's activation and DequantizeLinear of int8
   * weights, the float op kept (onnxruntime fuses the pattern). `'qoperator'`: integer ops — QuantizeLinear at the
   * input, QLinearConv / QLinearMatMul between quantized tensors (int32 bias of scale x_scale·w_scale), and
   * DequantizeLinear before outputs and before every op that has no quantized form.
   */
  format?: 'qdq' | 'qoperator';
  /** Per output channel (default) or one scale per weight. */
  granularity?: 'per_tensor' | 'per_channel';
  /** Arithmetic of every scale (default `'pytorch'`). */
  convention?: Convention;
  /** Halve the weight range (PyTorch's `reduce_range`). */
  reduceRange?: boolean;
  /**
   * Storage of the 8-bit weights: `'uint8'` (default; symmetric values + 128, zero point 128 — the same numbers, and
   * onnxruntime computes u8 × u8 exactly on every CPU) or `'int8'` (zero point 0; onnxruntime's u8 × s8 kernels
   * saturate on x86 CPUs without AVX-512 VNNI / AVX-VNNI, so the model then runs wrong there). See the README,
   * "onnxruntime and integer saturation".
   */
  weightType?: StaticWeightType;
  /** Node names or op types left in float (an unknown name is an error). */
  exclude?: readonly string[];
}
