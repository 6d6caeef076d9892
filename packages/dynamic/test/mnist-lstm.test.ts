// A recurrent MNIST classifier trained with PyTorch (scripts/train-mnist-lstm.py: LSTM(28 → 48) over the 28 rows of
// each image, Linear(48 → 10) on the last output) keeps its accuracy when qint quantizes it int8. The test uses the
// first 1,000 real MNIST test digits (the full 10,000 are in the README).
import { createSession, type Model } from '@qint/graph';
import { loadModel } from '@qint/onnx';
import { Tensor } from '@qint/tensor';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { quantizeDynamic } from '../src';
import { BACKENDS } from './__fixtures__/backends';
import { argmax, loadMnistTest } from './__fixtures__/mnist';

const DIR = new URL('./__fixtures__/recurrent/', import.meta.url).pathname;
const meta = JSON.parse(readFileSync(`${DIR}mnist-lstm.json`, 'utf8')) as { float_accuracy: number; torch_int8_accuracy: number };
const COUNT = 1000;

/** The first `count` test digits as the model's input `[28 rows (steps), count, 28 pixels]`, pixels / 255. */
function rowsInput(count: number): { x: Tensor; labels: Uint8Array } {
  const set = loadMnistTest();
  const x = new Float32Array(28 * count * 28);
  for (let i = 0; i < count; i++) for (let r = 0; r < 28; r++) for (let c = 0; c < 28; c++) x[(r * count + i) * 28 + c] = set.pixels[i * 784 + r * 28 + c] / 255;
  return { x: Tensor.from('float32', [28, count, 28], x), labels: set.labels.subarray(0, count) };
}

async function logitsOf(model: Model, x: Tensor, backend: 'js' | 'wasm'): Promise<Float32Array> {
  const b = await BACKENDS.find(([name]) => name === backend)![1]();
  return createSession(model, typeof b === 'string' ? {} : { backend: b }).run({ x }).logits.data as Float32Array;
}

async function accuracy(model: Model, x: Tensor, labels: Uint8Array, backend: 'js' | 'wasm'): Promise<number> {
  const logits = await logitsOf(model, x, backend);
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (argmax(logits, i * 10, 10) === labels[i]) correct++;
  return correct / labels.length;
}

describe('MNIST rows-as-sequence LSTM classifier', () => {
  const float = loadModel(`${DIR}mnist-lstm.onnx`);
  const { x, labels } = rowsInput(COUNT);

  it(`int8 keeps the float accuracy within 0.5 points on ${COUNT} test digits; js and wasm give the same logits`, async () => {
    const { model: q, report } = quantizeDynamic(float);
    expect(report.quantized.map((r) => r.opType).sort()).toEqual(['Gemm', 'LSTM']);
    const f = await accuracy(float, x, labels, 'wasm');
    // The trained model is a real classifier (PyTorch measured its float accuracy on all 10,000 digits).
    expect(f).toBeGreaterThan(meta.float_accuracy - 0.03);
    const qWasm = await accuracy(q, x, labels, 'wasm');
    expect(Math.abs(qWasm - f)).toBeLessThanOrEqual(0.005);
    const few = rowsInput(50).x;
    expect(Array.from(await logitsOf(q, few, 'js'))).toEqual(Array.from(await logitsOf(q, few, 'wasm')));
  });
});
