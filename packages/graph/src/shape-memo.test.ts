import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { InferenceSession } from './inference-session';
import { node } from './__fixtures__/graph-builder';
import type { Graph } from './ir';

/** y = Reshape(x · 2, [Shape(x)[0], −1]) — the Shape → Gather → Unsqueeze → Concat pattern of torch exports. */
function graph(): Graph {
  return {
    name: 'memo',
    nodes: [
      node('Shape', ['x'], ['s']),
      node('Gather', ['s', 'zero'], ['n'], { axis: { type: 'int', value: 0 } }),
      node('Unsqueeze', ['n', 'axes'], ['n1']),
      node('Concat', ['n1', 'minus1'], ['target'], { axis: { type: 'int', value: 0 } }),
      node('Mul', ['x', 'two'], ['x2']),
      node('Reshape', ['x2', 'target'], ['y']),
    ],
    initializers: new Map<string, Tensor>([
      ['zero', Tensor.scalar('int64', 0n)],
      ['axes', Tensor.from('int64', [1], [0n])],
      ['minus1', Tensor.from('int64', [1], [-1n])],
      ['two', Tensor.scalar('float32', 2)],
    ]),
    inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', 2, 3] }],
    outputs: [{ name: 'y' }],
    valueInfo: [],
  };
}

const feed = (batch: number, offset: number) => ({
  x: Tensor.from('float32', [batch, 2, 3], Float32Array.from({ length: batch * 6 }, (_, i) => i + offset)),
});

describe('shape-subgraph memo', () => {
  it('reuses the shape nodes while the input shape is unchanged, recomputes when it changes, results always exact', () => {
    const s = InferenceSession.create(graph());
    const first = s.run(feed(2, 0)).y;
    expect(first.shape).toEqual([2, 6]);
    expect(Array.from(first.data as Float32Array)).toEqual(Array.from({ length: 12 }, (_, i) => 2 * i));
    expect(s.lastRunStats.nodesReused).toBe(0);

    const again = s.run(feed(2, 100)).y;
    expect(again.shape).toEqual([2, 6]);
    expect((again.data as Float32Array)[0]).toBe(200);
    expect(s.lastRunStats.nodesRun).toBe(6);
    expect(s.lastRunStats.nodesReused).toBe(4); // Shape, Gather, Unsqueeze, Concat; Mul and Reshape read x

    const other = s.run(feed(3, 0)).y;
    expect(other.shape).toEqual([3, 6]);
    expect(s.lastRunStats.nodesReused).toBe(0);
    expect(s.run(feed(3, 1)).y.shape).toEqual([3, 6]);
    expect(s.lastRunStats.nodesReused).toBe(4);
  });

  it('never memoizes a node whose output is a graph output (the caller owns it)', () => {
    const g = graph();
    const s = InferenceSession.create({ ...g, outputs: [{ name: 'y' }, { name: 'target' }] });
    s.run(feed(2, 0));
    const r = s.run(feed(2, 0));
    expect(s.lastRunStats.nodesReused).toBe(3); // Concat's output is a graph output: it runs every time
    expect(r.target.toArray()).toEqual([2, -1]);
  });

  it('hands out a requested memoized intermediate as a copy: changing it does not change later runs', () => {
    const s = InferenceSession.create(graph());
    s.run(feed(2, 0));
    const r = s.run(feed(2, 0), { outputs: ['target', 'y'] });
    expect(s.lastRunStats.nodesReused).toBe(4);
    expect(r.target.toArray()).toEqual([2, -1]);
    (r.target.data as BigInt64Array)[1] = 3n;
    const again = s.run(feed(2, 0));
    expect(s.lastRunStats.nodesReused).toBe(4);
    expect(again.y.shape).toEqual([2, 6]);
    expect(s.run(feed(2, 0), { outputs: ['target'] }).target.toArray()).toEqual([2, -1]);
  });
});
