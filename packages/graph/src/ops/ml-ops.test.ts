import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { createSession } from '../inference-session';
import { A, f32, graph, i64, model, node, vi } from '../__fixtures__/graph-builder';
import { ML_DOMAIN } from './ml-ops';

/** Runs one ai.onnx.ml node (the test model imports the domain at version 1). */
function runMl(opType: string, inputs: Tensor[], attributes = {}): Tensor {
  const names = inputs.map((_, i) => `in${i}`);
  const m = model(graph({ nodes: [node(opType, names, ['y'], attributes, { domain: ML_DOMAIN })], inputs: names.map((n) => vi(n)), outputs: [vi('y')] }), 17);
  const feeds = Object.fromEntries(inputs.map((t, i) => [names[i], t]));
  return createSession({ ...m, opsetImports: { ...m.opsetImports, [ML_DOMAIN]: 1 } }).run(feeds).y;
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
});
