import type { Convention } from '@qint/observers';

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
  /** Node names or op types left in float (an unknown name is an error). */
  exclude?: readonly string[];
}
