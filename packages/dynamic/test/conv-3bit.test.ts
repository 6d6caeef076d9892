// 3-bit convolutions: stored as a packed stream (3 bits per weight), widened to int8 once at load, exported to
// onnxruntime as 8-bit ConvInteger (values unchanged).
import { createSession, type Model } from '@qint/graph';
import { createJsBackend } from '@qint/kernels';
import { createWasmBackend } from '@qint/kernels-wasm';
import { encodeModel, loadModel } from '@qint/onnx';
import { Tensor } from '@qint/tensor';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { quantizeDynamic, saturationHazards, toOnnxModel } from '../src';
import { image, loadMnistTest } from './__fixtures__/mnist';

const MNIST8 = new URL('../../onnx/test/__fixtures__/models/mnist-8/model.onnx', import.meta.url).pathname;
const float = loadModel(MNIST8);
const set = loadMnistTest();
const input = (i: number) => ({ Input3: Tensor.from('float32', [1, 1, 28, 28], image(set, i)) });

function accuracy(model: Model, count: number): number {
  const session = createSession(model);
  let correct = 0;
  for (let i = 0; i < count; i++) {
    const y = Object.values(session.run(input(i)))[0].toArray();
    if (y.indexOf(Math.max(...y)) === set.labels[i]) correct++;
  }
  return correct / count;
}

describe('3-bit Conv', () => {
  const { model: q, report } = quantizeDynamic(float, { bits: 3, exclude: ['MatMul'] });

  it('quantizes both convs to 3 bits, stored at 3 bits per weight', () => {
    expect(report.quantized.map((r) => [r.opType, r.bits])).toEqual([
      ['Conv', 3],
      ['Conv', 3],
    ]);
    const conv2 = q.graph.nodes.find((n) => n.opType === 'DynamicConv' && n.name.startsWith('Convolution110'))!;
    expect(conv2.attributes.weight_shape).toEqual({ type: 'ints', value: [16, 8, 5, 5] });
    const stream = q.graph.initializers.get(conv2.inputs[1])!;
    expect([stream.dtype, stream.data.byteLength]).toEqual(['uint8', Math.ceil((16 * 8 * 25 * 3) / 8)]);
  });

  it('keeps mnist-8 accurate on real digits (float 98.70% on the first 1,000)', () => {
    expect(accuracy(q, 1000)).toBeGreaterThan(0.97);
  });

  it('runs identically on the JS and WASM backends (every layer 3-bit: no float GEMM in between)', async () => {
    const all3 = quantizeDynamic(float, { bits: 3 }).model;
    const js = createSession(all3, { backend: createJsBackend() });
    const wasm = createSession(all3, { backend: await createWasmBackend() });
    for (let i = 0; i < 5; i++) {
      const a = Object.values(js.run(input(i)))[0].data as Float32Array;
      const b = Object.values(wasm.run(input(i)))[0].data as Float32Array;
      expect(Array.from(b)).toEqual(Array.from(a));
    }
  });

  it('exports to ONNX that onnxruntime runs with the same logits (weights widened to 8 bits)', async () => {
    const onnx = toOnnxModel(q);
    // uint8 weight storage (the default): onnxruntime's integer kernels are exact on every CPU.
    expect(saturationHazards(onnx)).toEqual([]);
    const session = await ort.InferenceSession.create(encodeModel(onnx), { intraOpNumThreads: 1 });
    const mine = createSession(q);
    for (let i = 0; i < 5; i++) {
      const feeds = input(i);
      const a = Object.values(mine.run(feeds))[0].data as Float32Array;
      const out = await session.run({ Input3: new ort.Tensor('float32', feeds.Input3.data as Float32Array, [1, 1, 28, 28]) });
      const b = out[session.outputNames[0]].data as Float32Array;
      for (let j = 0; j < 10; j++) expect(Math.abs(a[j] - b[j])).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(b[j])));
    }
  });
});
