import type { Tensor } from '@qint/tensor';
import type { ObserverKind } from './observer';
import type { ObserverOptions } from './observer-options';
import { RangeObserverBase } from './range-observer-base';
import { scanMinMaxWithInfinity, scanResult, tensorValues } from './tensor-values';

/**
 * Tracks the running min and max of everything observed (PyTorch's `MinMaxObserver`) and derives per-tensor
 * scale/zero point from them. Default: uint8, per-tensor affine.
 *
 * @example
 * ```ts
 * const obs = new MinMaxObserver({ dtype: 'int8', qscheme: 'per_tensor_symmetric' });
 * obs.observe(Tensor.from('float32', [3], [-1, 0.5, 2]));
 * obs.calculateQParams(); // { scale: Float32Array [2 / 127.5], zeroPoint: Int32Array [0] }
 * ```
 */
export class MinMaxObserver extends RangeObserverBase {
  readonly kind: ObserverKind = 'MinMaxObserver';

  /**
   * @param options - {@link ObserverOptions}; qscheme must be per-tensor
   * @throws {@link ObserverError} for invalid options
   */
  constructor(options: ObserverOptions = {}) {
    super(options as ObserverOptions & Record<string, unknown>, false, 'MinMaxObserver');
  }

  /**
   * Updates the running min/max with one pass over `x`. NaN is ignored; ±Infinity is recorded, as PyTorch does (then
   * `calculateQParams` gives PyTorch's infinite scale, see the README).
   *
   * @param x - float32 or float16 tensor of any shape
   * @throws {@link ObserverError} for an empty tensor
   * @throws {@link DTypeError} for a non-float tensor
   * @example
   * ```ts
   * obs.observe(Tensor.from('float32', [2], [0, 1]));
   * ```
   */
  observe(x: Tensor): void {
    const data = tensorValues(x, this.kind);
    scanMinMaxWithInfinity(data, 0, data.length);
    this.update(scanResult[0], scanResult[1]);
  }

  /** Applies one batch's min/max (min > max when the batch held only NaN). */
  protected update(batchMin: number, batchMax: number): void {
    if (batchMin > batchMax) return;
    this.widen(batchMin, batchMax);
  }

  /** Widens the running range to include [mn, mx] (or starts it there). */
  private widen(mn: number, mx: number): void {
    if (this.minVals === null || this.maxVals === null) {
      this.minVals = Float32Array.of(mn);
      this.maxVals = Float32Array.of(mx);
      return;
    }
    // NaN (only in a moving-average state, after -inf then a finite value, as in PyTorch) wins, like torch.min/max.
    if (mn < this.minVals[0] || mn !== mn) this.minVals[0] = mn;
    if (mx > this.maxVals[0] || mx !== mx) this.maxVals[0] = mx;
  }

  protected mergeState(other: this): void {
    if (other.minVals && other.maxVals) this.widen(other.minVals[0], other.maxVals[0]);
  }
}
