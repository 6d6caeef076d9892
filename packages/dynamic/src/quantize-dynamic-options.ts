import type { Convention } from '@qint/observers';
import type { Tensor } from '@qint/tensor';

/** Weight bit widths the quantizer emits. */
export type WeightBitWidth = 8 | 4 | 3 | 2;

/** How many scales a weight gets: one, one per output channel, or one per block of `blockSize` along K. */
export type WeightGranularity = 'per_tensor' | 'per_channel' | 'per_block';

/** How a weight's range is chosen before `calculateQParams` turns it into scales. */
export type RangeMethod = 'minmax' | 'mse' | 'percentile';

/**
 * How weights round to integers once their scales are chosen: `'nearest'` (round half to even) or `'gptq'` (GPTQ's
 * error feedback over the layer's calibration inputs, see {@link gptqRound}; needs {@link QuantizeDynamicOptions.calibration}).
 */
export type WeightRounding = 'nearest' | 'gptq';

/** Settings that may differ per node ({@link QuantizeDynamicOptions.overrides}). */
export interface NodeQuantSettings {
  /**
   * Weight rounding (default `'nearest'`). `'gptq'` keeps the scales and zero points the range method chose and picks
   * the integers that minimise the layer's output error on the calibration inputs.
   */
  rounding?: WeightRounding;
  /** Weight bits: 8 (default), 4, 3 or 2. Conv supports 8, 4 and 2 (stored packed, widened to int8 at load). */
  bits?: WeightBitWidth;
  /** Default `'per_channel'`. Conv has no per-block form (it falls back to per channel, noted in the report). */
  granularity?: WeightGranularity;
  /** Block length along K for `'per_block'` (default 32; 32/64/128 are typical, MatMulNBits needs a power of two ≥ 16). */
  blockSize?: number;
  /** Symmetric (zero point 0, the default) or affine weights. */
  symmetric?: boolean;
  /** Quantize each activation row (token) with its own range (MatMul/Gemm only; default false = per tensor). */
  perRow?: boolean;
}

/** Options of {@link quantizeDynamic}. */
export interface QuantizeDynamicOptions extends NodeQuantSettings {
  /**
   * 8-bit weight type: `'int8'` (default, range [−128, 127]) or `'uint8'` (affine over [0, 255], stored shifted by
   * −128 so the kernels see signed values; exported to ONNX as uint8 again). Ignored below 8 bits.
   */
  weightType?: 'int8' | 'uint8';
  /** Halve the integer range of the weights (PyTorch's `reduce_range`; for CPUs whose int8 dot products saturate). */
  reduceRange?: boolean;
  /** Arithmetic of the scales, as `calculateQParams` of @qint/observers (default `'pytorch'`). */
  convention?: Convention;
  /** Range choice: `'minmax'` (default), `'mse'` (shrink the range to minimise squared error), or `'percentile'`. */
  rangeMethod?: RangeMethod;
  /** Percentile of |w| kept for `rangeMethod: 'percentile'` (default 99.99). */
  percentile?: number;
  /** Op types to quantize (default `['MatMul', 'Gemm', 'Conv', 'LSTM', 'GRU', 'RNN', 'Attention']`; `'Attention'` is com.microsoft Attention's packed QKV weight). */
  opTypes?: readonly string[];
  /** Also dynamically quantize MatMul between two activations (attention scores), as DynamicQuantizeLinear + MatMulInteger (default true). */
  activationMatMul?: boolean;
  /** Node names or op types to leave in float. A name that matches nothing is an error. */
  exclude?: readonly string[];
  /** Per-node settings by node name (a name that matches nothing is an error). */
  overrides?: Readonly<Record<string, NodeQuantSettings>>;
  /** Weights with fewer elements than this stay float (default 0: quantize everything eligible). */
  minWeightElements?: number;
  /**
   * Calibration data for `rounding: 'gptq'`: feeds (input name → tensor, one object per batch, run through the float
   * model), or the {@link LayerGrams} that {@link layerGrams} computed from them (reuse across quantizations).
   * Required when any node uses GPTQ; ignored otherwise.
   */
  calibration?: Iterable<Readonly<Record<string, Tensor>>> | LayerGrams;
  /** GPTQ damping λ as a share of the mean diagonal of `XᵀX` (default 0.01). */
  gptqDampening?: number;
}

/** One quantized node in a {@link QuantizeReport}. */
export interface QuantizedNodeInfo {
  /** The float node's name. */
  node: string;
  opType: string;
  /** What it became: `'DynamicLinear'`, `'DynamicConv'` (ai.qint) or `'DynamicQuantizeLinear+MatMulInteger'`. */
  as: string;
  bits: WeightBitWidth | 8;
  granularity: WeightGranularity | 'activation';
  blockSize: number;
  symmetric: boolean;
  perRow: boolean;
  /** How the weight was rounded (`'gptq'`: with the layer's calibration Gram matrix). */
  rounding: WeightRounding;
  /** Bytes of the float weight (and bias) this node used. */
  weightBytesBefore: number;
  /** Bytes of its quantized weight, scales, zero points and bias. */
  weightBytesAfter: number;
}

/** A node the quantizer looked at and left in float. */
export interface SkippedNodeInfo {
  node: string;
  opType: string;
  reason: string;
}

/** What {@link quantizeDynamic} did. */
export interface QuantizeReport {
  quantized: QuantizedNodeInfo[];
  skipped: SkippedNodeInfo[];
  /** Things a user should know that did not stop quantization (e.g. a per-block request on a Conv). */
  warnings: string[];
  /** Bytes of all initializers of the float model. */
  weightBytesBefore: number;
  /** Bytes of all initializers of the quantized model. */
  weightBytesAfter: number;
}

/** The Gram matrix `XᵀX` of one layer's calibration inputs (see {@link layerGrams}). */
export interface LayerGram {
  /** The node (its name, or `#index` for an unnamed node). */
  node: string;
  /** The input value it was accumulated from. */
  input: string;
  /** Reduction length (Conv: C/group · kernel size). */
  k: number;
  /** Number of matrices (Conv groups; 1 for MatMul/Gemm). */
  groups: number;
  /** Input rows (patches) accumulated per group. */
  rows: number;
  /**
   * `groups` row-major `[k, k]` float64 matrices back to back; the same array for layers that read the same input the
   * same way (e.g. Q, K and V projections), so treat it as read-only.
   */
  gram: Float64Array;
}

/** The Gram matrices of a model's layers, from {@link layerGrams}: pass as {@link QuantizeDynamicOptions.calibration}. */
export interface LayerGrams {
  readonly kind: 'layer-grams';
  /** Calibration batches run. */
  readonly batches: number;
  /** By node name (`#index` for unnamed nodes). */
  readonly layers: ReadonlyMap<string, LayerGram>;
}

/** Options of {@link layerGrams}. */
export interface LayerGramsOptions {
  /** Only these nodes (by name); each must be a MatMul/Gemm/Conv with a constant float32 weight. Default: all such nodes. */
  nodes?: readonly string[];
  /** Op types considered (default MatMul, Gemm, Conv). */
  opTypes?: readonly string[];
}
