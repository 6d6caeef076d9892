// The data model shared by sensitivity measurement (which fills it), allocation (which reads it) and plan
// application (which maps candidate ids back to quantization settings). Plain JSON on purpose: a table can be
// measured once, saved, inspected and re-allocated under many budgets without re-running the model.

/**
 * How a weight matrix `[n, k]` (n outputs, k inputs, output-major) shares its quantization parameters:
 * one scale for the whole tensor, one per output channel (row), one per block of `blockSize` consecutive inputs
 * within a row, or not quantized at all (`'float'`, kept as float32).
 *
 * @example
 * ```ts
 * const g: Granularity = 'per-block'; // with blockSize: 32 → one scale per 32 inputs of each output row
 * ```
 */
export type Granularity = 'per-tensor' | 'per-channel' | 'per-block' | 'float';

/**
 * A weight quantization scheme: what a candidate means, independently of any one layer.
 *
 * @example
 * ```ts
 * const int4: QuantScheme = { bits: 4, granularity: 'per-block', blockSize: 32 };
 * ```
 */
export interface QuantScheme {
  /** Bits per stored weight: 2–8 for integer schemes, 32 for `'float'`. */
  bits: number;
  /** How scales are shared. */
  granularity: Granularity;
  /** Inputs per block; required for `'per-block'`, ignored otherwise. */
  blockSize?: number;
  /** `true`: affine (uint levels with a zero point per group); `false`/absent: symmetric (signed, zero point 0). */
  affine?: boolean;
  /** Bytes per stored scale: 4 (float32, default) or 2 (float16). */
  scaleBytes?: 2 | 4;
  /**
   * `'mse'`: before quantizing, clip each group (channel or block) of the weight to the range, shrunk from its
   * min-max, that gives the least squared reconstruction error (see {@link clipWeight}); absent: the min-max range.
   * Same stored bytes; only the scales (and the rounding of outliers) change.
   */
  clip?: 'mse';
  /**
   * `'gptq'`: the integers are chosen by GPTQ's error feedback over the layer's calibration inputs (@qint/dynamic's
   * `rounding: 'gptq'`), for the same scales as the min-max or clipped range; absent or `'nearest'`: round to nearest.
   * Same stored bytes. Needs calibration data to measure and to apply.
   */
  rounding?: 'nearest' | 'gptq';
}

/**
 * One way to store one layer, with its exact cost and predicted damage.
 *
 * @example
 * ```ts
 * const c: Candidate = { id: 'int4-block32', bits: 4, granularity: 'per-block', blockSize: 32,
 *   bytes: candidateBytes({ n: 64, k: 128, bits: 4, blockSize: 32 }), damage: 0.0123 };
 * ```
 */
export interface Candidate extends QuantScheme {
  /** Unique within its layer, e.g. `'int8-per-channel'`, `'int4-block32'`, `'int3-block64'`, `'int2-block32'`, `'float'`. */
  id: string;
  /**
   * Exact stored bytes of the layer's weights under this candidate: packed weights + scales + zero points
   * (see {@link candidateBytes}). A non-negative integer. Biases stay float in every candidate and are not counted.
   */
  bytes: number;
  /**
   * Predicted damage of quantizing this layer this way, ≥ 0 and finite: any additive measure (the data-free
   * {@link weightQuantizationError}, output MSE on calibration data, KL of the logits, loss increase). The allocator
   * minimises the sum over layers, which assumes the damages of different layers add up.
   */
  damage: number;
  /** Measured latency of the layer with this candidate, in milliseconds (needed only for latency budgets). */
  latencyMs?: number;
}

/**
 * One layer (a MatMul/Gemm/Conv weight) and the candidates it may take.
 *
 * @example
 * ```ts
 * const layer: LayerSensitivity = { name: 'fc1', weightCount: 64 * 128, candidates: [...], pinned: 'int8-per-channel' };
 * ```
 */
export interface LayerSensitivity {
  /** Unique in the table; for graphs, the weight initializer's name. */
  name: string;
  /** Number of weights (n·k); used for bits-per-weight figures and budgets. */
  weightCount: number;
  /** Weight shape `[n, k]` (outputs, inputs), when known. Informational. */
  shape?: [number, number];
  /** At least one candidate; ids unique within the layer. */
  candidates: Candidate[];
  /** When set, the allocator must give this layer this candidate id (e.g. the first and last layers kept at 8 bits). */
  pinned?: string;
}

/**
 * Per-layer sensitivities of a model: the input of {@link allocate} and {@link paretoFrontier}.
 *
 * @example
 * ```ts
 * const table: SensitivityTable = { metric: 'weight-error', layers: [layerA, layerB] };
 * ```
 */
export interface SensitivityTable {
  /** Layer names unique. May be empty. */
  layers: LayerSensitivity[];
  /** What `damage` measures (free text, e.g. `'weight-error'`, `'output-mse'`, `'kl'`); carried into reports. */
  metric?: string;
}
