import { createSession, type Model, type Node } from '@qint/graph';
import { MinMaxObserver, MovingAverageMinMaxObserver, type Observer } from '@qint/observers';
import type { Tensor } from '@qint/tensor';
import { QuantizeError } from './quantize-error';

/** Observed activation ranges by value name (the float inputs of the layers {@link quantizeStatic} quantizes). */
export type CalibrationRanges = Record<string, { min: number; max: number }>;

/** Options of {@link calibrate}. */
export interface CalibrateOptions {
  /** `'minmax'` (default, PyTorch's MinMaxObserver) or `'moving_average'` (MovingAverageMinMaxObserver, constant 0.01). */
  observer?: 'minmax' | 'moving_average';
  /** Op types whose first (activation) input is observed (default MatMul, Gemm, Conv). */
  opTypes?: readonly string[];
}

/** The activation inputs of quantizable nodes: the first input of each MatMul/Gemm/Conv. */
function activationInputs(nodes: readonly Node[], opTypes: ReadonlySet<string>): string[] {
  const names = new Set<string>();
  for (const n of nodes) if ((n.domain === '' || n.domain === 'ai.onnx') && opTypes.has(n.opType) && n.inputs[0]) names.add(n.inputs[0]);
  return [...names];
}

/**
 * Runs the float model on calibration batches and records the range of every activation that
 * {@link quantizeStatic} will quantize, with the observers of @qint/observers.
 *
 * @param model - the float model
 * @param batches - feeds, one object per run (`{ inputName: tensor }`)
 * @param options - {@link CalibrateOptions}
 * @returns the observed {@link CalibrationRanges}
 * @throws {@link QuantizeError} for no batches or a model with no MatMul/Gemm/Conv
 * @example
 * ```ts
 * const ranges = calibrate(model, images.map((x) => ({ input: x })));
 * const { model: q } = quantizeStatic(model, ranges);
 * ```
 */
export function calibrate(model: Model, batches: Iterable<Readonly<Record<string, Tensor>>>, options: CalibrateOptions = {}): CalibrationRanges {
  const names = activationInputs(model.graph.nodes, new Set(options.opTypes ?? ['MatMul', 'Gemm', 'Conv']));
  if (names.length === 0) throw new QuantizeError('calibrate: the model has no MatMul/Gemm/Conv whose input could be observed');
  const session = createSession(model);
  const observers = new Map<string, Observer>(
    names.map((n) => [n, options.observer === 'moving_average' ? new MovingAverageMinMaxObserver() : new MinMaxObserver()]),
  );
  let count = 0;
  for (const feeds of batches) {
    const out = session.run(feeds, { outputs: names });
    for (const n of names) observers.get(n)!.observe(out[n]);
    count++;
  }
  if (count === 0) throw new QuantizeError('calibrate: "batches" is empty; give at least one set of feeds');
  const ranges: CalibrationRanges = {};
  for (const [n, o] of observers) {
    const s = o.stats();
    ranges[n] = { min: s.min[0], max: s.max[0] };
  }
  return ranges;
}
