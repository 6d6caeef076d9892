import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { InferenceSession } from './inference-session';
import { expectClose, node } from './__fixtures__/graph-builder';
import type { Graph } from './ir';

/** x → Add(bias) → Mul(x) → Softmax → LayerNorm → Div(2) → y: every intermediate dies at its single consumer. */
function chain(): Graph {
  return {
    name: 'inplace',
    nodes: [
      node('Add', ['x', 'bias'], ['a']),
      node('Mul', ['a', 'x'], ['m']),
      node('Softmax', ['m'], ['s'], { axis: { type: 'int', value: -1 } }),
      node('LayerNormalization', ['s', 'gamma', 'beta'], ['l'], { axis: { type: 'int', value: -1 } }),
      node('Div', ['l', 'two'], ['y']),
    ],
    initializers: new Map<string, Tensor>([
      ['bias', Tensor.from('float32', [4], [0.5, -1, 2, 0])],
      ['gamma', Tensor.from('float32', [4], [1, 2, 3, 4])],
      ['beta', Tensor.from('float32', [4], [0, 0.1, 0.2, 0.3])],
      ['two', Tensor.scalar('float32', 2)],
    ]),
    inputs: [{ name: 'x', dtype: 'float32', shape: [3, 4] }],
    outputs: [{ name: 'y' }],
    valueInfo: [],
  };
}

/** chain() computed plainly in float64: Div(LayerNorm(Softmax((x + bias) · x)), 2) per row of 4. */
function chainReference(x: Float32Array): number[] {
  const bias = [0.5, -1, 2, 0];
  const gamma = [1, 2, 3, 4];
  const beta = [0, 0.1, 0.2, 0.3];
  const out: number[] = [];
  for (let r = 0; r < x.length / 4; r++) {
    const m = [0, 1, 2, 3].map((j) => (x[4 * r + j] + bias[j]) * x[4 * r + j]);
    const e = m.map((v) => Math.exp(v - Math.max(...m)));
    const s = e.map((v) => v / e.reduce((a, b) => a + b, 0));
    const mean = s.reduce((a, b) => a + b, 0) / 4;
    const variance = s.reduce((a, v) => a + (v - mean) ** 2, 0) / 4;
    s.forEach((v, j) => out.push((((v - mean) / Math.sqrt(variance + 1e-5)) * gamma[j] + beta[j]) / 2));
  }
  return out;
}

describe('in-place elementwise on dying values', () => {
  it('gives the same results as a run that keeps every intermediate (no reuse possible), and leaves the feed alone', () => {
    const data = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i) * 2);
    const x = Tensor.from('float32', [3, 4], data.slice());
    const s = InferenceSession.create(chain());
    const y = s.run({ x }).y;
    const peakInPlace = s.lastRunStats.peakLiveBytes;
    const kept = s.run({ x }, { outputs: ['a', 'm', 's', 'l', 'y'] });
    expect(Array.from(y.data as Float32Array)).toEqual(Array.from(kept.y.data as Float32Array));
    expectClose(y.data as Float32Array, chainReference(data), 1e-5, 1e-5);
    expect(Array.from(x.data as Float32Array)).toEqual(Array.from(data));
    // Values were written over dying inputs: at most the feed and one intermediate are alive at once.
    expect(peakInPlace).toBeLessThanOrEqual(2 * 48);
    expect(s.lastRunStats.peakLiveBytes).toBeGreaterThan(2 * 48);
    // Repeated runs are stable (nothing shared across runs was overwritten).
    expect(Array.from(s.run({ x }).y.data as Float32Array)).toEqual(Array.from(y.data as Float32Array));
  });
});

describe('buffer recycling across runs', () => {
  it('never writes into an output the caller holds, a feed, or a kept intermediate; results stay exact run after run', () => {
    const s = InferenceSession.create(chain());
    const x1 = Tensor.from('float32', [3, 4], Float32Array.from({ length: 12 }, (_, i) => i * 0.25));
    const x2 = Tensor.from('float32', [3, 4], Float32Array.from({ length: 12 }, (_, i) => 3 - i * 0.5));
    const y1 = s.run({ x: x1 }).y;
    const copy1 = Array.from(y1.data as Float32Array);
    const kept = s.run({ x: x2 }, { outputs: ['m', 'y'] });
    const keptM = Array.from(kept.m.data as Float32Array);
    const y2 = s.run({ x: x2 }).y;
    s.run({ x: x1 });
    s.run({ x: x2 });
    // Outputs of earlier runs are untouched, and each run gives the same values as a fresh session.
    expect(Array.from(y1.data as Float32Array)).toEqual(copy1);
    expectClose(y1.data as Float32Array, chainReference(x1.data as Float32Array), 1e-5, 1e-5);
    expectClose(y2.data as Float32Array, chainReference(x2.data as Float32Array), 1e-5, 1e-5);
    expect(Array.from(kept.m.data as Float32Array)).toEqual(keptM);
    expect(Array.from(y2.data as Float32Array)).toEqual(Array.from(InferenceSession.create(chain()).run({ x: x2 }).y.data as Float32Array));
    expect(Array.from(kept.y.data as Float32Array)).toEqual(Array.from(y2.data as Float32Array));
    expect(Array.from(x1.data as Float32Array)).toEqual(Array.from({ length: 12 }, (_, i) => i * 0.25));
  });
});

describe('buffer recycling of dead intermediates', () => {
  it('reuses a dead Transpose output in the next run without touching earlier outputs', () => {
    const graph: Graph = {
      name: 'recycle',
      nodes: [
        node('Transpose', ['x'], ['a'], { perm: { type: 'ints', value: [1, 0] } }),
        node('Transpose', ['a'], ['b'], { perm: { type: 'ints', value: [1, 0] } }),
        node('Add', ['b', 'x'], ['y']),
      ],
      initializers: new Map(),
      inputs: [{ name: 'x', dtype: 'float32', shape: [3, 4] }],
      outputs: [{ name: 'y' }],
      valueInfo: [],
    };
    const s = InferenceSession.create(graph);
    const outs: Float32Array[] = [];
    for (let r = 0; r < 4; r++) {
      const x = Tensor.from('float32', [3, 4], Float32Array.from({ length: 12 }, (_, i) => i + 100 * r));
      outs.push(s.run({ x }).y.data as Float32Array);
    }
    outs.forEach((y, r) => expect(Array.from(y)).toEqual(Array.from({ length: 12 }, (_, i) => 2 * (i + 100 * r))));
  });
});
