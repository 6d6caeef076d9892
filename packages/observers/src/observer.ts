import type { Tensor } from '@qint/tensor';
import type { ObserverOptions, ObserverStats, QParams } from './observer-options';
import type { QParamsConfig } from './qparams-config';

/** The observer classes, as named in JSON and by {@link createObserver}. */
export type ObserverKind =
  | 'MinMaxObserver'
  | 'MovingAverageMinMaxObserver'
  | 'PerChannelMinMaxObserver'
  | 'MovingAveragePerChannelMinMaxObserver'
  | 'HistogramObserver'
  | 'PercentileObserver'
  | 'EntropyObserver'
  | 'MseObserver';

/** Serialized observer: plain JSON (no NaN/Infinity: non-finite floats are the strings `'Infinity'`/`'-Infinity'`/`'NaN'`). */
export interface ObserverJSON {
  kind: ObserverKind;
  /** Format version of `state`. */
  version: 1;
  /** The options the observer was created with (including observer-specific ones such as `percentile`). */
  options: ObserverOptions & Record<string, unknown>;
  /** Observer-specific state: min/max, histogram, counters. */
  state: Record<string, unknown>;
}

/**
 * What every observer does: accumulate statistics of float tensors, then turn them into quantization parameters.
 * Observers are mergeable (calibrate shards in parallel, then combine) and serializable (`toJSON` / {@link observerFromJSON}).
 *
 * @example
 * ```ts
 * const a = createObserver('MinMaxObserver'), b = createObserver('MinMaxObserver');
 * a.observe(half1); b.observe(half2);
 * a.merge(b); // same state as one observer that saw both halves
 * a.calculateQParams();
 * ```
 */
export interface Observer {
  /** The class name, as in {@link ObserverJSON.kind}. */
  readonly kind: ObserverKind;
  /** The resolved dtype, qscheme, integer range, eps and convention. */
  readonly config: QParamsConfig;
  /** Adds a float32 (or float16) tensor's values to the statistics. NaN is ignored; ±Infinity is recorded by the min/max observers (as PyTorch) and dropped by the histogram ones (see the README). */
  observe(x: Tensor): void;
  /** Scale and zero point (one per tensor, or one per channel) from what was observed. */
  calculateQParams(): QParams;
  /** The observed min/max (per tensor: length 1; per channel: one per channel). */
  stats(): ObserverStats;
  /** The range `calculateQParams` quantizes (equal to `stats()` for min/max observers; the searched range for histogram ones). */
  computeRange(): ObserverStats;
  /** Folds another observer of the same kind and options into this one. */
  merge(other: Observer): void;
  /** The observer as JSON. */
  toJSON(): ObserverJSON;
  /** Forgets everything observed. */
  reset(): void;
}
