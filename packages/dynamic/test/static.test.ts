// Static (calibrated) quantization in QDQ form: accuracy on MNIST and agreement with onnxruntime.
import { createSession } from '@qint/graph';
import { encodeModel, loadModel } from '@qint/onnx';
import { Tensor } from '@qint/tensor';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { calibrate, QuantizeError, quantizeStatic } from '../src';
import { argmax, image, loadMnist } from './__fixtures__/mnist';

const MNIST8 = new URL('../../onnx/test/__fixtures__/models/mnist-8/model.onnx', import.meta.url).pathname;

describe('calibrate + quantizeStatic on mnist-8', () => {
  const float = loadModel(MNIST8);
  const train = loadMnist('train');
  const test = loadMnist('t10k');
  const feed = (set: typeof test, i: number) => ({ Input3: Tensor.from('float32', [1, 1, 28, 28], image(set, i)) });
  // Calibrate on 100 training images (never on the test images we score).
  const ranges = calibrate(float, Array.from({ length: 100 }, (_, i) => feed(train, i)));
  const { model: qdq, report } = quantizeStatic(float, ranges);

  it('emits QDQ around every layer with int8 weights', () => {
    expect(report.quantized.map((r) => r.node)).toEqual(['Convolution28', 'Convolution110', 'Times212']);
    const ops = qdq.graph.nodes.map((n) => n.opType);
    expect(ops.filter((o) => o === 'QuantizeLinear')).toHaveLength(3);
    expect(ops.filter((o) => o === 'DequantizeLinear')).toHaveLength(6);
    expect(report.weightBytesAfter / report.weightBytesBefore).toBeLessThan(0.3);
  });

  it('keeps accuracy within 0.6 points of float on 500 test images', () => {
    const sf = createSession(float);
    const sq = createSession(qdq);
    let cf = 0;
    let cq = 0;
    for (let i = 0; i < 500; i++) {
      const f = feed(test, i);
      if (argmax(sf.run(f).Plus214_Output_0.data as Float32Array) === test.labels[i]) cf++;
      if (argmax(sq.run(f).Plus214_Output_0.data as Float32Array) === test.labels[i]) cq++;
    }
    expect((cf - cq) / 500).toBeLessThanOrEqual(0.006);
  });

  it('onnxruntime runs the QDQ model with the same logits as qint', async () => {
    const session = await ort.InferenceSession.create(encodeModel(qdq), { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
    const sq = createSession(qdq);
    for (let i = 0; i < 10; i++) {
      const f = feed(test, i);
      const mine = sq.run(f).Plus214_Output_0.data as Float32Array;
      const theirs = (await session.run({ Input3: new ort.Tensor('float32', f.Input3.data as Float32Array, [1, 1, 28, 28]) })).Plus214_Output_0.data as Float32Array;
      for (let j = 0; j < 10; j++) expect(mine[j]).toBeCloseTo(theirs[j], 3);
    }
  });

  it('bad input: no batches, unknown exclude', () => {
    expect(() => calibrate(float, [])).toThrow(/"batches" is empty/);
    expect(() => quantizeStatic(float, ranges, { exclude: ['nope'] })).toThrow(QuantizeError);
  });
});
