import type { ObserverKind } from './observer';
import type { ObserverOptions } from './observer-options';
import { resolveAveragingConstant } from './moving-average-min-max-observer';
import { PerChannelMinMaxObserver } from './per-channel-min-max-observer';
import type { RangeObserverBase } from './range-observer-base';

const f = Math.fround;

/**
 * Per-channel exponential moving average of each batch's min and max (PyTorch's
 * `MovingAveragePerChannelMinMaxObserver`): the first batch sets the ranges, then `min += c·(batchMin − min)` per
 * channel, in float32. A channel that held only NaN in a batch keeps its average; ±Infinity goes through the average
 * exactly as in PyTorch (an infinite average turns NaN at the first finite batch value, see the README). `merge` takes the per-channel
 * union of the averaged ranges (an EMA depends on batch order, so no merge can equal one sequential pass).
 *
 * @example
 * ```ts
 * const obs = new MovingAveragePerChannelMinMaxObserver({ chAxis: 1, averagingConstant: 0.05 });
 * obs.observe(activations); // [N, C, H, W]
 * ```
 */
export class MovingAveragePerChannelMinMaxObserver extends PerChannelMinMaxObserver {
  override readonly kind: ObserverKind = 'MovingAveragePerChannelMinMaxObserver';
  /** The averaging constant c. */
  readonly averagingConstant: number;

  /**
   * @param options - {@link ObserverOptions} (uses `averagingConstant` and `chAxis`)
   * @throws {@link ObserverError} for invalid options
   */
  constructor(options: ObserverOptions = {}) {
    super(options);
    this.averagingConstant = resolveAveragingConstant(options.averagingConstant, 'MovingAveragePerChannelMinMaxObserver');
  }

  protected override update(batchMin: ArrayLike<number>, batchMax: ArrayLike<number>): void {
    const n = batchMin.length;
    if (this.minVals === null || this.maxVals === null) {
      this.minVals = new Float32Array(n).fill(Infinity);
      this.maxVals = new Float32Array(n).fill(-Infinity);
    }
    const c = f(this.averagingConstant);
    for (let i = 0; i < n; i++) {
      if (!(batchMin[i] <= batchMax[i])) continue;
      if (this.minVals[i] > this.maxVals[i]) {
        this.minVals[i] = batchMin[i];
        this.maxVals[i] = batchMax[i];
        continue;
      }
      this.minVals[i] = f(this.minVals[i] + f(c * f(batchMin[i] - this.minVals[i])));
      this.maxVals[i] = f(this.maxVals[i] + f(c * f(batchMax[i] - this.maxVals[i])));
    }
  }

  protected override sameExtraOptions(other: RangeObserverBase): boolean {
    return super.sameExtraOptions(other) && (other as MovingAveragePerChannelMinMaxObserver).averagingConstant === this.averagingConstant;
  }
}
