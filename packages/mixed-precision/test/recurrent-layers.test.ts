// Mixed precision treats recurrent layers (each LSTM / GRU node, W and R of every direction) as layers: measured,
// allocated and applied like MatMuls. Model: the PyTorch-exported bidirectional 2-layer LSTM of @qint/dynamic's fixtures.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { createSession } from '@qint/graph';
import { loadModel } from '@qint/onnx';
import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { allocate, applyPlan, measureSensitivity } from '../src/index';

const DIR = join(__dirname, '..', '..', 'dynamic', 'test', '__fixtures__', 'recurrent');
const model = loadModel(join(DIR, 'lstm_bidirectional_2layer.onnx'));
const anchor = JSON.parse(readFileSync(join(DIR, 'recurrent-anchor.json'), 'utf8')) as { cases: { x_shape: number[]; x: number[]; y_float: number[] }[] };
const c = anchor.cases[0];
const x = Tensor.from('float32', c.x_shape, c.x);

describe('recurrent layers in mixed precision', () => {
  const lstms = model.graph.nodes.filter((n) => n.opType === 'LSTM');

  it('measures each LSTM as one layer: W and R of both directions, damage growing as bits fall', () => {
    const { table } = measureSensitivity(model, { calibration: [{ x }], metric: 'mse' });
    expect(table.layers.map((l) => l.name).sort()).toEqual(lstms.map((n) => n.name).sort());
    // Layer 1: 2 directions × (80 × 10 + 80 × 20); layer 2: 2 × (80 × 40 + 80 × 20).
    expect(table.layers.map((l) => l.weightCount).sort((a, b) => a - b)).toEqual([4800, 9600]);
    for (const layer of table.layers) {
      const damage = (id: string) => layer.candidates.find((k) => k.id === id)?.damage;
      expect(damage('int8-per-channel')).toBeGreaterThan(0);
      expect(damage('int4-per-channel')!).toBeGreaterThan(damage('int8-per-channel')!);
    }
  });

  it('data-free: the damage is the weights’ own quantization error, summed over the matrices', () => {
    const { table } = measureSensitivity(model, { metric: 'mse' });
    for (const layer of table.layers) {
      const e8 = layer.candidates.find((k) => k.id === 'int8-per-channel')!.damage;
      const e2 = layer.candidates.find((k) => k.id === 'int2-per-channel')?.damage ?? layer.candidates.find((k) => k.id.startsWith('int2'))!.damage;
      expect(e8).toBeGreaterThan(0);
      expect(e2).toBeGreaterThan(10 * e8);
    }
  });

  it('a plan under half the int8 bytes applies, runs, and gives the layers their planned bits', () => {
    const { table } = measureSensitivity(model, { calibration: [{ x }], metric: 'mse' });
    const plan = allocate(table, '0.5x');
    const { model: q, report } = applyPlan(model, plan, table);
    const bits = Object.fromEntries(report.quantized.map((r) => [r.node, r.bits]));
    for (const [name, id] of Object.entries(plan.layers)) {
      const candidate = table.layers.find((l) => l.name === name)!.candidates.find((k) => k.id === id)!;
      if (candidate.granularity !== 'float') expect(bits[name]).toBe(candidate.bits);
    }
    const y = createSession(q).run({ x }).y.data as Float32Array;
    let s = 0;
    for (let i = 0; i < y.length; i++) s += (y[i] - c.y_float[i]) ** 2;
    expect(Math.sqrt(s / y.length)).toBeLessThan(0.05);
  });
});
