import { ObserverError } from './observer-error';

/**
 * A histogram whose bins are aligned to a global grid: bin j covers `[j·w, (j+1)·w)` with `w = 2^k`, and `k` is the
 * smallest exponent for which the observed range (widened to contain 0) fits in `bins` bins. Coarsening (k+1) merges
 * bin pairs exactly, so the final counts depend only on the multiset of values seen: observing in any order,
 * or merging shards, gives bit-identical histograms. Counts are exact integers (float64).
 *
 * @example
 * ```ts
 * const h = new AlignedHistogram(2048);
 * h.add(values, min, max); // min/max: the finite extremes of values
 * h.width;                 // 2^k
 * ```
 */
export class AlignedHistogram {
  /** Number of bins in the window. */
  readonly bins: number;
  /** Grid exponent (bin width 2^k); null while only zeros were seen. */
  k: number | null = null;
  /** Grid index of the window's first bin. */
  lo = 0;
  /** Counts of the window's bins. */
  counts: Float64Array;
  /** Observed finite min and max (±Infinity when nothing was seen). */
  min = Infinity;
  max = -Infinity;
  /** Number of values counted. */
  total = 0;

  constructor(bins: number) {
    this.bins = bins;
    this.counts = new Float64Array(bins);
  }

  /** Bin width 2^k (0 while only zeros were seen). */
  get width(): number {
    return this.k === null ? 0 : 2 ** this.k;
  }

  /**
   * Adds values (NaN and ±Infinity skipped).
   *
   * @param data - the values
   * @param batchMin - their finite minimum
   * @param batchMax - their finite maximum
   */
  add(data: Float32Array, batchMin: number, batchMax: number): void {
    if (!(batchMin <= batchMax)) return;
    this.fit(Math.min(this.min, batchMin), Math.max(this.max, batchMax));
    const counts = this.counts;
    if (this.k === null) {
      // Only zeros so far (the range is [0, 0]): every finite value is 0 and lands in the bin at index 0.
      for (let i = 0; i < data.length; i++) if (data[i] === 0) counts[-this.lo]++;
      this.total += countFinite(data);
      return;
    }
    const inv = 2 ** -this.k;
    const lo = this.lo;
    let n = 0;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v - v !== 0) continue; // NaN or ±Infinity
      counts[Math.floor(v * inv) - lo]++;
      n++;
    }
    this.total += n;
  }

  /**
   * Adds another aligned histogram (exact).
   *
   * @param other - a histogram with the same number of bins
   * @throws {@link ObserverError} when the bin counts differ
   */
  merge(other: AlignedHistogram): void {
    if (other.bins !== this.bins) throw new ObserverError(`merge: histograms have ${this.bins} and ${other.bins} bins`);
    if (other.total === 0) return;
    this.fit(Math.min(this.min, other.min), Math.max(this.max, other.max), other.k);
    const shift = this.k === null || other.k === null ? 0 : this.k - other.k;
    const factor = 2 ** shift;
    for (let i = 0; i < other.bins; i++) {
      const c = other.counts[i];
      if (c === 0) continue;
      const j = other.k === null ? 0 : Math.floor((other.lo + i) / factor);
      this.counts[j - this.lo] += c;
    }
    this.total += other.total;
  }

  /** Grows the window (coarsening and shifting exactly) so that [min, max] ∪ {0} fits. */
  private fit(min: number, max: number, atLeastK: number | null = null): void {
    const minNeg = Math.min(min, 0);
    const maxPos = Math.max(max, 0);
    let k = minimalExponent(minNeg, maxPos, this.bins);
    if (this.k !== null && (k === null || k < this.k)) k = this.k;
    if (atLeastK !== null && (k === null || k < atLeastK)) k = atLeastK;
    const newLo = k === null ? 0 : Math.floor(minNeg / 2 ** k);
    if (k !== this.k || newLo !== this.lo) {
      const next = new Float64Array(this.bins);
      const factor = this.k === null || k === null ? 1 : 2 ** (k - this.k);
      for (let i = 0; i < this.bins; i++) {
        const c = this.counts[i];
        if (c === 0) continue;
        const j = this.k === null ? 0 : Math.floor((this.lo + i) / factor);
        next[j - newLo] += c;
      }
      this.counts = next;
      this.k = k;
      this.lo = newLo;
    }
    this.min = min;
    this.max = max;
  }

  /**
   * The histogram of |x|: bin i covers `[i·w, (i+1)·w)`; a negative value in signed bin j goes to bin −j−1.
   *
   * @returns counts of |x| (length ≤ bins)
   */
  absCounts(): Float64Array {
    if (this.k === null) return Float64Array.of(this.total);
    const w = this.width;
    const minIdx = Math.floor(Math.min(this.min, 0) / w);
    const maxIdx = Math.floor(Math.max(this.max, 0) / w);
    const out = new Float64Array(Math.max(maxIdx + 1, -minIdx, 1));
    for (let i = 0; i < this.bins; i++) {
      const c = this.counts[i];
      if (c === 0) continue;
      const j = this.lo + i;
      out[j >= 0 ? j : -j - 1] += c;
    }
    return out;
  }
}

