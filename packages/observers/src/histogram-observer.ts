import type { Tensor } from '@qint/tensor';
import { AlignedHistogram, alignedHistogramFromState, alignedHistogramToState } from './aligned-histogram';
import type { ObserverKind } from './observer';
import { ObserverError } from './observer-error';
import type { ObserverOptions, ObserverStats } from './observer-options';
import { roundHalfEven } from './calculate-qparams';
import { RangeObserverBase } from './range-observer-base';
import { decodeFloatArray, scanMinMax, scanResult, tensorValues } from './tensor-values';

const f = Math.fround;

/** Options of {@link HistogramObserver}: the shared ones plus PyTorch's `upsample_rate`. */
export interface HistogramObserverOptions extends ObserverOptions {
  /** Factor by which the old histogram is upsampled when the range grows. Default 128. */
  upsampleRate?: number;
  /**
   * `'pytorch'` (default): PyTorch's histogram over [min, max], bit-identical results, approximate merges.
   * `'aligned'`: the power-of-two grid of {@link AlignedHistogram} (exact, order-independent merges); the same L2
   * search runs on it and its result is clamped to the observed [min, max].
   */
  grid?: 'pytorch' | 'aligned';
}

/**
 * Validates `bins`.
 *
 * @param bins - the option
 * @param who - observer name
 * @returns the bin count (default 2048)
 * @throws {@link ObserverError} unless an integer in [2, 2^20]
 * @example
 * ```ts
 * resolveBins(undefined, 'HistogramObserver'); // 2048
 * ```
 */
export function resolveBins(bins: number | undefined, who: string): number {
  const v = bins ?? 2048;
  if (!Number.isInteger(v) || v < 2 || v > 1 << 20) throw new ObserverError(`${who}: bins must be an integer in [2, 1048576], got ${bins}`);
  return v;
}

/**
 * PyTorch's `HistogramObserver`: a `bins`-bin histogram (2048 by default) over the running [min, max]; when a batch
 * widens the range, the old histogram is upsampled ×`upsampleRate`, placed on the wider grid and downsampled; the
 * quantization range is then chosen by the greedy search that shrinks [start bin, end bin] while the L2
 * quantization error keeps falling (`_non_linear_param_search`). Float32 arithmetic follows PyTorch 2.1's
 * (±Infinity dropped, histogram bounds not truncated to integers), so results equal PyTorch's to float32 precision.
 *
 * Per-tensor only. `merge` regrids the other histogram onto this one's (widened) grid: like PyTorch's own batch
 * combining it is an approximation, so merged shards agree with one sequential pass to within about one bin.
 * With `grid: 'aligned'` the histogram lives on a power-of-two grid instead, merges are exact and order-independent,
 * and the same search gives a range close to (not bit-identical with) PyTorch's.
 *
 * @example
 * ```ts
 * const obs = new HistogramObserver({ dtype: 'uint8' });
 * for (const batch of calibrationBatches) obs.observe(batch);
 * const { scale, zeroPoint } = obs.calculateQParams();
 * ```
 */
export class HistogramObserver extends RangeObserverBase {
  readonly kind: ObserverKind = 'HistogramObserver';
  /** Number of bins. */
  readonly bins: number;
  /** Upsampling factor used when the range grows. */
  readonly upsampleRate: number;
  /** Number of quantization levels the L2 search assumes: 2^bits of the dtype (256), as PyTorch. */
  readonly dstBins = 256;
  /** Histogram grid (see {@link HistogramObserverOptions.grid}). */
  readonly grid: 'pytorch' | 'aligned';
  /** Bin counts (float32, fractional after regridding) of the 'pytorch' grid. */
  protected histogram: Float32Array;
  /** The histogram of the 'aligned' grid. */
  protected aligned: AlignedHistogram;

  /**
   * @param options - {@link HistogramObserverOptions}; qscheme must be per-tensor
   * @throws {@link ObserverError} for invalid options
   */
  constructor(options: HistogramObserverOptions = {}) {
    super(options as ObserverOptions & Record<string, unknown>, false, 'HistogramObserver');
    this.bins = resolveBins(options.bins, 'HistogramObserver');
    const up = options.upsampleRate ?? 128;
    if (!Number.isInteger(up) || up < 1 || up > 4096) throw new ObserverError(`HistogramObserver: upsampleRate must be an integer in [1, 4096], got ${options.upsampleRate}`);
    this.upsampleRate = up;
    const grid = options.grid ?? 'pytorch';
    if (grid !== 'pytorch' && grid !== 'aligned') throw new ObserverError(`HistogramObserver: grid must be 'pytorch' or 'aligned', got ${JSON.stringify(options.grid)}`);
    this.grid = grid;
    this.histogram = new Float32Array(this.bins);
    this.aligned = new AlignedHistogram(this.bins);
  }

