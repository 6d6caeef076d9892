// Exported quantized models run by onnxruntime-node (the oracle) and by qint's own executor.
import { createSession, type Model } from '@qint/graph';
import { encodeModel, decodeModel, loadModel } from '@qint/onnx';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '@qint/tensor';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { QuantizeError, quantizeDynamic, saturationHazards, toOnnxModel } from '../src';
import { image, loadMnistTest } from './__fixtures__/mnist';
import { linearModel, randomData } from './__fixtures__/models';

const TORCH = new URL('../../onnx/test/__fixtures__/torch/', import.meta.url).pathname;
const MNIST8 = new URL('../../onnx/test/__fixtures__/models/mnist-8/model.onnx', import.meta.url).pathname;

async function runOrt(model: Model, feeds: Record<string, Tensor>): Promise<Float32Array> {
  // onnxruntime is an oracle only where its integer kernels are exact on every CPU (no u8 × s8 pair can leave int16).
  expect(saturationHazards(model)).toEqual([]);
  const session = await ort.InferenceSession.create(encodeModel(model), { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor('float32', v.data as Float32Array, v.shape);
  const out = await session.run(ortFeeds);
  return out[session.outputNames[0]].data as Float32Array;
}

function runQint(model: Model, feeds: Record<string, Tensor>): Float32Array {
  const out = createSession(model).run(feeds);
  return Object.values(out)[0].data as Float32Array;
}

describe('mnist-8 int8 per-channel, standard ONNX ops', () => {
  const float = loadModel(MNIST8);
  const { model: q } = quantizeDynamic(float);
  const onnx = toOnnxModel(q);
  const set = loadMnistTest();
  const inputName = float.graph.inputs[0].name;

  it('uses only ai.onnx ops', () => {
    expect(new Set(onnx.graph.nodes.map((n) => n.domain))).toEqual(new Set(['']));
    expect(onnx.graph.nodes.map((n) => n.opType)).toContain('ConvInteger');
    expect(onnx.graph.nodes.map((n) => n.opType)).toContain('MatMulInteger');
  });

  it('the default export stores uint8 weights: onnxruntime computes it exactly on every CPU', () => {
    expect(saturationHazards(onnx)).toEqual([]);
    const s8 = toOnnxModel(q, { matMulWeightType: 'int8', convWeightType: 'int8' });
    // The full-range form multiplies u8 × s8 with |w| up to 127 in all three layers.
    expect(saturationHazards(s8).map((h) => h.opType)).toEqual(['ConvInteger', 'ConvInteger', 'MatMulInteger']);
  });

  it('onnxruntime gives the same logits as qint on 20 test images', async () => {
    const session = await ort.InferenceSession.create(encodeModel(onnx), { intraOpNumThreads: 1 });
    let maxDiff = 0;
    for (let i = 0; i < 20; i++) {
      const x = Tensor.from('float32', [1, 1, 28, 28], image(set, i));
      const mine = runQint(q, { [inputName]: x });
      const theirs = (await session.run({ [inputName]: new ort.Tensor('float32', x.data as Float32Array, x.shape) }))[session.outputNames[0]].data as Float32Array;
      for (let j = 0; j < 10; j++) maxDiff = Math.max(maxDiff, Math.abs(mine[j] - theirs[j]) / Math.max(1, Math.abs(theirs[j])));
    }
    // Same integer pattern and float order: agreement to float32 rounding of the float ops in between.
    expect(maxDiff).toBeLessThan(1e-4);
  });

  it('the exported file, decoded again, runs on the qint executor with the same logits', () => {
    const back = decodeModel(encodeModel(onnx));
    for (let i = 0; i < 5; i++) {
      const x = Tensor.from('float32', [1, 1, 28, 28], image(set, i));
      const a = runQint(q, { [inputName]: x });
      const b = runQint(back, { [inputName]: x });
      for (let j = 0; j < 10; j++) expect(b[j]).toBeCloseTo(a[j], 4);
    }
  });
});

describe('linear layers exported to onnxruntime', () => {
  const k = 96;
  const n = 24;
  const float = linearModel(k, n, 7);
  const x = Tensor.from('float32', [4, k], randomData(4 * k, 11));
  const feeds = { x };

  /** Bound of the activation-quantization error: half a step of x times Σ|w| per output. */
  function stepBound(): number {
    const xs = x.data as Float32Array;
    let lo = 0;
    let hi = 0;
    for (const v of xs) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    const w = float.graph.initializers.get('W')!.data as Float32Array;
    let worst = 0;
    for (let c = 0; c < n; c++) {
      let s = 0;
      for (let r = 0; r < k; r++) s += Math.abs(w[r * n + c]);
      worst = Math.max(worst, s);
    }
    return ((hi - lo) / 255) * worst;
  }

  for (const [bits, blockSize] of [
    [4, 32],
    [4, 0],
    [2, 16],
  ] as const) {
    it(`${bits}-bit ${blockSize ? `block ${blockSize}` : 'per channel'} as MatMulNBits: ORT within one activation step of qint`, async () => {
      const { model: q } = quantizeDynamic(float, { bits, granularity: blockSize ? 'per_block' : 'per_channel', ...(blockSize ? { blockSize } : {}) });
      const onnx = toOnnxModel(q, { flavour: 'matmulnbits' });
      expect(onnx.graph.nodes.some((nd) => nd.opType === 'MatMulNBits')).toBe(true);
      const mine = runQint(q, feeds);
      const theirs = await runOrt(onnx, feeds);
      const bound = stepBound();
      for (let i = 0; i < mine.length; i++) expect(Math.abs(mine[i] - theirs[i])).toBeLessThanOrEqual(bound);
      // qint's executor runs the MatMulNBits graph too; it matches onnxruntime's float-activation product.
      const imported = runQint(decodeModel(encodeModel(onnx)), feeds);
      for (let i = 0; i < mine.length; i++) expect(imported[i]).toBeCloseTo(theirs[i], 4);
    });
  }

  it('8-bit affine uint8-stored weights: standard pattern equals qint to float rounding', async () => {
    const { model: q } = quantizeDynamic(float, { symmetric: false, weightType: 'uint8' });
    const onnx = toOnnxModel(q, { matMulWeightType: 'uint8' });
    const mine = runQint(q, feeds);
    const theirs = await runOrt(onnx, feeds);
    for (let i = 0; i < mine.length; i++) expect(mine[i]).toBeCloseTo(theirs[i], 5);
  });

  it('imports onnxruntime\'s own optimized graph (com.microsoft DynamicQuantizeMatMul) and runs it like qint', async () => {
    const { model: q } = quantizeDynamic(float);
    const dir = mkdtempSync(join(tmpdir(), 'qint-dynamic-'));
    try {
      const file = join(dir, 'optimized.onnx');
      await ort.InferenceSession.create(encodeModel(toOnnxModel(q)), { optimizedModelFilePath: file, graphOptimizationLevel: 'extended' });
      const optimized = decodeModel(readFileSync(file));
      expect(optimized.graph.nodes.map((nd) => `${nd.domain}::${nd.opType}`)).toEqual(['com.microsoft::DynamicQuantizeMatMul']);
      const mine = runQint(q, feeds);
      const imported = runQint(optimized, feeds);
      for (let i = 0; i < mine.length; i++) expect(imported[i]).toBeCloseTo(mine[i], 5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const [label, options, shape] of [
    ['int8 symmetric, 2-D input', {}, [4, k]],
    ['uint8 affine, 3-D input', { weightType: 'uint8', symmetric: false }, [2, 2, k]],
  ] as const) {
    it(`per-row activations (${label}) in standard ops: onnxruntime and the qint executor match qint`, async () => {
      const source = { ...float, graph: { ...float.graph, inputs: [{ name: 'x', dtype: 'float32' as const, shape: shape.map((d, i) => (i === shape.length - 1 ? d : `d${i}`)) }] } };
      const { model: q } = quantizeDynamic(source, { ...options, perRow: true });
      const onnx = toOnnxModel(q);
      expect(onnx.graph.nodes.every((nd) => nd.domain === '')).toBe(true);
      // One row far larger than the others, so per-row and per-tensor quantization really differ; one all-zero row.
      const data = randomData(4 * k, 21);
      for (let i = 0; i < k; i++) data[k + i] *= 50;
      data.fill(0, 2 * k, 3 * k);
      const feed = { x: Tensor.from('float32', [...shape], data) };
      const mine = runQint(q, feed);
      const theirs = await runOrt(onnx, feed);
      const imported = runQint(decodeModel(encodeModel(onnx)), feed);
      for (let i = 0; i < mine.length; i++) {
        expect(theirs[i]).toBeCloseTo(mine[i], 4);
        expect(imported[i]).toBeCloseTo(mine[i], 4);
      }
    });
  }

  it('3-bit and per-block-standard layers are refused with a reason', () => {
    expect(() => toOnnxModel(quantizeDynamic(float, { bits: 3 }).model)).toThrow(/3-bit weights have no onnxruntime form/);
    expect(() => toOnnxModel(quantizeDynamic(float, { bits: 4, granularity: 'per_block' }).model)).toThrow(QuantizeError);
  });
});

describe('PyTorch-exported models, int8 standard export', () => {
  const set = loadMnistTest();
  for (const [name, shape, options] of [
    ['transformer', [2, 28, 28], {}],
    ['cnn-bn', [2, 1, 28, 28], { symmetric: false, granularity: 'per_tensor' }],
    ['cnn-bn', [2, 1, 28, 28], { symmetric: false }],
    ['mlp', [2, 784], { weightType: 'uint8', symmetric: false }],
  ] as const) {
    it(`${name} ${JSON.stringify(options)}: onnxruntime matches qint`, async () => {
      const { model: q } = quantizeDynamic(loadModel(`${TORCH}${name}/model.onnx`), options);
      const onnx = toOnnxModel(q);
      const x = Tensor.from('float32', [...shape], [...image(set, 7, 1 / 255), ...image(set, 8, 1 / 255)]);
      const mine = runQint(q, { input: x });
      const theirs = await runOrt(onnx, { input: x });
      let worst = 0;
      for (let i = 0; i < mine.length; i++) worst = Math.max(worst, Math.abs(mine[i] - theirs[i]) / Math.max(1, Math.abs(theirs[i])));
      // Same integer kernels and float order; the float ops in between (LayerNorm, Softmax, Erf) agree to ~1e-6.
      expect(worst).toBeLessThan(1e-3);
      // And qint's executor runs the exported graph (standard ops only) like its own ai.qint graph.
      const imported = runQint(decodeModel(encodeModel(onnx)), { input: x });
      for (let i = 0; i < mine.length; i++) expect(Math.abs(imported[i] - mine[i])).toBeLessThan(1e-3 * Math.max(1, Math.abs(mine[i])));
    });
  }
});
