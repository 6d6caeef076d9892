// GPTQ rounding through quantizeDynamic: the Gram matrices layerGrams collects (checked against convolutions and
// products run by @qint/graph's float kernels: vᵀGv = Σ (layer output with weight row v)²), and mnist-8 quantized at
// 3 and 4 bits with calibration on MNIST *training* digits, evaluated on held-out *test* digits.
import { createSession, type Model } from '@qint/graph';
import { loadModel } from '@qint/onnx';
import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { isLayerGrams, layerGrams, quantizeDynamic, QuantizeError } from '../src';
import { image, loadMnist, loadMnistTest } from './__fixtures__/mnist';
import { makeModel, op, randomData } from './__fixtures__/models';

const ints = (value: number[]) => ({ type: 'ints' as const, value });

/** Σ over the layer's outputs of y², for the layer with one output channel per group whose weights are `v`. */
function sumOfSquares(model: Model, feeds: Record<string, Tensor>): number[] {
  const y = Object.values(createSession(model, { fuse: false }).run(feeds))[0];
  const [nb, ch] = y.shape;
  const per = y.size / (nb * ch);
  const out = new Array<number>(ch).fill(0);
  const d = y.data as Float32Array;
  for (let b = 0; b < nb; b++) for (let c = 0; c < ch; c++) for (let i = 0; i < per; i++) out[c] += d[(b * ch + c) * per + i] ** 2;
  return out;
}

describe('layerGrams', () => {
  it.each([
    ['pads, strides 2, dilation 2, 2 groups', { pads: ints([1, 2, 0, 1]), strides: ints([2, 1]), dilations: ints([2, 1]), group: { type: 'int' as const, value: 2 } }, 4, 2],
    ['auto_pad SAME_UPPER, stride 2', { auto_pad: { type: 'string' as const, value: 'SAME_UPPER' }, strides: ints([2, 2]) }, 3, 1],
    ['auto_pad SAME_LOWER, depthwise (3 groups)', { auto_pad: { type: 'string' as const, value: 'SAME_LOWER' }, group: { type: 'int' as const, value: 3 } }, 3, 3],
  ])('Conv %s: vᵀ G_g v equals the sum of squares of the conv output with weight v', (_name, attributes, channels, groups) => {
    const cg = channels / groups;
    const w = Tensor.from('float32', [2 * groups, cg, 3, 2], randomData(2 * groups * cg * 6, 5));
    const model = makeModel([op('Conv', ['x', 'W'], ['y'], attributes, 'conv')], { W: w }, [{ name: 'x', shape: [2, channels, 7, 6] }], ['y']);
    const batches = [0, 1].map((s) => ({ x: Tensor.from('float32', [2, channels, 7, 6], randomData(2 * channels * 42, 10 + s)) }));
    const g = layerGrams(model, batches).layers.get('conv')!;
    const k = cg * 6;
    expect([g.k, g.groups]).toEqual([k, groups]);
    // One output channel per group with weights v_g: its sum of squares is v_gᵀ G_g v_g.
    const v = randomData(groups * k, 99);
    const probe = makeModel([op('Conv', ['x', 'V'], ['y'], attributes, 'conv')], { V: Tensor.from('float32', [groups, cg, 3, 2], v) }, [{ name: 'x', shape: [2, channels, 7, 6] }], ['y']);
    const expected = new Array<number>(groups).fill(0);
    for (const feeds of batches) sumOfSquares(probe, feeds).forEach((s, c) => (expected[c] += s));
    for (let part = 0; part < groups; part++) {
      let quad = 0;
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) quad += v[part * k + i] * g.gram[part * k * k + i * k + j] * v[part * k + j];
      // float32 convolution against float64 accumulation: rtol 1e-5.
      expect(quad).toBeCloseTo(expected[part], Math.max(0, 5 - Math.ceil(Math.log10(expected[part]))));
    }
  });

  it('MatMul: rows of the input flattened to K; a 3-D input gives the same matrix as its 2-D reshape', () => {
    const W = Tensor.from('float32', [4, 3], randomData(12, 1));
    const x = randomData(2 * 5 * 4, 2);
    const m3 = makeModel([op('MatMul', ['x', 'W'], ['y'], {}, 'mm')], { W }, [{ name: 'x', shape: [2, 5, 4] }], ['y']);
    const g = layerGrams(m3, [{ x: Tensor.from('float32', [2, 5, 4], x) }]).layers.get('mm')!;
    expect(g.rows).toBe(10);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        let e = 0;
        for (let r = 0; r < 10; r++) e += x[r * 4 + i] * x[r * 4 + j];
        expect(g.gram[i * 4 + j]).toBeCloseTo(e, 10);
      }
    }
  });

  it('MatMuls reading one input (Q/K/V-style) share one matrix, accumulated once; another input gets its own', () => {
    const W = (seed: number) => Tensor.from('float32', [4, 3], randomData(12, seed));
    const model = makeModel(
      [op('MatMul', ['x', 'Wq'], ['q'], {}, 'q'), op('MatMul', ['x', 'Wk'], ['k'], {}, 'k'), op('MatMul', ['x2', 'Wv'], ['v'], {}, 'v')],
      { Wq: W(1), Wk: W(2), Wv: W(3) },
      [{ name: 'x', shape: [5, 4] }, { name: 'x2', shape: [5, 4] }],
      ['q', 'k', 'v'],
    );
    const x = randomData(20, 4);
    const x2 = randomData(20, 5);
    const g = layerGrams(model, [{ x: Tensor.from('float32', [5, 4], x), x2: Tensor.from('float32', [5, 4], x2) }]).layers;
    expect(g.get('q')!.gram).toBe(g.get('k')!.gram);
    expect(g.get('v')!.gram).not.toBe(g.get('q')!.gram);
    for (const [name, data] of [['q', x], ['k', x], ['v', x2]] as const) {
      expect(g.get(name)!.rows).toBe(5);
      for (let i = 0; i < 4; i++) {
        for (let j = 0; j < 4; j++) {
          let e = 0;
          for (let r = 0; r < 5; r++) e += data[r * 4 + i] * data[r * 4 + j];
          expect(g.get(name)!.gram[i * 4 + j]).toBeCloseTo(e, 10);
        }
      }
    }
  });

  it('isLayerGrams tells layerGrams output from feeds', () => {
    const model = makeModel([op('MatMul', ['x', 'W'], ['y'], {}, 'mm')], { W: Tensor.from('float32', [4, 3], randomData(12, 1)) }, [{ name: 'x', shape: [1, 4] }], ['y']);
    const feeds = [{ x: Tensor.from('float32', [1, 4], randomData(4, 3)) }];
    expect(isLayerGrams(layerGrams(model, feeds))).toBe(true);
    expect([feeds, [], undefined].map((c) => isLayerGrams(c))).toEqual([false, false, false]);
  });

  it('refuses no batches and nodes that are not layers', () => {
    const model = makeModel([op('MatMul', ['x', 'W'], ['y'], {}, 'mm')], { W: Tensor.from('float32', [4, 3], randomData(12, 1)) }, [{ name: 'x', shape: [1, 4] }], ['y']);
    expect(() => layerGrams(model, [])).toThrow(/"batches" is empty/);
    expect(() => layerGrams(model, [{ x: Tensor.from('float32', [1, 4], randomData(4, 3)) }], { nodes: ['nope'] })).toThrow(/"nodes" names "nope", which is not in the graph/);
  });
});

