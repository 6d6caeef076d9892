import type { Convention, ObserverJSON } from '@qint/observers';

/**
 * How {@link calibrate} turns observed activations into ranges, one observer of @qint/observers per tensor:
 * `'minmax'` (MinMaxObserver), `'moving_average'` (MovingAverageMinMaxObserver), `'histogram'` (HistogramObserver:
 * PyTorch's L2 search), `'percentile'` (PercentileObserver), `'entropy'` (EntropyObserver: KL divergence, as
 * TensorRT/onnxruntime), `'mse'` (MseObserver).
 */
export type CalibrationMethod = 'minmax' | 'moving_average' | 'histogram' | 'percentile' | 'entropy' | 'mse';

/** Observed activation ranges by value name: the float inputs of the quantized layers, and their outputs (QOperator). */
export type CalibrationRanges = Record<string, { min: number; max: number }>;

/** What {@link CalibrateOptions.onProgress} receives after each batch. */
export interface CalibrationProgress {
  /** Batches observed so far in this call (1-based). */
  batch: number;
  /** Number of batches, when `batches` has a `length` (an array); otherwise undefined. */
  total?: number;
  /** Number of tensors observed per batch. */
  tensors: number;
}

/** Options of {@link calibrate} and {@link calibrateState}. */
export interface CalibrateOptions {
  /** The observer (default `'minmax'`). Ignored when `state` is given (its method applies). */
  observer?: CalibrationMethod;
  /** Op types whose activations are observed (default MatMul, Gemm, Conv). */
  opTypes?: readonly string[];
  /** Histogram bins of `'histogram'`, `'percentile'`, `'entropy'`, `'mse'` (default 2048). */
  bins?: number;
  /** Share of values `'percentile'` keeps, in percent (default 99.99). */
  percentile?: number;
  /** Upsampling factor of `'histogram'` (default 128). */
  upsampleRate?: number;
  /** Histogram grid of `'histogram'`: `'pytorch'` (default, approximate merges) or `'aligned'` (exact merges). */
  histogramGrid?: 'pytorch' | 'aligned';
  /** Clipping factors `'mse'` tries (default 100). */
  mseSteps?: number;
  /** Averaging constant of `'moving_average'` (default 0.01). */
  averagingConstant?: number;
  /** Scale arithmetic the range searches assume (default `'pytorch'`); pass the same to {@link quantizeStatic}. */
  convention?: Convention;
  /** Called after every batch (e.g. to print a progress bar). */
  onProgress?: (progress: CalibrationProgress) => void;
  /**
   * Continue this earlier calibration (same model): its observers keep accumulating, and it is returned.
   * To combine calibrations run separately (other processes, other data), use {@link CalibrationState.merge}.
   */
  state?: CalibrationState;
}

/** Serialized {@link CalibrationState}: plain JSON. */
export interface CalibrationJSON {
  /** Format version. */
  version: 1;
  /** The method. */
  method: CalibrationMethod;
  /** Batches observed. */
  batches: number;
  /** One serialized observer per tensor name. */
  observers: Record<string, ObserverJSON>;
}

/**
 * The observers of a calibration, one per activation tensor: mergeable across runs and serializable, so calibration
 * can be sharded (processes, workers, days) and finished later. Created by {@link calibrateState}.
 */
export interface CalibrationState {
  /** The observer kind every tensor uses. */
  readonly method: CalibrationMethod;
  /** Number of batches observed (summed over merges). */
  readonly batches: number;
  /** Observed tensor names, in graph order. */
  readonly tensors: readonly string[];
  /**
   * The range of every observed tensor (each observer's `computeRange()`: min/max, or the searched clipping range).
   *
   * @throws {@link QuantizeError} when nothing was observed
   */
  ranges(): CalibrationRanges;
  /**
   * Folds another calibration of the same method and options into this one (tensors it alone saw are added).
   *
   * @throws {@link QuantizeError} for another method or other observer options
   */
  merge(other: CalibrationState): void;
  /** The calibration as JSON (see {@link calibrationFromJSON}). */
  toJSON(): CalibrationJSON;
}