/**
 * The JSON state of an aligned histogram: grid, total and the non-empty bins as [index, count] pairs (calibration
 * histograms are mostly empty).
 *
 * @param h - the histogram
 * @returns a plain object
 * @example
 * ```ts
 * JSON.stringify(alignedHistogramToState(h));
 * ```
 */
export function alignedHistogramToState(h: AlignedHistogram): Record<string, unknown> {
  const sparse: number[] = [];
  h.counts.forEach((c, i) => {
    if (c !== 0) sparse.push(i, c);
  });
  return { k: h.k, lo: h.lo, total: h.total, counts: sparse };
}

/**
 * Rebuilds an aligned histogram from {@link alignedHistogramToState}'s output.
 *
 * @param state - the object (extra keys are ignored)
 * @param bins - the observer's bin count
 * @param min - the observed minimum
 * @param max - the observed maximum
 * @param who - observer name for messages
 * @returns the histogram
 * @throws {@link ObserverError} for a malformed state
 * @example
 * ```ts
 * const h = alignedHistogramFromState(json.state, 2048, -1, 3, 'PercentileObserver');
 * ```
 */
export function alignedHistogramFromState(state: Record<string, unknown>, bins: number, min: number, max: number, who: string): AlignedHistogram {
  const { k, lo, total, counts } = state as { k: unknown; lo: unknown; total: unknown; counts: unknown };
  if ((k !== null && !Number.isInteger(k)) || !Number.isInteger(lo) || typeof total !== 'number' || !Array.isArray(counts) || counts.length % 2 !== 0) {
    throw new ObserverError(`observerFromJSON: ${who} state needs integer k (or null), integer lo, total and [index, count] pairs`);
  }
  const h = new AlignedHistogram(bins);
  h.k = k as number | null;
  h.lo = lo as number;
  h.total = total;
  h.min = min;
  h.max = max;
  for (let i = 0; i < counts.length; i += 2) {
    const idx = counts[i] as number;
    const c = counts[i + 1] as number;
    if (!Number.isInteger(idx) || idx < 0 || idx >= bins || typeof c !== 'number' || !(c >= 0)) {
      throw new ObserverError(`observerFromJSON: ${who} histogram entry [${idx}, ${c}] needs an index in [0, ${bins}) and a count ≥ 0`);
    }
    h.counts[idx] = c;
  }
  return h;
}

function countFinite(data: Float32Array): number {
  let n = 0;
  for (let i = 0; i < data.length; i++) if (data[i] - data[i] === 0) n++;
  return n;
}

/**
 * Smallest k with floor(maxPos/2^k) − floor(minNeg/2^k) + 1 ≤ bins.
 *
 * @param minNeg - lower end of the range (≤ 0)
 * @param maxPos - upper end of the range (≥ 0)
 * @param bins - number of bins
 * @returns k, or null for the range [0, 0]
 * @example
 * ```ts
 * minimalExponent(-1, 1, 2048); // -9 (bins of 1/512)
 * ```
 */
export function minimalExponent(minNeg: number, maxPos: number, bins: number): number | null {
  if (minNeg === 0 && maxPos === 0) return null;
  const span = (k: number) => Math.floor(maxPos / 2 ** k) - Math.floor(minNeg / 2 ** k) + 1;
  let k = Math.floor(Math.log2((maxPos - minNeg) / bins)) - 1;
  if (k < -200) k = -200;
  while (span(k) > bins) k++;
  while (k > -200 && span(k - 1) <= bins) k--;
  return k;
}