describe('quantizeDynamic rounding: gptq on mnist-8 (calibration: 128 training digits; evaluation: 200 test digits)', () => {
  const MNIST8 = new URL('../../onnx/test/__fixtures__/models/mnist-8/model.onnx', import.meta.url).pathname;
  const float = loadModel(MNIST8);
  const train = loadMnist('train');
  const test = loadMnistTest();
  const feeds = (set: typeof train, i: number) => ({ Input3: Tensor.from('float32', [1, 1, 28, 28], image(set, i)) });
  const calibration = Array.from({ length: 128 }, (_, i) => feeds(train, i));
  const grams = layerGrams(float, calibration);
  const reference = createSession(float);
  const held = Array.from({ length: 200 }, (_, i) => feeds(test, i));
  const refOut = held.map((f) => Object.values(reference.run(f))[0].data as Float32Array);
  const mse = (model: Model): number => {
    const s = createSession(model);
    let sum = 0;
    let count = 0;
    held.forEach((f, i) => {
      const y = Object.values(s.run(f))[0].data as Float32Array;
      for (let j = 0; j < y.length; j++) sum += (y[j] - refOut[i][j]) ** 2;
      count += y.length;
    });
    return sum / count;
  };

  it.each([3, 4] as const)('%i-bit per channel: GPTQ gives a lower output MSE vs float than nearest rounding, with the same scales', (bits) => {
    const near = quantizeDynamic(float, { bits });
    const gptq = quantizeDynamic(float, { bits, rounding: 'gptq', calibration: grams });
    expect(gptq.report.quantized.map((q) => q.rounding)).toEqual(['gptq', 'gptq', 'gptq']);
    expect(near.report.quantized.map((q) => q.rounding)).toEqual(['nearest', 'nearest', 'nearest']);
    expect(gptq.report.weightBytesAfter).toBe(near.report.weightBytesAfter);
    for (const [name, t] of near.model.graph.initializers) if (name.endsWith('_W_scale')) expect(gptq.model.graph.initializers.get(name)!.data).toEqual(t.data);
    const [en, eg] = [mse(near.model), mse(gptq.model)];
    expect(eg).toBeLessThan(en);
  });

  it('per-node override; feeds and precomputed layerGrams give the same model', () => {
    const conv = float.graph.nodes.find((n) => n.opType === 'Conv')!.name;
    const a = quantizeDynamic(float, { bits: 4, overrides: { [conv]: { rounding: 'gptq' } }, calibration: calibration.slice(0, 8) });
    expect(a.report.quantized.map((q) => q.rounding)).toEqual(['gptq', 'nearest', 'nearest']);
    const b = quantizeDynamic(float, { bits: 4, overrides: { [conv]: { rounding: 'gptq' } }, calibration: layerGrams(float, calibration.slice(0, 8)) });
    for (const [name, t] of a.model.graph.initializers) expect(b.model.graph.initializers.get(name)!.data).toEqual(t.data);
  });

  it("rounding 'gptq' without calibration is a QuantizeError naming the option", () => {
    expect(() => quantizeDynamic(float, { bits: 4, rounding: 'gptq' })).toThrow(QuantizeError);
    expect(() => quantizeDynamic(float, { bits: 4, rounding: 'gptq' })).toThrow(/rounding 'gptq' .* needs "calibration"/);
    expect(() => quantizeDynamic(float, { bits: 4, rounding: 'gpt' as 'gptq' })).toThrow(/"rounding" must be 'nearest' or 'gptq'/);
  });
});
