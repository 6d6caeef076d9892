import type { Model } from '@qint/graph';
import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { planBatches, sliceBatch } from './session-input';

/** A one-input model whose input is `dtype` with the given declared shape. */
function model(dtype: 'int32' | 'float32', shape: (number | string)[]): Model {
  return {
    irVersion: 8,
    opsetImports: { '': 17 },
    producerName: 'test',
    producerVersion: '',
    metadata: {},
    graph: { name: 'g', nodes: [], initializers: new Map(), inputs: [{ name: 'x', dtype, shape }], outputs: [{ name: 'x' }], valueInfo: [] },
  };
}

describe('batching a dataset for a model', () => {
  it('keeps the storage type when it matches, zero-padding the last batch of a fixed batch dim', () => {
    const samples = Tensor.from('int32', [3, 2], [1, 2, 3, 4, 5, 6]);
    const plan = planBatches(model('int32', [2, 2]), samples);
    expect([plan.batch, plan.fixedBatch]).toEqual([2, true]);
    const first = sliceBatch(plan, samples, 0);
    expect([first.count, first.tensor.dtype, first.tensor.toArray()]).toEqual([2, 'int32', [1, 2, 3, 4]]);
    const last = sliceBatch(plan, samples, 2);
    expect([last.count, last.tensor.shape, last.tensor.toArray()]).toEqual([1, [2, 2], [5, 6, 0, 0]]);
  });

  it('converts uint8 pixels to a float model input as values, and cuts a symbolic batch as asked', () => {
    const samples = Tensor.from('uint8', [3, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]);
    const plan = planBatches(model('float32', ['N', 1, 2, 2]), samples, 2);
    expect(plan.sampleShape).toEqual([1, 2, 2]);
    const last = sliceBatch(plan, samples, 2);
    expect([last.count, last.tensor.shape, last.tensor.toArray()]).toEqual([1, [1, 1, 2, 2], [8, 9, 10, 255]]);
  });

  it('refuses data it cannot feed', () => {
    const samples = Tensor.from('uint8', [2, 2], [1, 2, 3, 4]);
    expect(() => sliceBatch(planBatches(model('int32', [1, 2]), samples), samples, 0)).toThrow(/wants int32; feeding it from uint8/);
    expect(() => planBatches(model('float32', [1, 3]), samples)).toThrow(/each input sample has 2 values/);
  });
});
