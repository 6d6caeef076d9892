import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { createSession } from '../inference-session';
import type { Attribute } from '../ir';
import { A, f32, graph, i64, model, node, vi } from '../__fixtures__/graph-builder';
import { ML_DOMAIN } from './ml-ops';

/** Runs one ai.onnx.ml node (the test model imports the domain at version 5). */
function runMl(opType: string, inputs: Tensor[], attributes: Record<string, Attribute> = {}): Tensor {
  const names = inputs.map((_, i) => `in${i}`);
  const m = model(graph({ nodes: [node(opType, names, ['y'], attributes, { domain: ML_DOMAIN })], inputs: names.map((n) => vi(n)), outputs: [vi('y')] }), 17);
  const feeds = Object.fromEntries(inputs.map((t, i) => [names[i], t]));
  return createSession({ ...m, opsetImports: { ...m.opsetImports, [ML_DOMAIN]: 5 } }).run(feeds).y;
}

describe('ai.onnx.ml ops', () => {
  it('Binarizer: 1 where x > threshold, in the input dtype', () => {
    expect(runMl('Binarizer', [f32([4], [-1, 0, 0.5, 2])]).toArray()).toEqual([0, 0, 1, 1]);
    const y = runMl('Binarizer', [Tensor.from('int32', [3], [1, 2, 3])], { threshold: A.float(2) });
    expect(y.dtype).toBe('int32');
    expect(y.toArray()).toEqual([0, 0, 1]);
  });

  it('ArrayFeatureExtractor: picks columns of the last axis; a 1-D input gives [1, n]', () => {
    const x = f32([2, 3], [1, 2, 3, 4, 5, 6]);
    const y = runMl('ArrayFeatureExtractor', [x, i64([2, 0])]);
    expect(y.shape).toEqual([2, 2]);
    expect(y.toArray()).toEqual([3, 1, 6, 4]);
    expect(runMl('ArrayFeatureExtractor', [f32([3], [7, 8, 9]), i64([1])]).shape).toEqual([1, 1]);
    expect(() => runMl('ArrayFeatureExtractor', [x, i64([3])])).toThrow(/index 3 is outside the last axis of size 3/);
  });

  it('TreeEnsemble: walks each row to a leaf (LEQ, MEMBER, NaN to true) and sums per target', () => {
    // node 0: x0 ≤ 2 → leaf 0 (5 → target 0), else node 1: x0 ∈ {3, 4} → leaf 1 (7 → target 1), else leaf 2 (−1 → target 0)
    const attrs = {
      n_targets: A.int(2),
      aggregate_function: A.int(1),
      tree_roots: A.ints([0]),
      nodes_modes: A.tensor(Tensor.from('uint8', [2], [0, 6])),
      nodes_splits: A.tensor(f32([2], [2, NaN])),
      nodes_featureids: A.ints([0, 0]),
      nodes_truenodeids: A.ints([0, 1]),
      nodes_trueleafs: A.ints([1, 1]),
      nodes_falsenodeids: A.ints([1, 2]),
      nodes_falseleafs: A.ints([0, 1]),
      nodes_missing_value_tracks_true: A.ints([1, 0]),
      membership_values: A.tensor(f32([3], [3, 4, NaN])),
      leaf_targetids: A.ints([0, 1, 0]),
      leaf_weights: A.tensor(f32([3], [5, 7, -1])),
    };
    const y = runMl('TreeEnsemble', [f32([4, 1], [1, 3, 9, NaN])], attrs);
    expect(y.shape).toEqual([4, 2]);
    expect(y.toArray()).toEqual([5, 0, 0, 7, -1, 0, 5, 0]);
    // MAX over two copies of the tree: the same leaves, the other targets stay at −∞
    const max = runMl('TreeEnsemble', [f32([1, 1], [3])], { ...attrs, aggregate_function: A.int(3), tree_roots: A.ints([0, 0]) });
    expect(max.toArray()).toEqual([-Infinity, 7]);
    expect(() => runMl('TreeEnsemble', [f32([1, 1], [3])], { ...attrs, post_transform: A.int(1) })).toThrow(/post_transform 1 is not supported/);
  });
});
