import { EntropyObserver, type EntropyObserverOptions } from './entropy-observer';
import { HistogramObserver, type HistogramObserverOptions } from './histogram-observer';
import { MinMaxObserver } from './min-max-observer';
import { MovingAverageMinMaxObserver } from './moving-average-min-max-observer';
import { MovingAveragePerChannelMinMaxObserver } from './moving-average-per-channel-min-max-observer';
import { MseObserver, type MseObserverOptions } from './mse-observer';
import type { Observer, ObserverJSON, ObserverKind } from './observer';
import { ObserverError } from './observer-error';
import type { ObserverOptions } from './observer-options';
import { PerChannelMinMaxObserver } from './per-channel-min-max-observer';
import { PercentileObserver, type PercentileObserverOptions } from './percentile-observer';
import type { RangeObserverBase } from './range-observer-base';

/** Options accepted by {@link createObserver}: the shared ones plus each kind's own. */
export type AnyObserverOptions = ObserverOptions &
  HistogramObserverOptions &
  PercentileObserverOptions &
  EntropyObserverOptions &
  MseObserverOptions;

const FACTORIES: Record<ObserverKind, (o: AnyObserverOptions) => Observer> = {
  MinMaxObserver: (o) => new MinMaxObserver(o),
  MovingAverageMinMaxObserver: (o) => new MovingAverageMinMaxObserver(o),
  PerChannelMinMaxObserver: (o) => new PerChannelMinMaxObserver(o),
  MovingAveragePerChannelMinMaxObserver: (o) => new MovingAveragePerChannelMinMaxObserver(o),
  HistogramObserver: (o) => new HistogramObserver(o),
  PercentileObserver: (o) => new PercentileObserver(o),
  EntropyObserver: (o) => new EntropyObserver(o),
  MseObserver: (o) => new MseObserver(o),
};

/** Every observer kind, in the order of the README. */
export const OBSERVER_KINDS: readonly ObserverKind[] = Object.freeze(Object.keys(FACTORIES) as ObserverKind[]);

/**
 * Builds an observer by class name.
 *
 * @param kind - one of {@link OBSERVER_KINDS}
 * @param options - shared and kind-specific options
 * @returns a fresh observer
 * @throws {@link ObserverError} for an unknown kind or invalid options
 * @example
 * ```ts
 * const obs = createObserver('HistogramObserver', { dtype: 'uint8', bins: 2048 });
 * ```
 */
export function createObserver(kind: ObserverKind, options: AnyObserverOptions = {}): Observer {
  const make = Object.prototype.hasOwnProperty.call(FACTORIES, kind) ? FACTORIES[kind] : undefined;
  if (!make) throw new ObserverError(`createObserver: unknown kind ${JSON.stringify(kind)}; expected one of ${OBSERVER_KINDS.join(', ')}`);
  return make(options);
}

/**
 * Rebuilds an observer from {@link Observer.toJSON}'s output (e.g. sent from a worker), state included.
 *
 * @param json - the JSON object (or its string)
 * @returns the observer
 * @throws {@link ObserverError} for an unknown kind or version, or malformed state
 * @example
 * ```ts
 * const copy = observerFromJSON(JSON.parse(JSON.stringify(obs)));
 * copy.calculateQParams(); // same as obs.calculateQParams()
 * ```
 */
export function observerFromJSON(json: ObserverJSON | string): Observer {
  let parsed: ObserverJSON;
  try {
    parsed = typeof json === 'string' ? (JSON.parse(json) as ObserverJSON) : json;
  } catch (cause) {
    throw new ObserverError('observerFromJSON: json is not valid JSON', { cause });
  }
  if (parsed === null || typeof parsed !== 'object') throw new ObserverError(`observerFromJSON: json must be an object, got ${parsed}`);
  if (parsed.version !== 1) throw new ObserverError(`observerFromJSON: version must be 1, got ${JSON.stringify(parsed.version)}`);
  if (parsed.state === null || typeof parsed.state !== 'object') throw new ObserverError('observerFromJSON: state must be an object');
  const obs = createObserver(parsed.kind, (parsed.options ?? {}) as AnyObserverOptions) as RangeObserverBase;
  obs.loadState(parsed.state);
  return obs;
}
