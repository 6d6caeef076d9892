import { CalibrationHistogramObserver } from './calibration-histogram-observer';
import type { ObserverKind } from './observer';
import { ObserverError } from './observer-error';
import type { ObserverOptions } from './observer-options';
import { isSymmetric } from './qparams-config';

/** Options of {@link PercentileObserver}. */
export interface PercentileObserverOptions extends ObserverOptions {
  /** Share of values (in percent, (0, 100]) the range must keep. Default 99.99. */
  percentile?: number;
}

/**
 * Percentile calibration (onnxruntime's and TensorRT's "percentile" method): the range keeps `percentile`% of the
 * values and clips the rest. Symmetric qschemes use the histogram of |x| and the threshold T where its CDF reaches
 * p, giving [−T, T]; affine qschemes cut (100 − p)/2 % from each tail of the signed histogram. Thresholds are bin
 * edges (the upper edge of the bin where the CDF crosses, the lower edge for the low tail), clamped to the observed
 * [min, max]. Histogram: see {@link AlignedHistogram} (exact merges).
 *
 * @example
 * ```ts
 * const obs = new PercentileObserver({ dtype: 'int8', qscheme: 'per_tensor_symmetric', percentile: 99.9 });
 * obs.observe(activations);
 * obs.calculateQParams();
 * ```
 */
export class PercentileObserver extends CalibrationHistogramObserver {
  readonly kind: ObserverKind = 'PercentileObserver';
  /** The percentile p. */
  readonly percentile: number;

  /**
   * @param options - {@link PercentileObserverOptions}; qscheme must be per-tensor
   * @throws {@link ObserverError} for invalid options
   */
  constructor(options: PercentileObserverOptions = {}) {
    super(options as ObserverOptions & Record<string, unknown>, 'PercentileObserver');
    const p = options.percentile ?? 99.99;
    if (typeof p !== 'number' || !(p > 0 && p <= 100)) throw new ObserverError(`PercentileObserver: percentile must be in (0, 100], got ${options.percentile}`);
    this.percentile = p;
  }

  protected searchRange(): [number, number] {
    const h = this.hist;
    const w = h.width;
    if (w === 0) return [h.min, h.max];
    if (isSymmetric(this.config.qscheme)) {
      const abs = h.absCounts();
      const i = crossing(abs, (this.percentile / 100) * h.total);
      const t = Math.min((i + 1) * w, Math.max(-h.min, h.max));
      return [Math.max(-t, h.min), Math.min(t, h.max)];
    }
    const cut = ((100 - this.percentile) / 200) * h.total;
    const iLo = crossing(h.counts, cut);
    const iHi = crossing(h.counts, h.total - cut);
    const lo = Math.max((h.lo + iLo) * w, h.min);
    const hi = Math.min((h.lo + iHi + 1) * w, h.max);
    return [Math.min(lo, hi), hi];
  }

  protected override extraOptions(): unknown[] {
    return [this.bins, this.percentile];
  }
}

/** First index where the running sum reaches `target` (numpy.searchsorted(cumsum, target, 'left')), clamped to the last bin. */
export function crossing(counts: ArrayLike<number>, target: number): number {
  let acc = 0;
  for (let i = 0; i < counts.length; i++) {
    acc += counts[i];
    if (acc >= target) return i;
  }
  return counts.length - 1;
}
