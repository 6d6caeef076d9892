// onnxruntime on a CPU without AVX-512 VNNI, on any machine: valgrind emulates an x86 CPU with AVX2 and no AVX-512,
// so onnxruntime-node run under it takes the u8 × s8 kernels that saturate pairs of products to int16. qint's default
// ONNX exports (uint8 weights) must give qint's outputs there; the full-range int8 form must not (which also proves
// that the emulation really takes the saturating path, so this test can fail).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSession, type Model } from '@qint/graph';
import { encodeModel, loadModel } from '@qint/onnx';
import { Tensor } from '@qint/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { calibrateState, quantizeDynamic, quantizeStatic, saturationHazards, toOnnxModel } from '../src';
import { image, loadMnist } from './__fixtures__/mnist';

const MNIST8 = new URL('../../onnx/test/__fixtures__/models/mnist-8/model.onnx', import.meta.url).pathname;
const RUNNER = new URL('./helpers/ort-runner.cjs', import.meta.url).pathname;
const hasValgrind = spawnSync('valgrind', ['--version']).status === 0;
const COUNT = 12;

describe.skipIf(!hasValgrind)('onnxruntime-node under valgrind (emulated AVX2 CPU without VNNI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qint-avx2-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const test = loadMnist('t10k');
  const train = loadMnist('train');
  const float = loadModel(MNIST8);
  const feed = (set: typeof test, i: number) => ({ Input3: Tensor.from('float32', [1, 1, 28, 28], image(set, i)) });
  const dynamic = quantizeDynamic(float).model;
  const qop = (weightType: 'uint8' | 'int8') => quantizeStatic(float, calibrateState(float, Array.from({ length: 50 }, (_, i) => feed(train, i))), { format: 'qoperator', weightType }).model;
  const variants: [string, Model, Model][] = [
    ['dynamic, default uint8 weights', dynamic, toOnnxModel(dynamic)],
    ['dynamic, int8 weights', dynamic, toOnnxModel(dynamic, { matMulWeightType: 'int8', convWeightType: 'int8' })],
    ['static QOperator, default uint8 weights', qop('uint8'), qop('uint8')],
    ['static QOperator, int8 weights', qop('int8'), qop('int8')],
  ];
  const inputs = new Float32Array(COUNT * 784);
  for (let i = 0; i < COUNT; i++) inputs.set(image(test, i), i * 784);

  it('the default exports give qint\'s logits; the full-range int8 forms do not', () => {
    writeFileSync(join(dir, 'x.bin'), inputs);
    const files = variants.map(([, , onnx], i) => {
      const f = join(dir, `m${i}.onnx`);
      writeFileSync(f, encodeModel(onnx));
      return f;
    });
    const run = spawnSync('valgrind', ['-q', process.execPath, RUNNER, join(dir, 'x.bin'), `${COUNT}x1x1x28x28`, 'Input3', ...files], { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(run.status, run.stderr).toBe(0);
    const results = JSON.parse(run.stdout) as number[][][];
    const worst = variants.map(([, model], v) => {
      const session = createSession(model);
      let diff = 0;
      let range = 0;
      for (let i = 0; i < COUNT; i++) {
        const mine = Array.from(session.run(feed(test, i)).Plus214_Output_0.data as Float32Array);
        range = Math.max(range, Math.max(...mine) - Math.min(...mine));
        mine.forEach((m, j) => (diff = Math.max(diff, Math.abs(m - results[v][i][j]))));
      }
      return diff / range;
    });
    // Default uint8: qint's integers exactly, only float32 rounding in between (≤ 1e-4 of the logit range).
    expect(saturationHazards(variants[0][2])).toEqual([]);
    expect(worst[0]).toBeLessThanOrEqual(1e-4);
    // Static QOperator: the same integer pipeline; requantization ties may differ by one output step.
    expect(saturationHazards(variants[2][2])).toEqual([]);
    expect(worst[2]).toBeLessThanOrEqual(0.02);
    // int8 weights: the emulated CPU saturates, and the logits move by far more than any rounding.
    expect(saturationHazards(variants[1][2]).length).toBeGreaterThan(0);
    expect(worst[1]).toBeGreaterThan(0.01);
    expect(saturationHazards(variants[3][2]).length).toBeGreaterThan(0);
    expect(worst[3]).toBeGreaterThan(worst[2]);
  }, 300_000);
});