  /**
   * Adds a tensor to the histogram (two passes: min/max, then binning; ±Infinity and NaN are skipped).
   *
   * @param x - float32 or float16 tensor
   * @throws {@link ObserverError} for an empty tensor
   * @throws {@link DTypeError} for a non-float tensor
   * @example
   * ```ts
   * obs.observe(Tensor.from('float32', [4], [0, 1, 2, 10]));
   * ```
   */
  observe(x: Tensor): void {
    const data = tensorValues(x, this.kind);
    scanMinMax(data, 0, data.length);
    const xMin = f(scanResult[0]);
    const xMax = f(scanResult[1]);
    if (!(xMin <= xMax)) return; // nothing finite in this batch
    if (this.grid === 'aligned') {
      this.aligned.add(data, xMin, xMax);
      this.minVals = Float32Array.of(this.aligned.min);
      this.maxVals = Float32Array.of(this.aligned.max);
      return;
    }
    if (this.minVals === null || this.maxVals === null || this.isDegenerate()) {
      this.resetTo(data, xMin, xMax);
      return;
    }
    const curMin = this.minVals[0];
    const curMax = this.maxVals[0];
    const lo = Math.min(xMin, curMin);
    const hiRaw = Math.max(xMax, curMax);
    const grid = this.adjust(lo, hiRaw);
    const combined = histc(data, this.bins, grid.lo, grid.hi, new Float32Array(this.bins));
    if (grid.lo === curMin && grid.hi === curMax) {
      for (let i = 0; i < this.bins; i++) combined[i] = f(combined[i] + this.histogram[i]);
    } else if (this.bins * grid.downsample * 4 > 1e9) {
      // PyTorch 2.1 gives up on a range that grew too much (the dense grid would exceed 1 GB) and restarts.
      this.resetTo(data, xMin, xMax);
      return;
    } else {
      this.combineInto(combined, grid.downsample, grid.startIdx);
    }
    this.histogram = combined;
    this.minVals[0] = grid.lo;
    this.maxVals[0] = grid.hi;
  }

  /** PyTorch resets the histogram while the stored range is a point or narrower than 1e-6. */
  private isDegenerate(): boolean {
    const lo = this.minVals![0];
    const hi = this.maxVals![0];
    return lo === hi || f(hi - lo) < f(1e-6);
  }

  private resetTo(data: Float32Array, lo: number, hi: number): void {
    this.minVals = Float32Array.of(lo);
    this.maxVals = Float32Array.of(hi);
    this.histogram = histc(data, this.bins, lo, hi, new Float32Array(this.bins));
  }

  /** `_adjust_min_max` (2.1): the wider grid is an integer number of upsampled old bins. */
  private adjust(lo: number, hi: number): { lo: number; hi: number; downsample: number; startIdx: number } {
    const curMin = this.minVals![0];
    const curMax = this.maxVals![0];
    const oldRange = f(curMax - curMin);
    const newRange = f(hi - lo);
    const downsample = Math.ceil(f(f(newRange / oldRange) * this.upsampleRate));
    // downsample / upsampleRate is a Python float; the tensor op casts it to float32.
    const e = f(f(f(downsample / this.upsampleRate) * oldRange) - newRange);
    const startIdx = roundHalfEven(f(f(f(f(curMin - lo) / oldRange) * this.bins) * this.upsampleRate));
    return { lo, hi: f(hi + e), downsample, startIdx };
  }

