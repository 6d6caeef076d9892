import { CalibrationHistogramObserver } from './calibration-histogram-observer';
import { isSymmetric } from './qparams-config';
import type { ObserverKind } from './observer';
import type { ObserverOptions } from './observer-options';

/** Options of {@link EntropyObserver}. */
export type EntropyObserverOptions = ObserverOptions;

/**
 * Entropy (KL-divergence) calibration as TensorRT introduced it and onnxruntime / MXNet implement it: on the
 * histogram of |x|, every threshold bin i from `nq` to the last bin is tried; the reference distribution P is the
 * first i bins with the clipped tail added to bin i−1, the candidate Q merges those i bins into `nq` levels and
 * spreads each level evenly over its non-empty bins; both are smoothed (ε = 1e-4 to empty bins) and the i with the
 * smallest KL(P‖Q) wins (the first one on ties). `nq = ceil((qmax − qmin) / 2)` (128 for int8): half the levels, the
 * ones a symmetric grid gives each sign. The threshold T = i·w gives [−T, T] for symmetric qschemes and
 * [max(min, −T), min(max, T)] for affine ones.
 *
 * **One-sided data** (an affine qscheme and every observed value ≥ 0, as after a Relu, or every value ≤ 0): the affine
 * grid spends all its levels on [0, T], so the search uses `2·nq` levels (256 for uint8) and starts at `2·nq` bins, as
 * NVIDIA's TensorRT calibrator does for unsigned tensors (`2^bits` bins instead of `2^(bits−1)`). Searching with
 * `nq` levels there (as onnxruntime's symmetric search does) models a grid twice as coarse as the one used, and
 * picks thresholds that clip far too much (mnist-8's first Relu: 127.5 of 945).
 *
 * In every case the zero bin counts as much as bin 1 (as NVIDIA's pytorch-quantization calibrator): exact zeros — a
 * Relu's, or a product of all-zero input rows — would otherwise dominate P and Q and pull T towards 0.
 *
 * @example
 * ```ts
 * const obs = new EntropyObserver({ dtype: 'int8', qscheme: 'per_tensor_symmetric' });
 * for (const batch of batches) obs.observe(batch);
 * obs.calculateQParams();
 * ```
 */
export class EntropyObserver extends CalibrationHistogramObserver {
  readonly kind: ObserverKind = 'EntropyObserver';

  /**
   * @param options - {@link ObserverOptions}; qscheme must be per-tensor
   * @throws {@link ObserverError} for invalid options
   */
  constructor(options: EntropyObserverOptions = {}) {
    super(options as ObserverOptions & Record<string, unknown>, 'EntropyObserver');
  }

  protected searchRange(): [number, number] {
    const h = this.hist;
    const w = h.width;
    if (w === 0) return [h.min, h.max];
    const half = Math.ceil((this.config.quantMax - this.config.quantMin) / 2);
    const oneSided = !isSymmetric(this.config.qscheme) && (h.min >= 0 || h.max <= 0);
    const nq = oneSided ? 2 * half : half;
    const counts = h.absCounts();
    // Exact zeros (a Relu's, or a product of all-zero rows) would dominate P and Q; as TensorRT's calibrator, bin 0 counts as its neighbour.
    if (counts.length > 1) counts[0] = counts[1];
    const t = entropyThresholdBin(counts, nq) * w;
    const absmax = Math.max(-h.min, h.max);
    const tt = Math.min(t, absmax);
    return [Math.max(-tt, h.min), Math.min(tt, h.max)];
  }
}

/**
 * The KL-optimal number of |x| bins to keep (the threshold is that many bin widths).
 *
 * @param hist - histogram of |x|
 * @param nq - quantized levels per sign
 * @returns i in [nq, hist.length] (hist.length when there are at most nq bins)
 * @example
 * ```ts
 * entropyThresholdBin(absHistogram, 128) * binWidth; // the KL-optimal threshold
 * ```
 */
export function entropyThresholdBin(hist: Float64Array, nq: number): number {
  const n = hist.length;
  if (n <= nq) return n;
  const suffix = new Float64Array(n + 1);
  for (let i = n - 1; i >= 0; i--) suffix[i] = suffix[i + 1] + hist[i];
  const p = new Float64Array(n);
  const q = new Float64Array(n);
  let best = n;
  let bestKl = Infinity;
  for (let i = nq; i <= n; i++) {
    for (let j = 0; j < i; j++) p[j] = hist[j];
    p[i - 1] += suffix[i];
    const merged = Math.floor(i / nq);
    q.fill(0, 0, i);
    for (let g = 0; g < nq; g++) {
      const start = g * merged;
      const stop = g === nq - 1 ? i : start + merged;
      let mass = 0;
      let nonzero = 0;
      for (let j = start; j < stop; j++) {
        mass += hist[j];
        if (p[j] !== 0) nonzero++;
      }
      if (nonzero === 0) continue;
      const share = mass / nonzero;
      for (let j = start; j < stop; j++) if (p[j] !== 0) q[j] = share;
    }
    const kl = smoothedKl(p, q, i);
    if (kl < bestKl) {
      bestKl = kl;
      best = i;
    }
  }
  return best;
}

const EPS = 1e-4;

/** KL(P‖Q) of the first n entries after MXNet's smoothing of both; Infinity when smoothing is impossible. */
function smoothedKl(p: Float64Array, q: Float64Array, n: number): number {
  const ps = smoothing(p, n);
  const qs = smoothing(q, n);
  if (ps === null || qs === null) return Infinity;
  let sp = 0;
  let sq = 0;
  for (let j = 0; j < n; j++) {
    sp += p[j] === 0 ? EPS : p[j] - ps;
    sq += q[j] === 0 ? EPS : q[j] - qs;
  }
  let kl = 0;
  for (let j = 0; j < n; j++) {
    const a = (p[j] === 0 ? EPS : p[j] - ps) / sp;
    const b = (q[j] === 0 ? EPS : q[j] - qs) / sq;
    // scipy.special.rel_entr: x·log(x/y) for x, y > 0; 0 for x = 0 ≤ y; +Infinity otherwise.
    if (a > 0 && b > 0) kl += a * Math.log(a / b);
    else if (!(a === 0 && b >= 0)) return Infinity;
  }
  return kl;
}

/** The amount taken from each non-zero entry (ε·zeros/nonzeros), or null when there is nothing to take it from. */
function smoothing(d: Float64Array, n: number): number | null {
  let zeros = 0;
  for (let j = 0; j < n; j++) if (d[j] === 0) zeros++;
  const nonzeros = n - zeros;
  if (nonzeros === 0) return null;
  const eps1 = (EPS * zeros) / nonzeros;
  return eps1 >= 1 ? null : eps1;
}
