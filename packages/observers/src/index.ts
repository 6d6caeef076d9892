export { ObserverError } from './observer-error';
export type { Convention, ObserverDType, ObserverOptions, ObserverStats, QParams, QScheme } from './observer-options';
export { isPerChannel, isSymmetric, resolveQParamsConfig, type QParamsConfig } from './qparams-config';
export { calculateQParams, roundHalfEven } from './calculate-qparams';
export type { Observer, ObserverJSON, ObserverKind } from './observer';
export { MinMaxObserver } from './min-max-observer';
export { MovingAverageMinMaxObserver } from './moving-average-min-max-observer';
export { PerChannelMinMaxObserver } from './per-channel-min-max-observer';
export { MovingAveragePerChannelMinMaxObserver } from './moving-average-per-channel-min-max-observer';