  /** `_combine_histograms`: upsample the old histogram, place it at startIdx on the dense grid, downsample, add. */
  private combineInto(target: Float32Array, downsample: number, startIdx: number): void {
    const bins = this.bins;
    const up = this.upsampleRate;
    const old = this.histogram;
    // Prefix sums of the old histogram in float64, as torch.cumsum(dtype=double) accumulates them.
    const prefix = new Float64Array(bins + 1);
    for (let j = 0; j < bins; j++) prefix[j + 1] = prefix[j] + old[j] * up;
    const fine = bins * up;
    const integral = (p: number): number => {
      // Sum of the dense grid up to and including position p.
      const t = Math.min(p - startIdx + 1, fine);
      if (t <= 0) return 0;
      const full = Math.floor(t / up);
      return prefix[full] + (full < bins ? (t - full * up) * old[full] : 0);
    };
    let prevShifted = 0;
    for (let k = 0; k < bins; k++) {
      const cur = integral((k + 1) * downsample - 1);
      // The shifted copy lives in a float32 tensor in PyTorch; the difference and the division are float64.
      target[k] = f(target[k] + f((cur - prevShifted) / up));
      prevShifted = f(cur);
    }
  }

  override computeRange(): ObserverStats {
    if (this.minVals === null || this.maxVals === null) return this.stats();
    if (this.grid === 'aligned') {
      const h = this.aligned;
      if (h.width === 0) return this.stats();
      const [lo, hi] = nonLinearParamSearch(h.counts, f(h.lo * h.width), f((h.lo + this.bins) * h.width), this.dstBins);
      const min = Math.min(Math.max(lo, h.min), h.max);
      return { min: Float32Array.of(min), max: Float32Array.of(Math.max(Math.min(hi, h.max), min)) };
    }
    const [lo, hi] = this.nonLinearParamSearch();
    return { min: Float32Array.of(lo), max: Float32Array.of(hi) };
  }

  private nonLinearParamSearch(): [number, number] {
    return nonLinearParamSearch(this.histogram, this.minVals![0], this.maxVals![0], this.dstBins);
  }

  protected mergeState(other: this): void {
    if (other.minVals === null || other.maxVals === null) return;
    if (this.grid === 'aligned') {
      this.aligned.merge(other.aligned);
      this.minVals = Float32Array.of(this.aligned.min);
      this.maxVals = Float32Array.of(this.aligned.max);
      return;
    }
    if (this.minVals === null || this.maxVals === null) {
      this.minVals = other.minVals.slice();
      this.maxVals = other.maxVals.slice();
      this.histogram = other.histogram.slice();
      return;
    }
    // Keep the wider (non-degenerate) histogram as the base grid, then regrid the other one onto it.
    let base: HistogramObserver = this;
    let add: HistogramObserver = other;
    if (this.isDegenerate() && !other.isDegenerate()) [base, add] = [other, this];
    const baseMin = base.minVals![0];
    const baseMax = base.maxVals![0];
    const lo = Math.min(baseMin, add.minVals![0]);
    const hiRaw = Math.max(baseMax, add.maxVals![0]);
    let hist: Float32Array;
    let gridLo = lo;
    let gridHi = hiRaw;
    if (base.isDegenerate()) {
      hist = new Float32Array(this.bins);
      gridHi = hiRaw;
      placeHistogram(hist, base.histogram, base.minVals![0], base.maxVals![0], base.upsampleRate, gridLo, gridHi);
    } else if (lo === baseMin && hiRaw === baseMax) {
      hist = base.histogram.slice();
    } else {
      const grid = base.adjust(lo, hiRaw);
      gridHi = grid.hi;
      hist = new Float32Array(this.bins);
      base.combineInto(hist, grid.downsample, grid.startIdx);
    }
    placeHistogram(hist, add.histogram, add.minVals![0], add.maxVals![0], add.upsampleRate, gridLo, gridHi);
    this.histogram = hist;
    this.minVals = Float32Array.of(gridLo);
    this.maxVals = Float32Array.of(gridHi);
  }

  protected override sameExtraOptions(other: RangeObserverBase): boolean {
    const o = other as HistogramObserver;
    return o.bins === this.bins && o.upsampleRate === this.upsampleRate && o.grid === this.grid;
  }

  protected override stateJSON(): Record<string, unknown> {
    if (this.grid === 'aligned') return { ...super.stateJSON(), ...alignedHistogramToState(this.aligned) };
    return { ...super.stateJSON(), histogram: this.minVals ? Array.from(this.histogram) : null };
  }

  override loadState(state: Record<string, unknown>): void {
    super.loadState(state);
    if (this.minVals === null || this.maxVals === null) {
      this.histogram = new Float32Array(this.bins);
      this.aligned = new AlignedHistogram(this.bins);
      return;
    }
    if (this.grid === 'aligned') {
      this.aligned = alignedHistogramFromState(state, this.bins, this.minVals[0], this.maxVals[0], this.kind);
      return;
    }
    if (this.minVals.length !== 1) throw new ObserverError(`observerFromJSON: HistogramObserver state.min must have 1 entry, got ${this.minVals.length}`);
    const h = decodeFloatArray(state.histogram, 'state.histogram');
    if (h.length !== this.bins) throw new ObserverError(`observerFromJSON: state.histogram has ${h.length} bins but options.bins is ${this.bins}`);
    this.histogram = h;
  }

