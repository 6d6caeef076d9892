// Importing dynamically quantized ONNX graphs into qint's fused ai.qint form.
import { createSession, QINT_DOMAIN, type Model } from '@qint/graph';
import { decodeModel, encodeModel, loadModel } from '@qint/onnx';
import { Tensor } from '@qint/tensor';
import * as ort from 'onnxruntime-node';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromOnnxModel, QuantizeError, quantizeDynamic, toOnnxModel } from '../src';
import { image, loadMnistTest } from './__fixtures__/mnist';
import { linearModel, randomData } from './__fixtures__/models';

const fixtures = new URL('../../onnx/test/__fixtures__/', import.meta.url).pathname;
const run = (m: Model, feeds: Record<string, Tensor>): Float32Array => Object.values(createSession(m).run(feeds))[0].data as Float32Array;

describe('fromOnnxModel', () => {
  it('turns the exported standard pattern of mnist-8 back into DynamicConv/DynamicLinear with identical outputs', () => {
    const { model: q } = quantizeDynamic(loadModel(`${fixtures}models/mnist-8/model.onnx`));
    const onnx = decodeModel(encodeModel(toOnnxModel(q)));
    const { model: back, report } = fromOnnxModel(onnx);
    expect(report.rewritten.map(([op]) => op)).toEqual(['ConvInteger', 'ConvInteger', 'MatMulInteger']);
    expect(back.graph.nodes.filter((n) => n.domain === QINT_DOMAIN).map((n) => n.opType)).toEqual(['DynamicConv', 'DynamicConv', 'DynamicLinear']);
    expect(back.graph.nodes.some((n) => ['DynamicQuantizeLinear', 'MatMulInteger', 'ConvInteger', 'Cast'].includes(n.opType))).toBe(false);
    const set = loadMnistTest();
    for (let i = 0; i < 3; i++) {
      const feeds = { Input3: Tensor.from('float32', [1, 1, 28, 28], image(set, i)) };
      expect(Array.from(run(back, feeds))).toEqual(Array.from(run(q, feeds)));
    }
  });

  it('imports onnxruntime-optimized DynamicQuantizeMatMul (uint8 affine weights) exactly', async () => {
    const float = linearModel(64, 24, 3);
    const { model: q } = quantizeDynamic(float, { weightType: 'uint8', symmetric: false });
    const dir = mkdtempSync(join(tmpdir(), 'qint-from-onnx-'));
    try {
      const file = join(dir, 'optimized.onnx');
      await ort.InferenceSession.create(encodeModel(toOnnxModel(q, { matMulWeightType: 'uint8' })), { optimizedModelFilePath: file, graphOptimizationLevel: 'extended' });
      const { model: back, report } = fromOnnxModel(decodeModel(readFileSync(file)));
      expect(report.rewritten.map(([op]) => op)).toEqual(['DynamicQuantizeMatMul']);
      const feeds = { x: Tensor.from('float32', [5, 64], randomData(320, 4)) };
      expect(Array.from(run(back, feeds))).toEqual(Array.from(run(q, feeds)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('optionally turns MatMulNBits into 4-bit DynamicLinear with the same weights', () => {
    const float = linearModel(128, 16, 5);
    for (const symmetric of [true, false]) {
      const { model: q } = quantizeDynamic(float, { bits: 4, granularity: 'per_block', blockSize: 32, symmetric });
      const nbits = decodeModel(encodeModel(toOnnxModel(q, { flavour: 'matmulnbits' })));
      expect(() => fromOnnxModel(nbits)).toThrow(QuantizeError);
      const { model: back } = fromOnnxModel(nbits, { matMulNBits: true });
      const w = [...back.graph.initializers.values()].find((t) => t.dtype === 'int4')!;
      expect(w.size).toBe(128 * 16);
      const feeds = { x: Tensor.from('float32', [3, 128], randomData(384, 8)) };
      expect(Array.from(run(back, feeds))).toEqual(Array.from(run(q, feeds)));
    }
  });
});
