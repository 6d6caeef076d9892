// calibrate / calibrateState on mnist-8 with every observer of @qint/observers: the ranges equal those of the observer
// run directly on activations collected here, merges and JSON round trips, progress, and outlier clipping.
import { createSession, type Model } from '@qint/graph';
import { createObserver, type AnyObserverOptions, type ObserverKind } from '@qint/observers';
import { loadModel } from '@qint/onnx';
import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { CALIBRATION_METHODS, calibrate, calibrateState, calibrationFromJSON, QuantizeError, quantizeStatic, type CalibrateOptions, type CalibrationMethod, type CalibrationProgress } from '../src';
import { argmax, image, loadMnist } from './__fixtures__/mnist';

const MNIST8 = new URL('../../onnx/test/__fixtures__/models/mnist-8/model.onnx', import.meta.url).pathname;
const float = loadModel(MNIST8);
const train = loadMnist('train');
const test = loadMnist('t10k');
const feed = (set: typeof test, i: number, pixels = image(set, i)) => ({ Input3: Tensor.from('float32', [1, 1, 28, 28], pixels) });
const batches = Array.from({ length: 24 }, (_, i) => feed(train, i));

// Read off mnist-8's graph by hand: the inputs of the two Convs and the MatMul, and the outputs QLinearConv/QLinearMatMul
// produce (each Conv fused with its bias Add and Relu).
const TENSORS = ['Input3', 'ReLU32_Output_0', 'Pooling66_Output_0', 'ReLU114_Output_0', 'Pooling160_Output_0_reshape0', 'Times212_Output_0'];

const CASES: [CalibrationMethod, ObserverKind, CalibrateOptions, AnyObserverOptions][] = [
  ['minmax', 'MinMaxObserver', {}, {}],
  ['moving_average', 'MovingAverageMinMaxObserver', { averagingConstant: 0.1 }, { averagingConstant: 0.1 }],
  ['histogram', 'HistogramObserver', { bins: 512 }, { bins: 512 }],
  ['percentile', 'PercentileObserver', { percentile: 99.9 }, { percentile: 99.9 }],
  ['entropy', 'EntropyObserver', {}, {}],
  ['mse', 'MseObserver', { mseSteps: 50 }, { mseSteps: 50 }],
];

/** Activations collected independently of calibrate: a plain session run per batch. */
function collect(model: Model, names: string[]): Map<string, Tensor[]> {
  const session = createSession(model, { fuse: false });
  const out = new Map<string, Tensor[]>(names.map((n) => [n, []]));
  for (const b of batches) {
    const r = session.run(b, { outputs: names });
    for (const n of names) out.get(n)!.push(r[n]);
  }
  return out;
}

