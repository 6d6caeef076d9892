import type { Tensor } from '@qint/tensor';
import { AlignedHistogram } from './aligned-histogram';
import { resolveBins } from './histogram-observer';
import { ObserverError } from './observer-error';
import type { ObserverOptions, ObserverStats } from './observer-options';
import { RangeObserverBase } from './range-observer-base';
import { scanMinMax, scanResult, tensorValues } from './tensor-values';

/**
 * Shared base of the observers that search a clipping range on an {@link AlignedHistogram}
 * (Percentile, Entropy, MSE): exact merges, JSON of the counts, stats = observed min/max.
 * Not exported from the package.
 */
export abstract class CalibrationHistogramObserver extends RangeObserverBase {
  /** Number of histogram bins. */
  readonly bins: number;
  protected hist: AlignedHistogram;

  protected constructor(options: ObserverOptions & Record<string, unknown>, who: string) {
    super(options, false, who);
    this.bins = resolveBins(options.bins, who);
    this.hist = new AlignedHistogram(this.bins);
  }

  /**
   * Adds a tensor's values to the histogram (two passes: min/max, then binning; NaN and ±Infinity skipped).
   *
   * @param x - float32 or float16 tensor
   * @throws {@link ObserverError} for an empty tensor
   * @throws {@link DTypeError} for a non-float tensor
   * @example
   * ```ts
   * obs.observe(Tensor.from('float32', [3], [0.1, -2, 0.5]));
   * ```
   */
  observe(x: Tensor): void {
    const data = tensorValues(x, this.kind);
    scanMinMax(data, 0, data.length);
    const lo = scanResult[0];
    const hi = scanResult[1];
    if (!(lo <= hi)) return;
    this.hist.add(data, lo, hi);
    this.minVals = Float32Array.of(this.hist.min);
    this.maxVals = Float32Array.of(this.hist.max);
  }

  /** The clipping range chosen from the histogram (within the observed [min, max], widened later to contain 0). */
  protected abstract searchRange(): [number, number];

  override computeRange(): ObserverStats {
    if (this.minVals === null) return this.stats();
    const [lo, hi] = this.searchRange();
    return { min: Float32Array.of(lo), max: Float32Array.of(hi) };
  }

  /**
   * The aligned histogram: bin i covers `[(lo + i)·width, (lo + i + 1)·width)`.
   *
   * @returns a copy of the counts with the grid
   * @example
   * ```ts
   * const { counts, lo, width } = obs.getHistogram();
   * ```
   */
  getHistogram(): { counts: Float64Array; lo: number; width: number; total: number } {
    return { counts: this.hist.counts.slice(), lo: this.hist.lo, width: this.hist.width, total: this.hist.total };
  }

  protected mergeState(other: this): void {
    this.hist.merge(other.hist);
    if (this.hist.total > 0) {
      this.minVals = Float32Array.of(this.hist.min);
      this.maxVals = Float32Array.of(this.hist.max);
    }
  }

  protected override sameExtraOptions(other: RangeObserverBase): boolean {
    return JSON.stringify(this.extraOptions()) === JSON.stringify((other as CalibrationHistogramObserver).extraOptions());
  }

  /** Observer-specific options that must agree for a merge. */
  protected extraOptions(): unknown[] {
    return [this.bins];
  }

  protected override stateJSON(): Record<string, unknown> {
    const h = this.hist;
    // Counts are stored sparsely as [index, count] pairs: calibration histograms are mostly empty.
    const sparse: number[] = [];
    h.counts.forEach((c, i) => {
      if (c !== 0) sparse.push(i, c);
    });
    return { ...super.stateJSON(), k: h.k, lo: h.lo, total: h.total, counts: sparse };
  }

  override loadState(state: Record<string, unknown>): void {
    super.loadState(state);
    const h = new AlignedHistogram(this.bins);
    if (this.minVals !== null && this.maxVals !== null) {
      const { k, lo, total, counts } = state as { k: unknown; lo: unknown; total: unknown; counts: unknown };
      if ((k !== null && !Number.isInteger(k)) || !Number.isInteger(lo) || typeof total !== 'number' || !Array.isArray(counts) || counts.length % 2 !== 0) {
        throw new ObserverError(`observerFromJSON: ${this.kind} state needs integer k (or null), integer lo, total and [index, count] pairs`);
      }
      h.k = k as number | null;
      h.lo = lo as number;
      h.total = total;
      h.min = this.minVals[0];
      h.max = this.maxVals[0];
      for (let i = 0; i < counts.length; i += 2) {
        const idx = counts[i] as number;
        if (!Number.isInteger(idx) || idx < 0 || idx >= this.bins) throw new ObserverError(`observerFromJSON: histogram index ${idx} is outside [0, ${this.bins})`);
        h.counts[idx] = counts[i + 1] as number;
      }
    }
    this.hist = h;
  }

  override reset(): void {
    super.reset();
    this.hist = new AlignedHistogram(this.bins);
  }
}
