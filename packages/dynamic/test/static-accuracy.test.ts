// Top-1 accuracy of statically quantized mnist-8 with each calibration method, QDQ and QOperator (JS backend, batch 1).
// Calibration: the first 512 MNIST training images (as apps/example's demo); scoring: t10k images (never used for calibration).
// `pnpm test` scores 300 images; `pnpm --filter @qint/dynamic accuracy` (QINT_FULL_ACCURACY=1) scores all 10 000 and
// writes scripts/static-accuracy-results.json, whose numbers are in the README.
import { createSession, type Model } from '@qint/graph';
import { loadModel } from '@qint/onnx';
import { Tensor } from '@qint/tensor';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { calibrateState, quantizeStatic, type CalibrationMethod } from '../src';
import { argmax, image, loadMnist } from './__fixtures__/mnist';

const FULL = process.env.QINT_FULL_ACCURACY === '1';
const COUNT = FULL ? 10000 : 300;
const float = loadModel(new URL('../../onnx/test/__fixtures__/models/mnist-8/model.onnx', import.meta.url).pathname);
const train = loadMnist('train');
const test = loadMnist('t10k');
const feed = (set: typeof test, i: number) => ({ Input3: Tensor.from('float32', [1, 1, 28, 28], image(set, i)) });

function accuracy(model: Model): number {
  const s = createSession(model);
  let correct = 0;
  for (let i = 0; i < COUNT; i++) if (argmax(s.run(feed(test, i)).Plus214_Output_0.data as Float32Array) === test.labels[i]) correct++;
  return correct / COUNT;
}

describe(`mnist-8 static quantization accuracy per calibration method (${COUNT} t10k images)`, () => {
  it('every method within 0.5 point of float in both formats', () => {
    const calibration = Array.from({ length: 512 }, (_, i) => feed(train, i));
    const results: Record<string, unknown> = { float: accuracy(float) };
    const f = results.float as number;
    for (const method of ['minmax', 'moving_average', 'histogram', 'percentile', 'entropy', 'mse'] as CalibrationMethod[]) {
      const state = calibrateState(float, calibration, { observer: method });
      const row: Record<string, number> = {};
      for (const format of ['qdq', 'qoperator'] as const) row[format] = accuracy(quantizeStatic(float, state, { format }).model);
      results[method] = row;
      // Entropy searched Relu outputs with 128 levels and kept their exact zeros, clipping the first Conv's Relu at
      // 127.5 of 945 and losing ~2.5 points; its one-sided search (256 levels, zero bin as bin 1) keeps it near float.
      for (const format of ['qdq', 'qoperator'] as const) expect(f - row[format], `${method} ${format}`).toBeLessThanOrEqual(0.005);
    }
    if (FULL) {
      writeFileSync(new URL('../scripts/static-accuracy-results.json', import.meta.url), `${JSON.stringify({ backend: 'js', batch: 1, calibration: 'train 0..511', images: 't10k 0..9999', ...results }, null, 2)}\n`);
    }
  }, FULL ? 3_600_000 : 600_000);
});