  override reset(): void {
    super.reset();
    this.histogram = new Float32Array(this.bins);
    this.aligned = new AlignedHistogram(this.bins);
  }

  /**
   * The histogram and the range it covers (PyTorch's `histogram`, `min_val`, `max_val`).
   *
   * @returns a copy of the bin counts with the range
   * @example
   * ```ts
   * const { histogram, min, max } = obs.getHistogram();
   * ```
   */
  getHistogram(): { histogram: Float32Array; min: number; max: number } {
    if (this.grid === 'aligned') {
      const h = this.aligned;
      return { histogram: Float32Array.from(h.counts), min: h.lo * h.width, max: (h.lo + this.bins) * h.width };
    }
    return {
      histogram: this.histogram.slice(),
      min: this.minVals ? this.minVals[0] : Infinity,
      max: this.maxVals ? this.maxVals[0] : -Infinity,
    };
  }
}

/**
 * PyTorch's `_non_linear_param_search`: a greedy shrink of [start bin, end bin] guided by quantiles (steps of 1e-5),
 * stopping as soon as the L2 quantization error (`_compute_quantization_error`) rises. Float32 arithmetic as PyTorch.
 *
 * @param hist - bin counts
 * @param minVal - lower edge of bin 0 (a float32 value)
 * @param maxVal - upper edge of the last bin (a float32 value)
 * @param dstBins - quantization levels assumed by the error (PyTorch: 256)
 * @returns the chosen [min, max]
 * @example
 * ```ts
 * const [lo, hi] = nonLinearParamSearch(histogram, -3, 5, 256);
 * ```
 */
export function nonLinearParamSearch(hist: ArrayLike<number>, minVal: number, maxVal: number, dstBins: number): [number, number] {
  const bins = hist.length;
  const binWidth32 = f(f(maxVal - minVal) / bins);
  const cSum = new Float32Array(bins);
  let acc = 0;
  for (let i = 0; i < bins; i++) {
    acc += hist[i];
    cSum[i] = acc;
  }
  const total = f(acc);
  if (binWidth32 === 0) return [minVal, minVal];
  const stepsize = 1e-5;
  let alpha = 0;
  let beta = 1;
  let startBin = 0;
  let endBin = bins - 1;
  let normMin = Infinity;
  while (alpha < beta) {
    const nextAlpha = alpha + stepsize;
    const nextBeta = beta - stepsize;
    let l = startBin;
    let r = endBin;
    const lowTarget = f(nextAlpha * total);
    const highTarget = f(nextBeta * total);
    while (l < endBin && cSum[l] < lowTarget) l++;
    while (r > startBin && cSum[r] > highTarget) r--;
    let nextStart = startBin;
    let nextEnd = endBin;
    if (l - startBin > endBin - r) {
      nextStart = l;
      alpha = nextAlpha;
    } else {
      nextEnd = r;
      beta = nextBeta;
    }
    if (nextStart === startBin && nextEnd === endBin) continue;
    const norm = quantizationError(hist, minVal, maxVal, dstBins, nextStart, nextEnd);
    if (norm > normMin) break;
    normMin = norm;
    startBin = nextStart;
    endBin = nextEnd;
  }
  return [f(minVal + f(binWidth32 * startBin)), f(minVal + f(binWidth32 * (endBin + 1)))];
}

