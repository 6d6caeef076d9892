// Quantized weights stay small in files: the ai.qint model written as ONNX (int4/int2 tensors packed, 3-bit as a uint8
// stream) and read back runs with identical outputs.
import { createSession } from '@qint/graph';
import { decodeModel, encodeModel } from '@qint/onnx';
import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { quantizeDynamic } from '../src';
import { linearModel, randomData } from './__fixtures__/models';

describe('quantized models in ONNX files', () => {
  const k = 512;
  const n = 256;
  const float = linearModel(k, n, 5);
  const floatBytes = encodeModel(float).length;
  const x = Tensor.from('float32', [3, k], randomData(3 * k, 9));

  for (const bits of [8, 4, 3, 2] as const) {
    it(`${bits}-bit weights take about ${bits}/32 of the float file and round-trip exactly`, () => {
      const { model } = quantizeDynamic(float, { bits, granularity: 'per_block', blockSize: 64 });
      const bytes = encodeModel(model);
      // Weight payload k·n·bits/8 plus per-block scales (k/64·n floats) and the bias; float is k·n·4.
      const expected = (k * n * bits) / 8 + (k / 64) * n * 4 + n * 4;
      expect(bytes.length).toBeLessThan(expected + 2048);
      expect(bytes.length / floatBytes).toBeLessThan(bits / 32 + 0.04);
      const back = decodeModel(bytes);
      const a = createSession(model).run({ x }).y.data as Float32Array;
      const b = createSession(back).run({ x }).y.data as Float32Array;
      expect(Array.from(b)).toEqual(Array.from(a));
    });
  }
});
