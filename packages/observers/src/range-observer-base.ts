import type { Tensor } from '@qint/tensor';
import { calculateQParams } from './calculate-qparams';
import type { Observer, ObserverJSON, ObserverKind } from './observer';
import { ObserverError } from './observer-error';
import type { ObserverOptions, ObserverStats, QParams } from './observer-options';
import { isPerChannel, resolveQParamsConfig, type QParamsConfig } from './qparams-config';
import { decodeFloatArray, encodeFloat } from './tensor-values';

/**
 * Common plumbing of the observers: options, config, min/max state (length 1 per tensor, one per channel),
 * default qparams when nothing was observed, JSON and merge compatibility checks.
 * Not exported from the package: the public surface is {@link Observer}.
 */
export abstract class RangeObserverBase implements Observer {
  abstract readonly kind: ObserverKind;
  readonly config: QParamsConfig;
  /** The options given at construction (kept for JSON and for merge compatibility checks). */
  protected readonly options: ObserverOptions & Record<string, unknown>;
  /** Running min/max; null until something finite was observed. */
  protected minVals: Float32Array | null = null;
  protected maxVals: Float32Array | null = null;

  protected constructor(options: ObserverOptions & Record<string, unknown>, perChannel: boolean, who: string) {
    if (options === null || typeof options !== 'object') throw new ObserverError(`${who}: options must be an object, got ${options}`);
    this.options = { ...options };
    this.config = resolveQParamsConfig(options, perChannel ? 'per_channel_affine' : 'per_tensor_affine');
    if (isPerChannel(this.config.qscheme) !== perChannel) {
      throw new ObserverError(
        `${who}: qscheme ${this.config.qscheme} does not fit a ${perChannel ? 'per-channel' : 'per-tensor'} observer; use ${perChannel ? "'per_channel_affine' or 'per_channel_symmetric'" : "'per_tensor_affine' or 'per_tensor_symmetric'"}`,
      );
    }
  }

  abstract observe(x: Tensor): void;

  /** Folds the other observer's state into this one (called after compatibility checks). */
  protected abstract mergeState(other: this): void;

  /**
   * Scale and zero point from what was observed (scale 1, zero point 0 before anything was observed). For the
   * min/max observers an infinite observed bound gives PyTorch's infinite scale (see `calculateQParams`).
   *
   * @returns `{ scale, zeroPoint }`: length 1 per tensor, one entry per channel for per-channel observers
   * @example
   * ```ts
   * const { scale, zeroPoint } = obs.calculateQParams();
   * ```
   */
  calculateQParams(): QParams {
    if (this.minVals === null || this.maxVals === null || this.isUnobservedTensor()) {
      return { scale: Float32Array.of(1), zeroPoint: Int32Array.of(0) };
    }
    const range = this.computeRange();
    return calculateQParams(range.min, range.max, this.config);
  }

  /** A per-tensor state of [+Infinity, -Infinity] (restored from JSON) is "nothing observed", as PyTorch checks it. */
  private isUnobservedTensor(): boolean {
    return !isPerChannel(this.config.qscheme) && this.minVals![0] === Infinity && this.maxVals![0] === -Infinity;
  }

  /**
   * The observed statistics: running min/max (per channel for per-channel observers; the averaged values for the
   * moving-average ones; the histogram's range for `HistogramObserver`, as PyTorch's `min_val`/`max_val`).
   *
   * @returns copies of min and max (`+Infinity`/`-Infinity` before anything was observed)
   * @example
   * ```ts
   * const { min, max } = obs.stats();
   * ```
   */
  stats(): ObserverStats {
    if (this.minVals === null || this.maxVals === null) return { min: Float32Array.of(Infinity), max: Float32Array.of(-Infinity) };
    return { min: this.minVals.slice(), max: this.maxVals.slice() };
  }

  /**
   * The range that `calculateQParams` quantizes, before it is widened to contain 0: the observed min/max for the
   * min/max observers, the searched (clipped) range for the histogram ones.
   *
   * @returns min and max of the range
   * @example
   * ```ts
   * obs.computeRange().max[0]; // clipping threshold chosen by the search
   * ```
   */
  computeRange(): ObserverStats {
    return this.stats();
  }

  /**
   * Folds another observer into this one (see the README for which merges are exact).
   *
   * @param other - an observer of the same kind, created with the same options
   * @throws {@link ObserverError} for another kind, other options, a different channel count, or `this`
   * @example
   * ```ts
   * a.merge(observerFromJSON(jsonFromWorker));
   * ```
   */
  merge(other: Observer): void {
    if (!(other instanceof RangeObserverBase) || other.kind !== this.kind) {
      throw new ObserverError(`${this.kind}.merge: other must be a ${this.kind}, got ${other && (other as Observer).kind}`);
    }
    if (JSON.stringify(other.config) !== JSON.stringify(this.config) || !this.sameExtraOptions(other)) {
      throw new ObserverError(`${this.kind}.merge: other was created with different options (${JSON.stringify(other.options)} vs ${JSON.stringify(this.options)})`);
    }
    if (other === this) throw new ObserverError(`${this.kind}.merge: cannot merge an observer into itself`);
    this.mergeState(other as this);
  }

  /** Observer-specific options that must agree for a merge (bins, percentile, ...). */
  protected sameExtraOptions(_other: RangeObserverBase): boolean {
    return true;
  }

  /**
   * The observer as plain JSON (`JSON.stringify(obs)` calls it); {@link observerFromJSON} rebuilds it.
   *
   * @returns `{ kind, version: 1, options, state }`
   * @example
   * ```ts
   * worker.postMessage(JSON.stringify(obs));
   * ```
   */
  toJSON(): ObserverJSON {
    return { kind: this.kind, version: 1, options: { ...this.options }, state: this.stateJSON() };
  }

  /** The JSON state; subclasses add to it. */
  protected stateJSON(): Record<string, unknown> {
    return {
      min: this.minVals ? Array.from(this.minVals, encodeFloat) : null,
      max: this.maxVals ? Array.from(this.maxVals, encodeFloat) : null,
    };
  }

  /**
   * Restores the `state` of {@link RangeObserverBase.toJSON}'s output (used by {@link observerFromJSON}).
   *
   * @param state - the `state` object
   * @throws {@link ObserverError} when it is malformed
   * @example
   * ```ts
   * obs.loadState(json.state);
   * ```
   */
  loadState(state: Record<string, unknown>): void {
    if (state.min === null || state.min === undefined) {
      this.minVals = null;
      this.maxVals = null;
      return;
    }
    const min = decodeFloatArray(state.min, 'state.min');
    const max = decodeFloatArray(state.max, 'state.max');
    if (min.length !== max.length) throw new ObserverError(`observerFromJSON: state.min has ${min.length} entries but state.max has ${max.length}`);
    this.minVals = min;
    this.maxVals = max;
  }

  /**
   * Forgets everything observed (PyTorch's `reset_min_max_vals`, and the histogram).
   *
   * @example
   * ```ts
   * obs.reset();
   * ```
   */
  reset(): void {
    this.minVals = null;
    this.maxVals = null;
  }
}
