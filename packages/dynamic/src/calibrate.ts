import type { Model } from '@qint/graph';
import type { Tensor } from '@qint/tensor';
import { captureActivations } from './capture-activations';
import type { CalibrateOptions, CalibrationRanges, CalibrationState } from './calibrate-options';
import { activationObserverOptions, ObserverCalibration } from './observer-calibration';
import { isOnnx } from './node-utils';
import { QuantizeError } from './quantize-error';
import { splitGemm } from './split-gemm';
import { staticLayers } from './static-plan';

/**
 * The tensors static quantization needs ranges for: the activation input of every MatMul/Gemm/Conv (QDQ), and the
 * input and (fused) output of every layer QOperator rewrites. Names refer to the Gemm-split model.
 */
function observedTensors(model: Model, opTypes: ReadonlySet<string>): { model: Model; names: string[] } {
  const split = opTypes.has('Gemm') ? splitGemm(model).model : model;
  const names = new Set<string>();
  for (const n of model.graph.nodes) if (isOnnx(n) && opTypes.has(n.opType) && n.inputs[0] && !model.graph.initializers.has(n.inputs[0])) names.add(n.inputs[0]);
  const layerTypes = new Set([...opTypes].filter((t) => t === 'Conv' || t === 'MatMul'));
  if (opTypes.has('Gemm')) layerTypes.add('MatMul');
  for (const l of staticLayers(split.graph, layerTypes)) {
    names.add(l.x);
    names.add(l.y);
  }
  return { model: split, names: [...names] };
}

/**
 * Runs the float model on calibration batches and keeps one observer of @qint/observers per activation that
 * {@link quantizeStatic} quantizes; the returned state can be merged with other runs, serialized, and continued.
 *
 * @param model - the float model
 * @param batches - feeds, one object per run (`{ inputName: tensor }`); any iterable (a generator streams)
 * @param options - {@link CalibrateOptions}: the method and its options, `onProgress`, `state` to continue
 * @returns the {@link CalibrationState} (call `ranges()` for the ranges, or pass it to {@link quantizeStatic})
 * @throws {@link QuantizeError} for no batches, a model with no MatMul/Gemm/Conv, or invalid method options
 * @example
 * ```ts
 * const a = calibrateState(model, firstHalf, { observer: 'entropy' });
 * const b = calibrationFromJSON(otherMachineJson);
 * a.merge(b);
 * const { model: q } = quantizeStatic(model, a, { format: 'qoperator' });
 * ```
 */
export function calibrateState(model: Model, batches: Iterable<Readonly<Record<string, Tensor>>>, options: CalibrateOptions = {}): CalibrationState {
  const opTypes = new Set(options.opTypes ?? ['MatMul', 'Gemm', 'Conv']);
  const { model: run, names } = observedTensors(model, opTypes);
  if (names.length === 0) throw new QuantizeError(`calibrate: the model has no ${[...opTypes].join('/')} whose input could be observed`);
  let state: ObserverCalibration;
  if (options.state) {
    if (!(options.state instanceof ObserverCalibration)) throw new QuantizeError('calibrate: "state" must come from calibrateState or calibrationFromJSON');
    state = options.state;
  } else {
    const method = options.observer ?? 'minmax';
    state = new ObserverCalibration(method, activationObserverOptions(method, options));
  }
  // Unfused (captureActivations), so the Conv outputs before a bias Add/Relu stay requestable.
  const total = Array.isArray(batches) ? batches.length : undefined;
  const count = captureActivations(run, batches, names, (values, batch) => {
    state.observe(values);
    options.onProgress?.({ batch, ...(total !== undefined ? { total } : {}), tensors: names.length });
  });
  if (count === 0 && state.batches === 0) throw new QuantizeError('calibrate: "batches" is empty; give at least one set of feeds');
  return state;
}

/**
 * Runs the float model on calibration batches and returns the range of every activation {@link quantizeStatic}
 * quantizes (`calibrateState(...).ranges()`).
 *
 * @param model - the float model
 * @param batches - feeds, one object per run (`{ inputName: tensor }`)
 * @param options - {@link CalibrateOptions}
 * @returns the observed (or, for histogram methods, searched) {@link CalibrationRanges}
 * @throws {@link QuantizeError} for no batches, a model with no MatMul/Gemm/Conv, or invalid method options
 * @example
 * ```ts
 * const ranges = calibrate(model, images.map((x) => ({ input: x })), { observer: 'percentile', percentile: 99.99 });
 * const { model: q } = quantizeStatic(model, ranges);
 * ```
 */
export function calibrate(model: Model, batches: Iterable<Readonly<Record<string, Tensor>>>, options: CalibrateOptions = {}): CalibrationRanges {
  return calibrateState(model, batches, options).ranges();
}
