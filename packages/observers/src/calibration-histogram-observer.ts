import type { Tensor } from '@qint/tensor';
import { AlignedHistogram, alignedHistogramFromState, alignedHistogramToState } from './aligned-histogram';
import { resolveBins } from './histogram-observer';
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
    return { ...super.stateJSON(), ...alignedHistogramToState(this.hist) };
  }

  override loadState(state: Record<string, unknown>): void {
    super.loadState(state);
    this.hist =
      this.minVals !== null && this.maxVals !== null
        ? alignedHistogramFromState(state, this.bins, this.minVals[0], this.maxVals[0], this.kind)
        : new AlignedHistogram(this.bins);
  }

  override reset(): void {
    super.reset();
    this.hist = new AlignedHistogram(this.bins);
  }
}
