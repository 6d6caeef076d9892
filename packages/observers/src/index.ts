// Public API of @qint/observers. Anything not listed here is private.

// Errors, options, results
export { ObserverError } from './observer-error';
export type { Convention, ObserverDType, ObserverOptions, ObserverStats, QParams, QScheme } from './observer-options';
export type { Observer, ObserverJSON, ObserverKind } from './observer';

// The shared range -> qparams math (also used by the dynamic quantizer)
export { calculateQParams, roundHalfEven } from './calculate-qparams';
export { isPerChannel, isSymmetric, resolveQParamsConfig, type QParamsConfig } from './qparams-config';

// Observers (PyTorch's, then the histogram calibrators) and the factory
export { MinMaxObserver } from './min-max-observer';
export { MovingAverageMinMaxObserver } from './moving-average-min-max-observer';
export { PerChannelMinMaxObserver } from './per-channel-min-max-observer';
export { MovingAveragePerChannelMinMaxObserver } from './moving-average-per-channel-min-max-observer';
export { HistogramObserver, histc, nonLinearParamSearch, resolveBins, type HistogramObserverOptions } from './histogram-observer';
export { PercentileObserver, type PercentileObserverOptions } from './percentile-observer';
export { EntropyObserver, entropyThresholdBin, type EntropyObserverOptions } from './entropy-observer';
export { MseObserver, type MseObserverOptions } from './mse-observer';
export { OBSERVER_KINDS, createObserver, observerFromJSON, type AnyObserverOptions } from './create-observer';

// The exactly mergeable histogram behind Percentile/Entropy/MSE and HistogramObserver's grid: 'aligned'
export { AlignedHistogram, alignedHistogramFromState, alignedHistogramToState, minimalExponent } from './aligned-histogram';
