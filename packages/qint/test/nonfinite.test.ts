// NaN and ±Infinity through float ops and dynamically quantized layers, on both backends, against onnxruntime's
// float outputs recorded in __fixtures__/nan-ops (see its README).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTensorPb } from '@qint/onnx';
import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { loadModel, quantize, run } from '../src/index';

const dir = join(__dirname, '__fixtures__', 'nan-ops');
const mnistDir = join(__dirname, '__fixtures__', 'mnist-8');
type Enc = (number | string)[];
const dec = (a: Enc): Float32Array => Float32Array.from(a, (v) => (typeof v === 'string' ? Number(v) : v));
interface OrtCase {
  inputs: Record<string, { shape: number[]; data: Enc }>;
  output: { name: string; shape: number[]; data: Enc };
}
const ort = JSON.parse(readFileSync(join(dir, 'ort-outputs.json'), 'utf8')) as { cases: Record<string, OrtCase> };

/** Non-finite values must match exactly (NaN where NaN, the same infinity); finite ones to float32 rounding. */
function expectLike(actual: ArrayLike<number>, expected: Float32Array, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const a = actual[i];
    if (Number.isNaN(e) || !Number.isFinite(e)) expect(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)), `${what}[${i}]: ${a} vs ${e}`).toBe(true);
    else expect(Math.abs(a - e), `${what}[${i}]: ${a} vs ${e}`).toBeLessThanOrEqual(2e-6 * Math.max(1, Math.abs(e)));
  }
}

describe.each(['js', 'wasm'] as const)('non-finite inputs on the %s backend', (backend) => {
  it.each(Object.keys(ort.cases))('%s gives onnxruntime’s float output on NaN, ±Infinity and ±0', async (name) => {
    const c = ort.cases[name]!;
    const model = await loadModel(join(dir, `${name}.onnx`));
    const feeds: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(c.inputs)) feeds[k] = Tensor.from('float32', v.shape, dec(v.data));
    const y = (await run(model, feeds, { backend }))[c.output.name]!;
    expect(y.shape).toEqual(c.output.shape);
    expectLike(y.data as Float32Array, dec(c.output.data), name);
  });

  it("MaxPool makes a window holding NaN NaN, wherever the NaN is", async () => {
    // IEEE 754-2019 maximum / PyTorch max_pool2d semantics, written out: each 2×2 window of a 1×1×4×4 plane.
    // (onnxruntime's MLAS pool returns the other taps' maximum for most windows, so it is not the reference here.)
    const x = Float32Array.from([NaN, 1, 2, NaN, 3, 4, 5, 6, -1, -2, Infinity, 0, -3, NaN, 7, -Infinity]);
    const model = await loadModel(join(dir, 'MaxPool.onnx'));
    const y = (await run(model, { x: Tensor.from('float32', [1, 1, 4, 4], x) }, { backend }))['y']!;
    expectLike(y.data as Float32Array, Float32Array.from([NaN, NaN, NaN, Infinity]), 'MaxPool');
  });
});

describe('mnist-8 with one non-finite pixel', () => {
  const logits = JSON.parse(readFileSync(join(dir, 'mnist-8-nonfinite-logits.json'), 'utf8')) as { cases: Record<string, Enc> };
  const base = loadTensorPb(join(mnistDir, 'test_data_set_0', 'input_0.pb')).tensor;

  it.each(['js', 'wasm'] as const)('gives onnxruntime’s all-NaN logits in float and dynamic int8 on the %s backend', async (backend) => {
    const float = await loadModel(join(mnistDir, 'model.onnx'));
    const { model: int8 } = await quantize(float);
    for (const pixel of ['NaN', 'Infinity', '-Infinity']) {
      const d = Float32Array.from(base.data as Float32Array);
      d[14 * 28 + 14] = Number(pixel);
      const x = Tensor.from('float32', base.shape, d);
      const expected = dec(logits.cases[pixel]!);
      for (const [what, model] of [['float', float], ['int8', int8]] as const) {
        const y = Object.values(await run(model, { [model.graph.inputs[0]!.name]: x }, { backend }))[0]!;
        expectLike(y.data as Float32Array, expected, `${what} ${pixel}`);
      }
    }
  });
});
