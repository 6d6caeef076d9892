import { calculateQParams, type Convention } from '@qint/observers';
import { Tensor } from '@qint/tensor';
import { quantizeWeight } from './quantize-weight';

/**
 * How a static weight is stored. `'uint8'` (default): the symmetric int8 values shifted by +128 with zero point 128 —
 * the same dequantized numbers, which onnxruntime multiplies as u8 × u8, exactly on every CPU. `'int8'`: zero point
 * 0, full-range u8 × s8, which onnxruntime's x86 kernels without AVX-512 VNNI / AVX-VNNI compute with `vpmaddubsw`,
 * saturating each pair of products to int16 (wrong results, not just rounding).
 */
export type StaticWeightType = 'uint8' | 'int8';

/** A weight quantized for static quantization: integer values in the weight's own layout, scales per output channel or one. */
export interface StaticWeight {
  /** int8 or uint8 values (see {@link StaticWeightType}), same shape as the float weight. */
  values: Tensor<'int8'> | Tensor<'uint8'>;
  /** The zero-point initializer: 0 (int8) or 128 (uint8), `[channels]` per channel, a scalar per tensor. */
  zeroPoint: Tensor<'int8'> | Tensor<'uint8'>;
  /** `[channels]` (per channel) or one scale. */
  scales: Float32Array;
  /** The scales as the DequantizeLinear / QLinear* input: `[channels]` per channel, a scalar per tensor. */
  scale: Tensor<'float32'>;
}

/** The uint8 per-tensor affine quantization of a calibrated activation, with its scalar initializers. */
export interface ActivationQParams {
  scale: number;
  /** float32 scalar. */
  scaleTensor: Tensor<'float32'>;
  /** uint8 scalar. */
  zeroTensor: Tensor<'uint8'>;
}

/**
 * Scale and zero point of a calibrated activation range, as both static forms quantize activations: uint8, per
 * tensor, affine, with `calculateQParams` of @qint/observers.
 *
 * @param range - the calibrated range
 * @param convention - scale arithmetic
 * @returns the scale and its scalar initializers
 * @example
 * ```ts
 * activationQParams({ min: 0, max: 2.55 }, 'pytorch').scale; // 0.01
 * ```
 */
export function activationQParams(range: { min: number; max: number }, convention: Convention): ActivationQParams {
  const p = calculateQParams(range.min, range.max, { dtype: 'uint8', qscheme: 'per_tensor_affine', convention });
  return { scale: p.scale[0], scaleTensor: Tensor.from('float32', [], [p.scale[0]]), zeroTensor: Tensor.from('uint8', [], [p.zeroPoint[0]]) };
}

/**
 * Quantizes a float weight to 8-bit symmetric values per output channel or per tensor, with the same
 * `quantizeWeight` as {@link quantizeDynamic}. Output channels live on `axis` (Conv and transposed Gemm weights:
 * 0; MatMul `[K, N]`: 1).
 *
 * @param w - float32 weight
 * @param axis - the output-channel axis (0, or 1 of a rank-2 weight)
 * @param perChannel - one scale per output channel, else one for the tensor
 * @param reduceRange - halve the integer range
 * @param convention - scale arithmetic
 * @param label - node name for errors
 * @param weightType - storage of the values (default `'uint8'`, see {@link StaticWeightType})
 * @returns the stored values, zero point, scales, and the scale initializer
 * @throws {@link QuantizeError} for NaN/Inf weights
 * @example
 * ```ts
 * const { values, zeroPoint, scales } = quantizeStaticWeight(w, 0, true, false, 'pytorch', 'conv1'); // uint8, zero point 128
 * ```
 */
export function quantizeStaticWeight(
  w: Tensor,
  axis: 0 | 1,
  perChannel: boolean,
  reduceRange: boolean,
  convention: Convention,
  label: string,
  weightType: StaticWeightType = 'uint8',
): StaticWeight {
  const n = w.shape[axis];
  const k = w.size / n;
  // quantizeWeight reads output-major [n, k]: a [K, N] weight is transposed in, and its values transposed back.
  const rows = (axis === 0 ? w.data : w.transpose().data) as Float32Array;
  const q = quantizeWeight(
    rows,
    n,
    k,
    { bits: 8, granularity: perChannel ? 'per_channel' : 'per_tensor', blockSize: 0, symmetric: true, weightType: 'int8', reduceRange, convention, rangeMethod: 'minmax', percentile: 100 },
    label,
  );
  const u8 = weightType === 'uint8';
  const stored = u8 ? Uint8Array.from(q.values, (v) => v + 128) : q.values;
  const dtype = u8 ? 'uint8' : 'int8';
  const values = axis === 0 ? Tensor.from(dtype, w.shape, stored) : Tensor.from(dtype, [n, k], stored).transpose();
  const scale = perChannel ? Tensor.from('float32', [q.scales.length], q.scales) : Tensor.from('float32', [], [q.scales[0]]);
  const zeroShape = perChannel ? [q.scales.length] : [];
  const zeroPoint = u8 ? Tensor.from('uint8', zeroShape, new Uint8Array(q.scales.length).fill(128)) : Tensor.zeros('int8', zeroShape);
  return { values: values as Tensor<'int8'> | Tensor<'uint8'>, zeroPoint, scales: q.scales, scale };
}
