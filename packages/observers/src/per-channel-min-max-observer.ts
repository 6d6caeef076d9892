import type { Tensor } from '@qint/tensor';
import type { ObserverKind } from './observer';
import { ObserverError } from './observer-error';
import type { ObserverOptions } from './observer-options';
import { RangeObserverBase } from './range-observer-base';
import { scanMinMaxWithInfinity, scanResult, tensorValues } from './tensor-values';

/** Per-channel min/max of one batch (min > max for a channel that held only NaN). */
export interface ChannelRanges {
  min: Float64Array;
  max: Float64Array;
}

/**
 * Min/max of every index along `chAxis` of one tensor, in one pass, ignoring NaN and keeping ±Infinity (as PyTorch's
 * `torch.aminmax` records it).
 *
 * @param x - the tensor
 * @param chAxis - channel axis (negative counts from the end)
 * @param who - observer name for messages
 * @returns per-channel min and max (`+Infinity`/`-Infinity` for a channel that held only NaN)
 * @throws {@link ObserverError} for an empty tensor, a scalar, or `chAxis` outside `[-rank, rank)`
 */
export function channelMinMax(x: Tensor, chAxis: number, who: string): ChannelRanges {
  const data = tensorValues(x, who);
  const rank = x.shape.length;
  if (!Number.isInteger(chAxis) || chAxis < -rank || chAxis >= rank) {
    throw new ObserverError(`${who}.observe: chAxis ${chAxis} is out of range for a tensor of rank ${rank} (shape [${x.shape.join(',')}]); expected an integer in [${-rank}, ${rank - 1}]`);
  }
  const axis = chAxis < 0 ? chAxis + rank : chAxis;
  const channels = x.shape[axis];
  let inner = 1;
  for (let d = axis + 1; d < rank; d++) inner *= x.shape[d];
  const outer = data.length / (channels * inner);
  const min = new Float64Array(channels).fill(Infinity);
  const max = new Float64Array(channels).fill(-Infinity);
  if (inner >= 8) {
    for (let o = 0; o < outer; o++) {
      for (let c = 0; c < channels; c++) {
        const base = (o * channels + c) * inner;
        scanMinMaxWithInfinity(data, base, base + inner);
        if (scanResult[0] < min[c]) min[c] = scanResult[0];
        if (scanResult[1] > max[c]) max[c] = scanResult[1];
      }
    }
    return { min, max };
  }
  if (inner === 1) {
    // Channel axis last (e.g. [N, C] activations): one element per channel per row.
    for (let o = 0; o < outer; o++) {
      const base = o * channels;
      for (let c = 0; c < channels; c++) {
        const v = data[base + c];
        if (v < min[c]) min[c] = v;
        if (v > max[c]) max[c] = v;
      }
    }
    return { min, max };
  }
  // Short rows (channel axis nearly last): walk the data once, channel by channel index.
  let i = 0;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      let mn = min[c];
      let mx = max[c];
      for (let k = 0; k < inner; k++, i++) {
        const v = data[i];
        if (v < mn) mn = v;
        if (v > mx) mx = v;
      }
      min[c] = mn;
      max[c] = mx;
    }
  }
  return { min, max };
}

/**
 * Validates `chAxis` as an option (its range is checked against each tensor in `observe`).
 *
 * @param chAxis - the option
 * @param who - observer name
 * @returns the axis (default 0)
 * @throws {@link ObserverError} when it is not an integer
 */
export function resolveChAxis(chAxis: number | undefined, who: string): number {
  const v = chAxis ?? 0;
  if (!Number.isInteger(v)) throw new ObserverError(`${who}: chAxis must be an integer, got ${chAxis}`);
  return v;
}

/**
 * Running min/max per channel along `chAxis` (PyTorch's `PerChannelMinMaxObserver`), giving one scale and zero
 * point per channel. Default: uint8, per-channel affine, `chAxis` 0. Typical weight config:
 * `{ dtype: 'int8', qscheme: 'per_channel_symmetric' }`.
 *
 * @example
 * ```ts
 * const obs = new PerChannelMinMaxObserver({ dtype: 'int8', qscheme: 'per_channel_symmetric', chAxis: 0 });
 * obs.observe(weight); // [outChannels, inChannels, kh, kw]
 * obs.calculateQParams().scale.length; // outChannels
 * ```
 */
export class PerChannelMinMaxObserver extends RangeObserverBase {
  readonly kind: ObserverKind = 'PerChannelMinMaxObserver';
  /** The channel axis. */
  readonly chAxis: number;

  /**
   * @param options - {@link ObserverOptions}; qscheme must be per-channel
   * @throws {@link ObserverError} for invalid options
   */
  constructor(options: ObserverOptions = {}) {
    super(options as ObserverOptions & Record<string, unknown>, true, 'PerChannelMinMaxObserver');
    this.chAxis = resolveChAxis(options.chAxis, 'PerChannelMinMaxObserver');
  }

  /**
   * Updates each channel's running min/max (NaN ignored; ±Infinity recorded, as PyTorch does).
   *
   * @param x - float32 or float16 tensor with at least one dimension
   * @throws {@link ObserverError} for an empty tensor, `chAxis` out of range, or a channel count that changed
   * @throws {@link DTypeError} for a non-float tensor
   * @example
   * ```ts
   * obs.observe(Tensor.from('float32', [2, 2], [1, 2, -3, 4]));
   * ```
   */
  observe(x: Tensor): void {
    const batch = channelMinMax(x, this.chAxis, this.kind);
    this.checkChannels(batch.min.length);
    this.update(batch.min, batch.max);
  }

  /** Throws when the channel count differs from what was observed before. */
  protected checkChannels(n: number): void {
    if (this.minVals !== null && this.minVals.length !== n) {
      throw new ObserverError(`${this.kind}.observe: x has ${n} channels along axis ${this.chAxis} but earlier tensors had ${this.minVals.length}`);
    }
  }

  /** Applies one batch's per-channel min/max. */
  protected update(batchMin: ArrayLike<number>, batchMax: ArrayLike<number>): void {
    const n = batchMin.length;
    if (this.minVals === null || this.maxVals === null) {
      this.minVals = new Float32Array(n).fill(Infinity);
      this.maxVals = new Float32Array(n).fill(-Infinity);
    }
    for (let c = 0; c < n; c++) {
      if (batchMin[c] < this.minVals[c]) this.minVals[c] = batchMin[c];
      if (batchMax[c] > this.maxVals[c]) this.maxVals[c] = batchMax[c];
    }
  }

  protected mergeState(other: this): void {
    if (other.minVals === null || other.maxVals === null) return;
    this.checkChannels(other.minVals.length);
    const n = other.minVals.length;
    if (this.minVals === null || this.maxVals === null) {
      this.minVals = other.minVals.slice();
      this.maxVals = other.maxVals.slice();
      return;
    }
    // NaN (a moving-average channel after -inf then a finite value, as in PyTorch) wins, like torch.min/max.
    for (let c = 0; c < n; c++) {
      const mn = other.minVals[c];
      const mx = other.maxVals[c];
      if (mn < this.minVals[c] || mn !== mn) this.minVals[c] = mn;
      if (mx > this.maxVals[c] || mx !== mx) this.maxVals[c] = mx;
    }
  }

  protected override sameExtraOptions(other: RangeObserverBase): boolean {
    return (other as PerChannelMinMaxObserver).chAxis === this.chAxis;
  }
}