/** `_compute_quantization_error`: L2 error of quantizing the histogram with [startBin, endBin] as the range. */
function quantizationError(hist: ArrayLike<number>, minVal: number, maxVal: number, dst: number, startBin: number, endBin: number): number {
  const bins = hist.length;
  const binWidth = (maxVal - minVal) / bins;
  const dstBinWidth = (binWidth * (endBin - startBin + 1)) / dst;
  if (dstBinWidth === 0) return 0;
  const bw = f(binWidth);
  const dbw = f(dstBinWidth);
  const halfDbw = f(dstBinWidth / 2);
  const negHalfDbw = f(-dstBinWidth / 2);
  // _get_norm(-d/2, d/2): the full-bin term, a float32 scalar.
  const fullNorm = f(f(f(f(halfDbw * halfDbw) * halfDbw) - f(f(negHalfDbw * negHalfDbw) * negHalfDbw)) / 3);
  let sum = 0;
  for (let i = 0; i < bins; i++) {
    const h = hist[i];
    if (h === 0) continue;
    const begin = f((i - startBin) * bw);
    const end = f(begin + bw);
    const dob = clamp(divFloor32(begin, dbw), 0, dst - 1);
    const dobCenter = f(f(dob + 0.5) * dbw);
    const doe = clamp(divFloor32(end, dbw), 0, dst - 1);
    const density = f(h / bw);
    const db = f(begin - dobCenter);
    let norm = f(density * f(f(f(f(halfDbw * halfDbw) * halfDbw) - f(f(db * db) * db)) / 3));
    norm = f(norm + f(f(doe - dob - 1) * f(density * fullNorm)));
    const doeCenter = f(f(doe * dbw) + halfDbw);
    const de = f(end - doeCenter);
    norm = f(norm + f(density * f(f(f(f(de * de) * de) - f(f(negHalfDbw * negHalfDbw) * negHalfDbw)) / 3)));
    sum += norm;
  }
  return f(sum);
}


/**
 * torch.histc on CPU (linear interpolation, float32 arithmetic): values outside [lo, hi] and NaN are skipped, hi
 * falls in the last bin; lo == hi widens to [lo − 1, hi + 1]. Counts are added to `out`.
 *
 * @param data - values
 * @param bins - number of bins
 * @param lo - lower edge (a float32 value)
 * @param hi - upper edge (a float32 value)
 * @param out - counts to add to (length `bins`)
 * @returns `out`
 * @example
 * ```ts
 * histc(Float32Array.of(0, 0.5, 1), 2, 0, 1, new Float32Array(2)); // [1, 2]
 * ```
 */
export function histc(data: Float32Array, bins: number, lo: number, hi: number, out: Float32Array): Float32Array {
  let left = lo;
  let right = hi;
  if (left === right) {
    left = f(left - 1);
    right = f(right + 1);
  }
  const range = f(right - left);
  // Integer counts, added to `out` once: cheaper than a float32 read-modify-write per element.
  const counts = data.length < 2 ** 31 ? new Int32Array(bins) : new Float64Array(bins);
  const last = bins - 1;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!(v >= left && v <= right)) continue;
    const pos = f(f(f(v - left) * bins) / range) | 0; // non-negative, so |0 truncates like the C++ cast
    counts[pos > last ? last : pos]++;
  }
  for (let b = 0; b < bins; b++) out[b] += counts[b];
  return out;
}

/** Adds a histogram (its bins split into `upsampleRate` sub-bins, each placed by its centre) onto the grid [lo, hi]. */
function placeHistogram(
  target: Float32Array,
  h: Float32Array,
  srcMin: number,
  srcMax: number,
  up: number,
  lo: number,
  hi: number,
): void {
  const bins = target.length;
  const width = hi - lo;
  const acc = new Float64Array(bins);
  if (srcMin === srcMax || width === 0) {
    let total = 0;
    for (let j = 0; j < h.length; j++) total += h[j];
    const idx = width === 0 ? 0 : clamp(Math.floor(((srcMin - lo) / width) * bins), 0, bins - 1);
    acc[idx] += total;
  } else {
    const sub = (srcMax - srcMin) / (h.length * up);
    for (let j = 0; j < h.length; j++) {
      if (h[j] === 0) continue;
      const share = h[j] / up;
      for (let u = 0; u < up; u++) {
        const centre = srcMin + (j * up + u + 0.5) * sub;
        acc[clamp(Math.floor(((centre - lo) / width) * bins), 0, bins - 1)] += share;
      }
    }
  }
  for (let i = 0; i < bins; i++) target[i] = f(target[i] + acc[i]);
}

/** c10::div_floor_floating in float32 (what torch.div(..., rounding_mode='floor') computes). */
function divFloor32(a: number, b: number): number {
  if (b === 0) return f(a / b);
  const mod = a % b;
  let div = f(f(a - mod) / b);
  if (mod !== 0 && b < 0 !== mod < 0) div = f(div - 1);
  if (div === 0) return 0;
  let fl = Math.floor(div);
  if (div - fl > 0.5) fl += 1;
  return fl;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
