// The JS and WASM backends give bit-identical outputs for quantized graphs (integer kernels are exact, and the float
// steps around them are fixed in order).
import { createSession, type Model } from '@qint/graph';
import { createJsBackend, type KernelBackend } from '@qint/kernels';
import { createWasmBackend } from '@qint/kernels-wasm';
import { loadModel } from '@qint/onnx';
import { Tensor } from '@qint/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { calibrate, quantizeDynamic, quantizeStatic, type QuantizeDynamicOptions } from '../src';
import { image, loadMnistTest } from './__fixtures__/mnist';
import { linearModel, randomData } from './__fixtures__/models';

const fixtures = new URL('../../onnx/test/__fixtures__/', import.meta.url).pathname;
let wasm: KernelBackend;
const js = createJsBackend();
beforeAll(async () => {
  wasm = await createWasmBackend();
});

function expectSame(model: Model, feeds: Record<string, Tensor>): void {
  const a = createSession(model, { backend: js }).run(feeds);
  const callsBefore = Number(wasm.diagnostics!().calls);
  const b = createSession(model, { backend: wasm }).run(feeds);
  // The WASM session really ran WASM kernels (not a silent JS fallback).
  expect(Number(wasm.diagnostics!().calls)).toBeGreaterThan(callsBefore);
  for (const name of Object.keys(a)) {
    const x = a[name].data as Float32Array;
    const y = b[name].data as Float32Array;
    expect(y.length).toBe(x.length);
    // Bit-identical, compared as integers so that -0/+0 and NaN payloads would show too.
    expect(new Uint32Array(y.buffer, y.byteOffset, y.length)).toEqual(new Uint32Array(x.buffer, x.byteOffset, x.length));
  }
}

describe('JS ≡ WASM on quantized graphs', () => {
  const set = loadMnistTest();

  for (const [label, options] of [
    ['int8 per channel', {}],
    ['4-bit per block 32', { bits: 4, granularity: 'per_block', blockSize: 32 }],
    ['2-bit affine per channel, uint8-style', { bits: 2, symmetric: false }],
  ] as [string, QuantizeDynamicOptions][]) {
    it(`mnist-8 ${label}`, () => {
      const { model } = quantizeDynamic(loadModel(`${fixtures}models/mnist-8/model.onnx`), options);
      for (let i = 0; i < 5; i++) expectSame(model, { Input3: Tensor.from('float32', [1, 1, 28, 28], image(set, i)) });
    });
  }

  for (const bits of [8, 4, 3, 2] as const) {
    it(`linear layer, ${bits}-bit per block 16, per-row activations`, () => {
      const { model } = quantizeDynamic(linearModel(80, 33, bits), { bits, granularity: 'per_block', blockSize: 16, perRow: true, symmetric: false });
      expectSame(model, { x: Tensor.from('float32', [5, 80], randomData(400, 3)) });
    });
  }

  // QOperator only: QDQ keeps float Conv/MatMul between DequantizeLinear nodes, whose float sums differ across backends.
  it('mnist-8 static QOperator (QLinearConv, QLinearMatMul)', () => {
    const float = loadModel(`${fixtures}models/mnist-8/model.onnx`);
    const feed = (i: number) => ({ Input3: Tensor.from('float32', [1, 1, 28, 28], image(set, i)) });
    const ranges = calibrate(float, Array.from({ length: 20 }, (_, i) => feed(100 + i)), { observer: 'percentile' });
    const { model } = quantizeStatic(float, ranges, { format: 'qoperator' });
    for (let i = 0; i < 3; i++) expectSame(model, feed(i));
  });

  it('PyTorch-exported transformer, int8 (incl. activation×activation MatMuls)', () => {
    const { model } = quantizeDynamic(loadModel(`${fixtures}torch/transformer/model.onnx`));
    expectSame(model, { input: Tensor.from('float32', [2, 28, 28], [...image(set, 0, 1 / 255), ...image(set, 1, 1 / 255)]) });
  });
});
