import { calculateQParams, roundHalfEven } from './calculate-qparams';
import { CalibrationHistogramObserver } from './calibration-histogram-observer';
import type { ObserverKind } from './observer';
import { ObserverError } from './observer-error';
import type { ObserverOptions } from './observer-options';
import { isSymmetric } from './qparams-config';

/** Options of {@link MseObserver}. */
export interface MseObserverOptions extends ObserverOptions {
  /** Number of clipping factors tried: α = j / mseSteps for j = 1…mseSteps. Default 100. */
  mseSteps?: number;
}

/**
 * The range that minimises the quantization mean squared error: every clipping factor α = j/steps (j = 1…steps) of
 * the observed range (the range [α·min, α·max], or [−α·absmax, α·absmax] for symmetric qschemes) is turned into
 * scale and zero point with {@link calculateQParams}, the histogram's bin centres are quantized and dequantized with
 * them (ties to even, saturating), and the α with the smallest count-weighted squared error wins (the larger α on
 * ties). This is the histogram MSE search of NVIDIA's pytorch-quantization applied over a grid of clipping factors,
 * with the zero-point rounding of the target convention included in the error.
 *
 * @example
 * ```ts
 * const obs = new MseObserver({ dtype: 'int8', quantMin: -8, quantMax: 7 }); // 4-bit
 * obs.observe(weights);
 * obs.calculateQParams();
 * ```
 */
export class MseObserver extends CalibrationHistogramObserver {
  readonly kind: ObserverKind = 'MseObserver';
  /** Number of clipping factors tried. */
  readonly mseSteps: number;

  /**
   * @param options - {@link MseObserverOptions}; qscheme must be per-tensor
   * @throws {@link ObserverError} for invalid options
   */
  constructor(options: MseObserverOptions = {}) {
    super(options as ObserverOptions & Record<string, unknown>, 'MseObserver');
    const s = options.mseSteps ?? 100;
    if (!Number.isInteger(s) || s < 1 || s > 100000) throw new ObserverError(`MseObserver: mseSteps must be an integer in [1, 100000], got ${options.mseSteps}`);
    this.mseSteps = s;
  }

  protected searchRange(): [number, number] {
    const h = this.hist;
    const w = h.width;
    if (w === 0) return [h.min, h.max];
    const symmetric = isSymmetric(this.config.qscheme);
    const absmax = Math.max(-h.min, h.max);
    const qmin = this.config.quantMin;
    const qmax = this.config.quantMax;
    // Non-empty bins and their centres, once.
    const centres: number[] = [];
    const counts: number[] = [];
    h.counts.forEach((c, i) => {
      if (c !== 0) {
        centres.push((h.lo + i + 0.5) * w);
        counts.push(c);
      }
    });
    let best: [number, number] = [h.min, h.max];
    let bestErr = Infinity;
    for (let j = this.mseSteps; j >= 1; j--) {
      const a = j / this.mseSteps;
      const lo = Math.fround(symmetric ? -a * absmax : a * h.min);
      const hi = Math.fround(symmetric ? a * absmax : a * h.max);
      const { scale, zeroPoint } = calculateQParams(lo, hi, this.config);
      const s = scale[0];
      const z = zeroPoint[0];
      let err = 0;
      for (let k = 0; k < centres.length; k++) {
        const x = centres[k];
        let q = roundHalfEven(x / s) + z;
        q = q < qmin ? qmin : q > qmax ? qmax : q;
        const d = (q - z) * s - x;
        err += counts[k] * d * d;
      }
      if (err < bestErr) {
        bestErr = err;
        best = [lo, hi];
      }
    }
    return best;
  }

  protected override extraOptions(): unknown[] {
    return [this.bins, this.mseSteps];
  }
}
