// Top-1 accuracy of dynamically quantized models on real MNIST test images (WASM backend, batch 1; the JS backend
// gives identical quantized outputs, see backends.test.ts).
// `pnpm test` runs fixed subsets to keep the suite short; `pnpm --filter @qint/dynamic accuracy` (QINT_FULL_ACCURACY=1)
// runs the full sets and writes scripts/accuracy-results.json, whose numbers are in the README.
import { createSession, type Model } from '@qint/graph';
import type { KernelBackend } from '@qint/kernels';
import { createWasmBackend } from '@qint/kernels-wasm';
import { loadModel } from '@qint/onnx';
import { Tensor } from '@qint/tensor';
import { writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { quantizeDynamic, type QuantizeDynamicOptions } from '../src';
import { argmax, image, loadMnistTest } from './__fixtures__/mnist';

const FULL = process.env.QINT_FULL_ACCURACY === '1';
const fixtures = new URL('../../onnx/test/__fixtures__/', import.meta.url).pathname;
const set = loadMnistTest();
const results: Record<string, unknown> = {};
let backend: KernelBackend;
beforeAll(async () => {
  backend = await createWasmBackend();
});

function accuracy(model: Model, first: number, count: number, shape: number[], pixelScale: number): number {
  const session = createSession(model, { backend });
  const name = model.graph.inputs[0].name;
  let correct = 0;
  for (let i = first; i < first + count; i++) {
    const y = Object.values(session.run({ [name]: Tensor.from('float32', shape, image(set, i, pixelScale)) }))[0];
    if (argmax(y.data as Float32Array) === set.labels[i]) correct++;
  }
  return correct / count;
}

function evaluate(label: string, float: Model, configs: Record<string, QuantizeDynamicOptions>, range: [number, number], shape: number[], pixelScale: number) {
  const out: Record<string, { accuracy: number; weightBytes: number; ratio: number }> = {};
  out.float = { accuracy: accuracy(float, range[0], range[1], shape, pixelScale), weightBytes: 0, ratio: 1 };
  for (const [name, options] of Object.entries(configs)) {
    const { model, report } = quantizeDynamic(float, options);
    out.float.weightBytes = report.weightBytesBefore;
    out[name] = { accuracy: accuracy(model, range[0], range[1], shape, pixelScale), weightBytes: report.weightBytesAfter, ratio: report.weightBytesAfter / report.weightBytesBefore };
  }
  results[label] = { images: `t10k ${range[0]}..${range[0] + range[1] - 1}`, ...out };
  return out;
}

describe(`accuracy on MNIST t10k (${FULL ? 'full sets' : 'fixed subsets'})`, () => {
  it('mnist-8: int8 per-channel within 0.3 points of float at ≤ 27% of the weight bytes; 4-bit per-block within 1 point', () => {
    const r = evaluate(
      'mnist-8',
      loadModel(`${fixtures}models/mnist-8/model.onnx`),
      {
        int8PerChannel: {},
        int4PerBlock32: { bits: 4, granularity: 'per_block', blockSize: 32 },
        // Extra rows for the README table (full run only).
        ...(FULL
          ? {
              int8PerTensor: { granularity: 'per_tensor' },
              int8PerChannelUint8Affine: { weightType: 'uint8', symmetric: false },
              int4PerChannel: { bits: 4 },
              int4PerBlock32Mse: { bits: 4, granularity: 'per_block', blockSize: 32, rangeMethod: 'mse' },
              int2PerBlock16: { bits: 2, granularity: 'per_block', blockSize: 16 },
              int2PerBlock16Mse: { bits: 2, granularity: 'per_block', blockSize: 16, rangeMethod: 'mse' },
            }
          : {}),
      } as Record<string, QuantizeDynamicOptions>,
      [0, FULL ? 10000 : 2000],
      [1, 1, 28, 28],
      1,
    );
    if (FULL) expect(r.float.accuracy).toBe(0.9891);
    expect(r.float.accuracy - r.int8PerChannel.accuracy).toBeLessThanOrEqual(0.003);
    expect(r.int8PerChannel.ratio).toBeLessThanOrEqual(0.27);
    expect(r.float.accuracy - r.int4PerBlock32.accuracy).toBeLessThanOrEqual(0.01);
  });

  for (const [name, shape] of [
    ['mlp', [1, 784]],
    ['cnn-bn', [1, 1, 28, 28]],
    ['transformer', [1, 28, 28]],
  ] as const) {
    it(`PyTorch-exported ${name}: int8 dynamic within 0.5 points of float on held-out images`, () => {
      const extra: Record<string, QuantizeDynamicOptions> = FULL
        ? { int8PerRow: { perRow: true }, int4PerBlock32: { bits: 4, granularity: 'per_block', blockSize: 32 }, int3PerBlock32: { bits: 3, granularity: 'per_block', blockSize: 32 } }
        : {};
      const r = evaluate(`torch/${name}`, loadModel(`${fixtures}torch/${name}/model.onnx`), { int8PerChannel: {}, ...extra }, [5000, FULL ? 5000 : 1000], [...shape], 1 / 255);
      expect(r.float.accuracy - r.int8PerChannel.accuracy).toBeLessThanOrEqual(0.005);
    });
  }

  it.runIf(FULL)('writes the results', () => {
    writeFileSync(new URL('../scripts/accuracy-results.json', import.meta.url), `${JSON.stringify({ backend: 'wasm (1 thread)', batch: 1, ...results }, null, 2)}\n`);
  });
});
