import { describe, expect, it } from 'vitest';
import { A, f32, graph, i64, model, node, vi } from './__fixtures__/graph-builder';
import { foldConstants } from './fold-constants';
import { createSession } from './inference-session';

describe('foldConstants', () => {
  // y = x · Transpose(Slice(packed, rows 2..4)) + x · Identity(shared) with the slice bounds from a Constant node.
  const packed = f32([4, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
  const g = graph({
    nodes: [
      node('Constant', [], ['start'], { value: A.tensor(i64([2])) }, { name: 'c_start' }),
      node('Slice', ['packed', 'start', 'end', 'axes'], ['part'], {}, { name: 'slice' }),
      node('Transpose', ['part'], ['partT'], { perm: A.ints([1, 0]) }, { name: 't' }),
      node('Identity', ['shared'], ['shared2'], {}, { name: 'id' }),
      node('MatMul', ['x', 'partT'], ['a'], {}, { name: 'mm_a' }),
      node('MatMul', ['x', 'shared2'], ['b'], {}, { name: 'mm_b' }),
      node('Add', ['a', 'b'], ['y'], {}, { name: 'add' }),
    ],
    inputs: [vi('x', 'float32', [1, 2])],
    outputs: [vi('y', 'float32', [1, 2])],
    initializers: { packed, end: i64([4]), axes: i64([0]), shared: f32([2, 2], [1, 0, 0, 1]) },
  });

  it('turns the chain into initializers the layers read directly, with the values the executor computes', () => {
    const folded = foldConstants(g);
    expect(folded.nodes.map((n) => n.name)).toEqual(['mm_a', 'mm_b', 'add']);
    // rows 2..4 of packed = [[5, 6], [7, 8]], transposed.
    expect(Array.from(folded.initializers.get('partT')!.data as Float32Array)).toEqual([5, 7, 6, 8]);
    // The Identity is an alias: mm_b reads the shared initializer itself, and nothing copies it.
    expect(folded.nodes[1].inputs[1]).toBe('shared');
    expect([...folded.initializers.keys()].sort()).toEqual(['partT', 'shared']);
    const x = f32([1, 2], [1, -1]);
    const want = createSession(g).run({ x }).y.data as Float32Array;
    expect(Array.from(createSession(folded).run({ x }).y.data as Float32Array)).toEqual(Array.from(want));
    // x · [[5, 6], [7, 8]]ᵀ + x = [5 − 6, 7 − 8] + [1, −1]
    expect(Array.from(want)).toEqual([0, -2]);
  });

  it('keeps one value for the same op on the same constants, and leaves graph inputs and outputs alone', () => {
    const twice = graph({
      nodes: [
        node('Transpose', ['w'], ['w1'], {}, { name: 't1' }),
        node('Transpose', ['w'], ['w2'], {}, { name: 't2' }),
        node('MatMul', ['x', 'w1'], ['a'], {}, { name: 'm1' }),
        node('MatMul', ['a', 'w2'], ['y'], {}, { name: 'm2' }),
        node('Identity', ['over'], ['z'], {}, { name: 'keep' }),
      ],
      inputs: [vi('x', 'float32', [1, 2]), vi('over', 'float32', [2])],
      outputs: [vi('y'), vi('z')],
      initializers: { w: f32([2, 2], [1, 2, 3, 4]), over: f32([2], [0, 0]) },
    });
    const folded = foldConstants(model(twice, 13));
    expect(folded.graph.nodes.map((n) => n.name)).toEqual(['m1', 'm2', 'keep']);
    expect(folded.graph.nodes[0].inputs[1]).toBe(folded.graph.nodes[1].inputs[1]);
    expect(folded.graph.initializers.has('over')).toBe(true);
  });

  it('returns the graph itself when nothing folds', () => {
    const plain = graph({ nodes: [node('Relu', ['x'], ['y'])], inputs: [vi('x', 'float32', [2])], outputs: [vi('y')] });
    expect(foldConstants(plain)).toBe(plain);
  });
});
