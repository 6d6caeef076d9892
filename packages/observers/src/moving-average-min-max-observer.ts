import type { ObserverKind } from './observer';
import { ObserverError } from './observer-error';
import type { ObserverOptions } from './observer-options';
import { MinMaxObserver } from './min-max-observer';
import type { RangeObserverBase } from './range-observer-base';

const f = Math.fround;

/**
 * Validates `averagingConstant`.
 *
 * @param c - the option value
 * @param who - observer name for the message
 * @returns the constant (default 0.01)
 * @throws {@link ObserverError} when it is not in (0, 1]
 */
export function resolveAveragingConstant(c: number | undefined, who: string): number {
  const v = c ?? 0.01;
  if (typeof v !== 'number' || !(v > 0 && v <= 1)) throw new ObserverError(`${who}: averagingConstant must be in (0, 1], got ${c}`);
  return v;
}

/**
 * Exponential moving average of each batch's min and max (PyTorch's `MovingAverageMinMaxObserver`): the first batch
 * sets the range, then `min += c·(batchMin − min)` in float32 with `c = averagingConstant` (0.01 by default).
 * NaN is ignored; ±Infinity goes through the average exactly as in PyTorch (see the README).
 *
 * `merge` takes the union of the two averaged ranges: an EMA depends on batch order, so no merge can reproduce a
 * single sequential pass; the union never clips what either shard saw.
 *
 * @example
 * ```ts
 * const obs = new MovingAverageMinMaxObserver({ averagingConstant: 0.1 });
 * for (const batch of batches) obs.observe(batch);
 * obs.calculateQParams();
 * ```
 */
export class MovingAverageMinMaxObserver extends MinMaxObserver {
  override readonly kind: ObserverKind = 'MovingAverageMinMaxObserver';
  /** The averaging constant c. */
  readonly averagingConstant: number;

  /**
   * @param options - {@link ObserverOptions} (uses `averagingConstant`)
   * @throws {@link ObserverError} for invalid options
   */
  constructor(options: ObserverOptions = {}) {
    super(options);
    this.averagingConstant = resolveAveragingConstant(options.averagingConstant, 'MovingAverageMinMaxObserver');
  }

  protected override update(batchMin: number, batchMax: number): void {
    if (batchMin > batchMax) return;
    // Fresh as in PyTorch: nothing observed yet (also a restored state of [+Infinity, -Infinity]).
    if (this.minVals === null || this.maxVals === null || (this.minVals[0] === Infinity && this.maxVals[0] === -Infinity)) {
      this.minVals = Float32Array.of(batchMin);
      this.maxVals = Float32Array.of(batchMax);
      return;
    }
    // PyTorch computes in float32 tensors: the Python float constant is cast to float32 first. Infinities go through
    // the same arithmetic, as in PyTorch: an infinite batch min makes the average -Infinity, and the next batch makes
    // it NaN (-inf + c·(x + inf), or -inf + c·(-inf + inf) for another -Infinity); calculateQParams then throws, where
    // PyTorch's check_min_max_valid fails its assertion.
    const c = f(this.averagingConstant);
    this.minVals[0] = f(this.minVals[0] + f(c * f(batchMin - this.minVals[0])));
    this.maxVals[0] = f(this.maxVals[0] + f(c * f(batchMax - this.maxVals[0])));
  }

  protected override sameExtraOptions(other: RangeObserverBase): boolean {
    return (other as MovingAverageMinMaxObserver).averagingConstant === this.averagingConstant;
  }
}
