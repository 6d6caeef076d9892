// Quantized recurrent layers exported to ONNX and run by onnxruntime-node: an 8-bit LSTM as com.microsoft
// DynamicQuantizeLSTM, GRU and RNN as weight-only int8 (Cast → Sub → Mul → float op).
// onnxruntime's u8×s8 kernels sum pairs of products in int16 on CPUs without VNNI: the LSTM weights are quantized
// with reduceRange ([−64, 63]), so 255·64·2 < 2^15 and no pair can saturate on any CPU.
import { createSession, type Model } from '@qint/graph';
import { decodeModel, encodeModel, loadModel } from '@qint/onnx';
import { Tensor } from '@qint/tensor';
import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { QuantizeError, quantizeDynamic, toOnnxModel } from '../src';

const DIR = new URL('./__fixtures__/recurrent/', import.meta.url).pathname;
const anchor = JSON.parse(readFileSync(`${DIR}recurrent-anchor.json`, 'utf8')) as { cases: { name: string; x_shape: number[]; x: number[]; y_float: number[] }[] };

function rms(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s / a.length);
}

async function runOrt(model: Model, x: Tensor): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(encodeModel(model), { intraOpNumThreads: 1 });
  const out = await session.run({ x: new ort.Tensor('float32', x.data as Float32Array, x.shape) });
  return out.y.data as Float32Array;
}

const runQint = (model: Model, x: Tensor): Float32Array => createSession(model).run({ x }).y.data as Float32Array;

describe('recurrent layers exported for onnxruntime', () => {
  for (const c of anchor.cases) {
    const float = loadModel(`${DIR}${c.name}.onnx`);
    const x = Tensor.from('float32', c.x_shape, c.x);
    const isLstm = c.name.startsWith('lstm');

    it(`${c.name}: ${isLstm ? 'DynamicQuantizeLSTM' : 'weight-only int8'} runs in onnxruntime and matches qint`, async () => {
      const { model: q } = quantizeDynamic(float, isLstm ? { reduceRange: true } : {});
      const onnx = toOnnxModel(q);
      const ops = onnx.graph.nodes.map((n) => `${n.domain}::${n.opType}`);
      if (isLstm) expect(ops.filter((o) => o === 'com.microsoft::DynamicQuantizeLSTM')).toHaveLength(2);
      else expect(ops).toContain(`::${c.name.toUpperCase()}`);
      expect(onnx.graph.nodes.every((n) => n.domain !== 'ai.qint')).toBe(true);
      const mine = runQint(q, x);
      const theirs = await runOrt(onnx, x);
      const errMine = rms(mine, c.y_float);
      const errOrt = rms(theirs, c.y_float);
      if (isLstm) {
        // Both quantize activations at run time, with different groups (qint per row, onnxruntime per tensor): the
        // outputs differ by quantization noise of the same size, not more.
        expect(errOrt).toBeLessThan(2 * errMine);
        expect(rms(mine, theirs)).toBeLessThan(2 * errMine);
      } else {
        // Weight-only: onnxruntime runs float activations on the dequantized weights, so it has only the weight error.
        expect(errOrt).toBeLessThan(errMine);
        // And qint running the exported file runs the same float arithmetic.
        const back = runQint(decodeModel(encodeModel(onnx)), x);
        const worst = Math.max(...Array.from(back, (v, i) => Math.abs(v - theirs[i]) / (1e-6 + Math.abs(theirs[i]))).filter((_, i) => Math.abs(theirs[i]) > 1e-3));
        expect(worst).toBeLessThan(1e-4);
      }
    });
  }

  it('the exported DynamicQuantizeLSTM file runs on the qint executor like the ai.qint model', () => {
    const c = anchor.cases[0];
    const x = Tensor.from('float32', c.x_shape, c.x);
    const { model: q } = quantizeDynamic(loadModel(`${DIR}${c.name}.onnx`));
    const a = runQint(q, x);
    const b = runQint(decodeModel(encodeModel(toOnnxModel(q))), x);
    // The same int8 weights and the same kernels (qint runs com.microsoft DynamicQuantizeLSTM with its own per-row
    // activation quantization): bit for bit.
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('refuses per-block recurrent weights with a typed error', () => {
    const { model: q } = quantizeDynamic(loadModel(`${DIR}gru.onnx`), { bits: 4, granularity: 'per_block', blockSize: 8 });
    expect(() => toOnnxModel(q)).toThrow(QuantizeError);
    expect(() => toOnnxModel(q)).toThrow(/DynamicGRU .*per-block weights \(block 8\) have no onnxruntime form/);
  });
});
