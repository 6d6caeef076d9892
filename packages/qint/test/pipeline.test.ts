import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectQint } from '@qint/format';
import { InferenceSession } from '@qint/graph';
import { loadTensorPb } from '@qint/onnx';
import { Tensor } from '@qint/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { benchmarkModel, evaluate, loadModel, readIdx, saveModel, writeNpy } from '../src/index';
import { cli } from './cli-helpers';
import { loadMnistTest } from './mnist';

const mnistDir = join(__dirname, '__fixtures__', 'mnist-8');
const mnistPath = join(mnistDir, 'model.onnx');
const scratch = mkdtempSync(join(tmpdir(), 'qint-pipeline-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('MNIST data', () => {
  it('reads the real t10k IDX files', () => {
    const { images, labels } = loadMnistTest();
    expect(images.shape).toEqual([10000, 28, 28]);
    expect(labels.shape).toEqual([10000]);
    // The first test digits of MNIST are 7, 2, 1, 0, 4.
    expect(labels.toArray().slice(0, 5)).toEqual([7, 2, 1, 0, 4]);
  });

  it('refuses malformed IDX data', () => {
    expect(() => readIdx(new Uint8Array([1, 2, 3, 4]))).toThrow(/bad magic/);
    expect(() => readIdx(new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]))).toThrow(/not supported/);
    expect(() => readIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 7]))).toThrow(/need 2 data bytes, the file has 1/);
  });
});

describe('evaluate', () => {
  it('gives mnist-8 its published 98.91% on the full MNIST test set (WASM backend)', async () => {
    const { images, labels } = loadMnistTest();
    const model = await loadModel(mnistPath);
    const result = await evaluate(model, images, labels, { backend: 'wasm' });
    // onnxruntime's fp32 result on the same 10,000 images (the model's README): 98.91%.
    expect(result.correct).toBe(9891);
    expect(result.accuracy).toBeCloseTo(0.9891, 10);
  });

  it('agrees on the JS backend for the first 1,000 images (98.70%, as onnxruntime)', async () => {
    const { images, labels } = loadMnistTest();
    const model = await loadModel(mnistPath);
    const result = await evaluate(model, images.slice([0], [1000]), labels.slice([0], [1000]), { backend: 'js' });
    expect(result.correct).toBe(987);
  });

  it('refuses mismatched data with a clear error', async () => {
    const model = await loadModel(mnistPath);
    await expect(evaluate(model, Tensor.zeros('float32', [2, 27, 28]), Tensor.zeros('int64', [2]))).rejects.toThrow(/784|wants \[1, 1, 28, 28\]/);
    await expect(evaluate(model, Tensor.zeros('float32', [2, 28, 28]), Tensor.zeros('int64', [3]))).rejects.toThrow(/3 labels for 2 input samples/);
  });
});

describe('save and load', () => {
  it('round-trips mnist-8 through a .qint file with bit-identical outputs', async () => {
    const onnx = await loadModel(mnistPath);
    const file = join(scratch, 'mnist.qint');
    const bytes = await saveModel(onnx, file);
    expect(bytes).toBe(readFileSync(file).length);
    const qint = await loadModel(file);
    const input = loadTensorPb(join(mnistDir, 'test_data_set_1', 'input_0.pb')).tensor;
    const a = InferenceSession.create(onnx).run({ Input3: input });
    const b = InferenceSession.create(qint).run({ Input3: input });
    expect(Array.from(b.Plus214_Output_0.data as Float32Array)).toEqual(Array.from(a.Plus214_Output_0.data as Float32Array));
    const onnxAgain = join(scratch, 'mnist.onnx');
    await saveModel(qint, onnxAgain);
    const c = InferenceSession.create(await loadModel(onnxAgain)).run({ Input3: input });
    expect(Array.from(c.Plus214_Output_0.data as Float32Array)).toEqual(Array.from(a.Plus214_Output_0.data as Float32Array));
  });

  it('inspects .qint files like ONNX files', async () => {
    const file = join(scratch, 'inspect.qint');
    await saveModel(await loadModel(mnistPath), file);
    const { code, out } = await cli('inspect', file, '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ nodeCount: 12, parameters: 5994 });
  });

  it('refuses a corrupt .qint file with a FormatError naming the tensor', async () => {
    const file = join(scratch, 'corrupt.qint');
    await saveModel(await loadModel(mnistPath), file);
    const bytes = readFileSync(file);
    const info = await inspectQint(new Uint8Array(bytes));
    const largest = info.tensors.reduce((a, b) => (b.byteLength > a.byteLength ? b : a));
    bytes[largest.byteOffset + 100] ^= 0xff;
    writeFileSync(file, bytes);
    const { code, err } = await cli('inspect', file);
    expect(code).toBe(3);
    expect(err.split('\n').filter(Boolean)).toHaveLength(1);
    expect(err).toMatch(/^qint: .*checksum/i);
    expect(err).toContain(largest.name);
  });
});

describe('qint eval and qint bench', () => {
  it('evaluates from .npy files and reports JSON', async () => {
    const { images, labels } = loadMnistTest();
    const x = join(scratch, 'x.npy');
    const y = join(scratch, 'y.npy');
    writeFileSync(x, writeNpy(images.slice([0], [500])));
    writeFileSync(y, writeNpy(labels.slice([0], [500])));
    const { code, out } = await cli('eval', mnistPath, '--inputs', x, '--labels', y, '--json');
    expect(code).toBe(0);
    const result = JSON.parse(out);
    expect(result.total).toBe(500);
    expect(result.accuracy).toBeGreaterThan(0.97);
    const missing = await cli('eval', mnistPath, '--inputs', join(scratch, 'none.npy'), '--labels', y);
    expect(missing.err.trim()).toMatch(/^qint: --inputs .*none\.npy: no such file$/);
  });

  it('benchmarks on random inputs of the declared shapes', async () => {
    const result = await benchmarkModel(await loadModel(mnistPath), { backend: 'js', iterations: 3, warmup: 1 });
    expect(result.inputShapes).toEqual({ Input3: [1, 1, 28, 28] });
    expect(result.iterations).toBe(3);
    expect(result.medianMs).toBeGreaterThan(0);
    expect(result.peakLiveBytes).toBeGreaterThan(28 * 28 * 4);
    const { code, out } = await cli('bench', mnistPath, '--iterations', '3', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ backend: 'wasm', batch: 1, iterations: 3 });
  });
});
