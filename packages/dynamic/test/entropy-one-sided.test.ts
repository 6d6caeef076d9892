// Entropy (KL) calibration of one-sided (post-Relu) activations on mnist-8: the search must use the 256 levels the
// uint8 affine grid gives [0, T] (and not let the Relu's exact zeros decide), or it clips the first Relu at about an
// eighth of its range and loses ~2.5 points (full figures: README "Accuracy on mnist-8 per calibration method").
// A quick subset: 64 training images for calibration, 200 t10k images scored against the float model's labels.
import { createSession, type Model } from '@qint/graph';
import { loadModel } from '@qint/onnx';
import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { calibrateState, quantizeStatic } from '../src';
import { argmax, image, loadMnist } from './__fixtures__/mnist';

const COUNT = 200;
const float = loadModel(new URL('../../onnx/test/__fixtures__/models/mnist-8/model.onnx', import.meta.url).pathname);
const train = loadMnist('train');
const test = loadMnist('t10k');
const feed = (set: typeof test, i: number) => ({ Input3: Tensor.from('float32', [1, 1, 28, 28], image(set, i)) });

function correct(model: Model): number {
  const s = createSession(model);
  let n = 0;
  for (let i = 0; i < COUNT; i++) if (argmax(s.run(feed(test, i)).Plus214_Output_0.data as Float32Array) === test.labels[i]) n++;
  return n;
}

describe('mnist-8 static int8 with entropy calibration (one-sided Relu outputs)', () => {
  it(`stays within 0.5 point of float on ${COUNT} test digits, QDQ and QOperator`, () => {
    const state = calibrateState(float, Array.from({ length: 64 }, (_, i) => feed(train, i)), { observer: 'entropy' });
    const f = correct(float);
    for (const format of ['qdq', 'qoperator'] as const) {
      expect(f - correct(quantizeStatic(float, state, { format }).model), format).toBeLessThanOrEqual(COUNT * 0.005);
    }
  });
});
