import { createObserver, ObserverError, observerFromJSON, type AnyObserverOptions, type Observer, type ObserverKind } from '@qint/observers';
import type { Tensor } from '@qint/tensor';
import type { CalibrateOptions, CalibrationJSON, CalibrationMethod, CalibrationRanges, CalibrationState } from './calibrate-options';
import { QuantizeError } from './quantize-error';

/** Observer class of each method. */
export const METHOD_KINDS: Readonly<Record<CalibrationMethod, ObserverKind>> = {
  minmax: 'MinMaxObserver',
  moving_average: 'MovingAverageMinMaxObserver',
  histogram: 'HistogramObserver',
  percentile: 'PercentileObserver',
  entropy: 'EntropyObserver',
  mse: 'MseObserver',
};

/**
 * The calibration methods, in the order messages list them (e.g. for validating a CLI flag or an option early).
 *
 * @example
 * ```ts
 * CALIBRATION_METHODS.includes('entropy'); // true
 * ```
 */
export const CALIBRATION_METHODS: readonly CalibrationMethod[] = Object.freeze(Object.keys(METHOD_KINDS) as CalibrationMethod[]);

/**
 * The observer options {@link calibrate} uses for activations: uint8, per-tensor affine (what the QDQ and QOperator
 * graphs quantize activations to), plus the method's own options. Only options the method knows are set, so two
 * calibrations with the same method and options merge.
 *
 * @param method - the calibration method
 * @param options - {@link CalibrateOptions}
 * @returns options for `createObserver`
 * @throws {@link QuantizeError} for an unknown method or options the observer rejects
 * @example
 * ```ts
 * activationObserverOptions('percentile', { percentile: 99.9 }); // { dtype: 'uint8', ..., percentile: 99.9 }
 * ```
 */
export function activationObserverOptions(method: CalibrationMethod, options: CalibrateOptions): AnyObserverOptions {
  if (!Object.prototype.hasOwnProperty.call(METHOD_KINDS, method)) {
    throw new QuantizeError(`calibrate: "observer" must be one of ${CALIBRATION_METHODS.join(', ')}, got ${JSON.stringify(method)}`);
  }
  const o: AnyObserverOptions = { dtype: 'uint8', qscheme: 'per_tensor_affine' };
  if (options.convention !== undefined) o.convention = options.convention;
  const histogramBased = method === 'histogram' || method === 'percentile' || method === 'entropy' || method === 'mse';
  if (histogramBased && options.bins !== undefined) o.bins = options.bins;
  if (method === 'percentile' && options.percentile !== undefined) o.percentile = options.percentile;
  if (method === 'histogram' && options.upsampleRate !== undefined) o.upsampleRate = options.upsampleRate;
  if (method === 'histogram' && options.histogramGrid !== undefined) o.grid = options.histogramGrid;
  if (method === 'mse' && options.mseSteps !== undefined) o.mseSteps = options.mseSteps;
  if (method === 'moving_average' && options.averagingConstant !== undefined) o.averagingConstant = options.averagingConstant;
  // Validate once, before any batch runs: a bad percentile should fail now, not after a calibration pass.
  try {
    createObserver(METHOD_KINDS[method], o);
  } catch (cause) {
    if (cause instanceof ObserverError) throw new QuantizeError(`calibrate: invalid options for "${method}": ${cause.message}`, { cause });
    throw cause;
  }
  return o;
}

/**
 * {@link CalibrationState} backed by one @qint/observers observer per tensor. Module-internal: made by
 * {@link calibrateState} and {@link calibrationFromJSON}.
 */
export class ObserverCalibration implements CalibrationState {
  readonly method: CalibrationMethod;
  private count = 0;
  private readonly observers: Map<string, Observer>;
  private readonly observerOptions: AnyObserverOptions;

  /**
   * @param method - the method
   * @param observerOptions - from {@link activationObserverOptions}
   * @param observers - existing observers by tensor (from JSON), or none
   * @param batches - batches they saw
   */
  constructor(method: CalibrationMethod, observerOptions: AnyObserverOptions, observers: Map<string, Observer> = new Map(), batches = 0) {
    this.method = method;
    this.observerOptions = observerOptions;
    this.observers = observers;
    this.count = batches;
  }

  get batches(): number {
    return this.count;
  }

  get tensors(): readonly string[] {
    return [...this.observers.keys()];
  }

  /**
   * Adds one batch: each named tensor goes to its observer (created on first sight).
   *
   * @param values - activations by tensor name
   */
  observe(values: ReadonlyMap<string, Tensor>): void {
    for (const [name, t] of values) {
      let o = this.observers.get(name);
      if (!o) {
        o = createObserver(METHOD_KINDS[this.method], this.observerOptions);
        this.observers.set(name, o);
      }
      o.observe(t);
    }
    this.count++;
  }

  ranges(): CalibrationRanges {
    const out: CalibrationRanges = {};
    for (const [name, o] of this.observers) {
      const r = o.computeRange();
      const min = r.min[0];
      const max = r.max[0];
      // Quantizing with a made-up or infinite range would be silently wrong: say which of the three cases it is.
      if (Number.isNaN(min) || Number.isNaN(max)) {
        throw new QuantizeError(
          `calibrate: the range of tensor "${name}" became NaN (a moving average that saw -Infinity and then +Infinity, as in PyTorch); ` +
            'use a histogram-family method ("histogram", "percentile", "entropy", "mse"), which drop ±Infinity, or clean the data',
          { node: name },
        );
      }
      if (min > max) {
        throw new QuantizeError(`calibrate: tensor "${name}" had no finite values in any batch; its range is unknown`, { node: name });
      }
      if (!Number.isFinite(min) || !Number.isFinite(max)) {
        throw new QuantizeError(
          `calibrate: the range of tensor "${name}" is [${min}, ${max}]: it contained ±Infinity, which the min/max observers record as PyTorch does; ` +
            'use a histogram-family method ("histogram", "percentile", "entropy", "mse"), which drop ±Infinity, or clean the data',
          { node: name },
        );
      }
      out[name] = { min, max };
    }
    return out;
  }

  merge(other: CalibrationState): void {
    if (!(other instanceof ObserverCalibration)) throw new QuantizeError('CalibrationState.merge: "other" must come from calibrateState or calibrationFromJSON');
    if (other === this) throw new QuantizeError('CalibrationState.merge: cannot merge a calibration into itself');
    if (other.method !== this.method) throw new QuantizeError(`CalibrationState.merge: "other" used method "${other.method}", this one "${this.method}"`);
    if (JSON.stringify(other.observerOptions) !== JSON.stringify(this.observerOptions)) {
      throw new QuantizeError(`CalibrationState.merge: "other" used observer options ${JSON.stringify(other.observerOptions)}, this one ${JSON.stringify(this.observerOptions)}`);
    }
    for (const [name, o] of other.observers) {
      const mine = this.observers.get(name);
      // Copy through JSON so the two states never share an observer.
      if (mine) mine.merge(o);
      else this.observers.set(name, observerFromJSON(o.toJSON()));
    }
    this.count += other.count;
  }

  toJSON(): CalibrationJSON {
    const observers: CalibrationJSON['observers'] = {};
    for (const [name, o] of this.observers) observers[name] = o.toJSON();
    return { version: 1, method: this.method, batches: this.count, observers };
  }
}
