// PyTorch-exported recurrent models (scripts/generate-recurrent-fixtures.py, torch 1.13): the float ONNX runs equal to
// torch, and qint's int8 dynamic quantization errs no more than 1.5× PyTorch's quantize_dynamic on the same inputs.
import { createSession, type Model } from '@qint/graph';
import { loadModel } from '@qint/onnx';
import { Tensor } from '@qint/tensor';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { quantizeDynamic } from '../src';
import { BACKENDS } from './__fixtures__/backends';

const DIR = new URL('./__fixtures__/recurrent/', import.meta.url).pathname;

interface AnchorCase {
  name: string;
  x_shape: number[];
  x: number[];
  y_shape: number[];
  y_float: number[];
  y_torch_int8: number[];
  torch_rms_error: number;
}
const anchor = JSON.parse(readFileSync(`${DIR}recurrent-anchor.json`, 'utf8')) as { engine: string; cases: AnchorCase[] };

function rms(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s / a.length);
}

async function run(model: Model, x: Tensor, backend: string): Promise<Float32Array> {
  const get = BACKENDS.find(([name]) => name === backend)![1];
  const b = await get();
  const session = createSession(model, typeof b === 'string' ? {} : { backend: b });
  return session.run({ x }).y.data as Float32Array;
}

describe(`PyTorch-exported recurrent models vs torch quantize_dynamic (${anchor.engine})`, () => {
  it('has the LSTM (bidirectional, 2 layers), GRU and RNN', () => expect(anchor.cases.map((c) => c.name)).toEqual(['lstm_bidirectional_2layer', 'gru', 'rnn']));

  for (const c of anchor.cases) {
    const float = loadModel(`${DIR}${c.name}.onnx`);
    const x = Tensor.from('float32', c.x_shape, c.x);
    const op = c.name.split('_')[0].toUpperCase();

    for (const [backend] of BACKENDS) {
      it(`${c.name}: the float model equals torch (${backend})`, async () => {
        const y = await run(float, x, backend);
        expect(Array.from(y).length).toBe(c.y_float.length);
        const worst = Math.max(...c.y_float.map((v, i) => Math.abs(y[i] - v) / (1e-6 + Math.abs(v))).filter((r, i) => Math.abs(c.y_float[i]) > 1e-3));
        expect(worst).toBeLessThan(1e-4);
      });
    }

    it(`${c.name}: int8 error ≤ 1.5× PyTorch's (${c.torch_rms_error.toExponential(2)}), same bits on js and wasm`, async () => {
      const { model: q, report } = quantizeDynamic(float);
      expect(report.quantized.filter((n) => n.opType === op).length).toBe(op === 'LSTM' ? 2 : 1);
      expect(report.quantized.every((n) => n.bits === 8)).toBe(true);
      const yJs = await run(q, x, 'js');
      const yWasm = await run(q, x, 'wasm');
      expect(Array.from(yWasm)).toEqual(Array.from(yJs));
      const err = rms(yJs, c.y_float);
      expect(err).toBeGreaterThan(0);
      expect(err).toBeLessThanOrEqual(1.5 * c.torch_rms_error);
    });
  }
});