describe('calibrate with each observer on mnist-8', () => {
  const activations = collect(float, TENSORS);

  for (const [method, kind, options, observerOptions] of CASES) {
    it(`${method}: ranges equal ${kind} run directly on the same activations`, () => {
      const ranges = calibrate(float, batches, { observer: method, ...options });
      expect(Object.keys(ranges).sort()).toEqual([...TENSORS].sort());
      for (const name of TENSORS) {
        const obs = createObserver(kind, { dtype: 'uint8', qscheme: 'per_tensor_affine', ...observerOptions });
        for (const t of activations.get(name)!) obs.observe(t);
        const r = obs.computeRange();
        expect(ranges[name], name).toEqual({ min: r.min[0], max: r.max[0] });
      }
    });
  }

  it('histogram methods clip: Percentile/Entropy/MSE/Histogram ranges lie inside the min-max range, some strictly', () => {
    const mm = calibrate(float, batches);
    for (const method of ['histogram', 'percentile', 'entropy', 'mse'] as const) {
      const r = calibrate(float, batches, { observer: method });
      let strictly = 0;
      for (const name of TENSORS) {
        expect(r[name].min).toBeGreaterThanOrEqual(mm[name].min);
        expect(r[name].max).toBeLessThanOrEqual(mm[name].max);
        if (r[name].max < mm[name].max) strictly++;
      }
      expect(strictly, method).toBeGreaterThan(0);
    }
  });

  it('reports progress after every batch', () => {
    const seen: CalibrationProgress[] = [];
    calibrate(float, batches.slice(0, 3), { onProgress: (p) => seen.push(p) });
    expect(seen).toEqual([1, 2, 3].map((batch) => ({ batch, total: 3, tensors: TENSORS.length })));
    // A generator has no length: total is absent.
    const gen = function* () {
      yield batches[0];
      yield batches[1];
    };
    const fromGen: CalibrationProgress[] = [];
    calibrate(float, gen(), { onProgress: (p) => fromGen.push(p) });
    expect(fromGen).toEqual([{ batch: 1, tensors: 6 }, { batch: 2, tensors: 6 }]);
  });

  // Percentile, Entropy and MSE share an exactly mergeable histogram; MinMax merges exactly by definition.
  for (const method of ['minmax', 'percentile', 'entropy', 'mse'] as const) {
    it(`${method}: two shards merged (one through JSON text) equal one pass over all batches`, () => {
      const whole = calibrateState(float, batches, { observer: method });
      const a = calibrateState(float, batches.slice(0, 10), { observer: method });
      const b = calibrationFromJSON(JSON.stringify(calibrateState(float, batches.slice(10), { observer: method }).toJSON()));
      b.merge(a);
      expect(b.batches).toBe(24);
      expect(b.ranges()).toEqual(whole.ranges());
      expect(b.toJSON()).toEqual(whole.toJSON());
    });
  }

  it('histogram (PyTorch grid): merged shards agree with one pass to about a bin; continuing a state is exact', () => {
    const whole = calibrateState(float, batches, { observer: 'histogram' });
    const a = calibrateState(float, batches.slice(0, 12), { observer: 'histogram' });
    a.merge(calibrateState(float, batches.slice(12), { observer: 'histogram' }));
    const w = whole.ranges();
    const m = a.ranges();
    for (const name of TENSORS) {
      const width = (w[name].max - w[name].min) / 2048;
      expect(Math.abs(m[name].max - w[name].max), name).toBeLessThanOrEqual(4 * width);
      expect(Math.abs(m[name].min - w[name].min), name).toBeLessThanOrEqual(4 * width);
    }
    // Continuing one state batch by batch is the same sequential pass as calibrating all at once.
    const cont = calibrateState(float, batches.slice(0, 12), { observer: 'histogram' });
    expect(calibrateState(float, batches.slice(12), { state: cont })).toBe(cont);
    expect(cont.ranges()).toEqual(w);
  });

  it('a calibration state can be passed to quantizeStatic directly', () => {
    const state = calibrateState(float, batches, { observer: 'percentile' });
    const a = quantizeStatic(float, state).model;
    const b = quantizeStatic(float, state.ranges()).model;
    expect([...a.graph.initializers.keys()]).toEqual([...b.graph.initializers.keys()]);
    for (const [k, t] of a.graph.initializers) expect(t.data, k).toEqual(b.graph.initializers.get(k)!.data);
  });

  it('bad input: unknown method, bad method options, mismatched merges, malformed JSON', () => {
    expect(CALIBRATION_METHODS).toEqual(CASES.map(([method]) => method));
    expect(() => calibrate(float, batches, { observer: 'kl' as CalibrationMethod })).toThrow(/"observer" must be one of minmax, moving_average, histogram, percentile, entropy, mse, got "kl"/);
    expect(() => calibrate(float, batches, { observer: 'percentile', percentile: 0 })).toThrow(QuantizeError);
    expect(() => calibrate(float, batches, { observer: 'histogram', bins: 1 })).toThrow(/invalid options for "histogram"/);
    const p = calibrateState(float, batches.slice(0, 2), { observer: 'percentile' });
    expect(() => p.merge(calibrateState(float, batches.slice(0, 2), { observer: 'entropy' }))).toThrow(/method "entropy"/);
    expect(() => p.merge(calibrateState(float, batches.slice(0, 2), { observer: 'percentile', percentile: 99 }))).toThrow(/observer options/);
    expect(() => p.merge(p)).toThrow(QuantizeError);
    expect(() => calibrationFromJSON('{nope')).toThrow(/not valid JSON/);
    expect(() => calibrationFromJSON({ ...p.toJSON(), version: 2 as 1 })).toThrow(/version must be 1/);
    expect(() => calibrationFromJSON({ ...p.toJSON(), method: 'minmax' })).toThrow(/must be a MinMaxObserver/);
  });
});

describe('outliers: one calibration image with an injected extreme pixel (PyTorch MLP, pixels in [0, 1])', () => {
  const mlp = loadModel(new URL('../../onnx/test/__fixtures__/torch/mlp/model.onnx', import.meta.url).pathname);
  const mlpFeed = (px: Float32Array) => ({ input: Tensor.from('float32', [1, 784], px) });
  // 200 calibration images; image 7 gets one pixel of 1000.
  const spiked = Array.from({ length: 200 }, (_, i) => {
    const px = image(train, i, 1 / 255);
    if (i === 7) px[400] = 1000;
    return mlpFeed(px);
  });
  const score = (ranges: ReturnType<typeof calibrate>, format: 'qdq' | 'qoperator'): number => {
    const s = createSession(quantizeStatic(mlp, ranges, { format }).model);
    let correct = 0;
    for (let i = 0; i < 300; i++) if (argmax(s.run(mlpFeed(image(test, i, 1 / 255))).logits.data as Float32Array) === test.labels[i]) correct++;
    return correct / 300;
  };
  const minmax = calibrate(mlp, spiked);
  const percentile = calibrate(mlp, spiked, { observer: 'percentile' });
  const entropy = calibrate(mlp, spiked, { observer: 'entropy' });

  it('MinMax keeps the outlier in the input range; Percentile and Entropy clip it', () => {
    expect(minmax.input.max).toBe(1000);
    // Percentile: the upper edge of the 0.5-wide bin where 99.99% of the values are reached.
    expect(percentile.input.max).toBeLessThanOrEqual(2);
    // Entropy searches this one-sided input with the 256 levels of uint8, from 256 bins of 0.5 (threshold ≥ 128).
    expect(entropy.input.max).toBeGreaterThanOrEqual(128);
    expect(entropy.input.max).toBeLessThan(1000 / 2);
  });

  it('Percentile and Entropy keep the accuracy MinMax loses (300 test images, QDQ and QOperator)', () => {
    for (const format of ['qdq', 'qoperator'] as const) {
      // MinMax: scale 1000/255 rounds every real pixel to 0 or 1 level, so the model sees (almost) blank images.
      expect(score(minmax, format), format).toBeLessThan(0.3);
      expect(score(percentile, format), format).toBeGreaterThan(0.95);
      expect(score(entropy, format), format).toBeGreaterThan(0.95);
    }
  });
});
