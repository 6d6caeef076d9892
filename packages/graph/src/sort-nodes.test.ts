import { describe, expect, it } from 'vitest';
import { f32, graph, node, vi } from './__fixtures__/graph-builder';
import { GraphError } from './graph-error';
import { sortNodes } from './sort-nodes';

describe('sortNodes', () => {
  const nodes = [node('Relu', ['x'], ['a'], {}, { name: 'r' }), node('Neg', ['a'], ['b'], {}, { name: 'n' }), node('Abs', ['x'], ['c'], {}, { name: 'abs' }), node('Add', ['b', 'c'], ['y'], {}, { name: 'add' })];
  const of = (order: number[]) => graph({ nodes: order.map((i) => nodes[i]), inputs: [vi('x', 'float32', [2])], outputs: [vi('y')], initializers: { w: f32([1], [1]) } });

  it('returns a sorted graph unchanged', () => {
    const g = of([0, 1, 2, 3]);
    expect(sortNodes(g)).toBe(g);
  });

  it('moves each node only as far as its inputs require, keeping the rest of the given order', () => {
    // Given: add, abs, n, r → abs is ready first (index 1), then r, n, add.
    expect(sortNodes(of([3, 2, 1, 0])).nodes.map((n) => n.name)).toEqual(['abs', 'r', 'n', 'add']);
    expect(sortNodes(of([1, 0, 2, 3])).nodes.map((n) => n.name)).toEqual(['r', 'n', 'abs', 'add']);
  });

  it('names the nodes of a cycle', () => {
    const g = graph({
      nodes: [node('Relu', ['b'], ['a'], {}, { name: 'p' }), node('Neg', ['a'], ['b'], {}, { name: 'q' }), node('Abs', ['a'], ['y'], {}, { name: 'out' })],
      inputs: [vi('x', 'float32', [2])],
      outputs: [vi('y')],
    });
    expect(() => sortNodes(g)).toThrow(GraphError);
    expect(() => sortNodes(g)).toThrow('nodes form a cycle (each reads the output of the one before): Neg "q" → Relu "p" → Neg "q"; 3 node(s) cannot be ordered');
  });
});
