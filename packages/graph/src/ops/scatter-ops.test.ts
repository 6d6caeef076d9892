import { describe, expect, it } from 'vitest';
import { A, f32, i64, runOp } from '../__fixtures__/graph-builder';

describe('gather/scatter ops', () => {
  it('GatherND: tuples, slices and batch_dims (ONNX examples)', () => {
    expect(runOp('GatherND', [f32([2, 2], [0, 1, 2, 3]), i64([0, 0, 1, 1], [2, 2])], {}, { opset: 13 })[0].toArray()).toEqual([0, 3]);
    const slices = runOp('GatherND', [f32([2, 2], [0, 1, 2, 3]), i64([1, 0], [2, 1])], {}, { opset: 13 })[0];
    expect([slices.shape, slices.toArray()]).toEqual([[2, 2], [2, 3, 0, 1]]);
    const batched = runOp('GatherND', [f32([2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7]), i64([1, 0], [2, 1])], { batch_dims: A.int(1) }, { opset: 13 })[0];
    expect([batched.shape, batched.toArray()]).toEqual([[2, 2], [2, 3, 4, 5]]);
  });

  it('ScatterND replaces slices; add accumulates duplicates', () => {
    const data = f32([4], [1, 2, 3, 4]);
    expect(runOp('ScatterND', [data, i64([3, 1], [2, 1]), f32([2], [9, 10])], {}, { opset: 18 })[0].toArray()).toEqual([1, 10, 3, 9]);
    expect(runOp('ScatterND', [data, i64([0, 0], [2, 1]), f32([2], [5, 6])], { reduction: A.str('add') }, { opset: 18 })[0].toArray()).toEqual([12, 2, 3, 4]);
    expect(() => runOp('ScatterND', [data, i64([4], [1, 1]), f32([1], [0])], {}, { opset: 18 })).toThrow(/out of range/);
  });

  it('ScatterElements with axis, negative indices and max; Scatter (opset 10)', () => {
    const data = f32([1, 5], [1, 2, 3, 4, 5]);
    expect(runOp('ScatterElements', [data, i64([1, -2], [1, 2]), f32([1, 2], [1.1, 2.1])], { axis: A.int(1) }, { opset: 18 })[0].toArray()).toEqual([
      1, 1.100000023841858, 3, 2.0999999046325684, 5,
    ]);
    expect(runOp('ScatterElements', [data, i64([1, 1], [1, 2]), f32([1, 2], [7, 0])], { axis: A.int(1), reduction: A.str('max') }, { opset: 18 })[0].toArray()).toEqual([1, 7, 3, 4, 5]);
    expect(runOp('Scatter', [f32([2, 2], [0, 0, 0, 0]), i64([1, 0], [1, 2]), f32([1, 2], [5, 6])], {}, { opset: 10 })[0].toArray()).toEqual([0, 6, 5, 0]);
  });

  it('TensorScatter writes each batch row at its index, circular wraps', () => {
    // cache [2, 3, 1] (batch, seq, dim), update [2, 2, 1] at axis 1
    const cache = f32([2, 3, 1], [0, 0, 0, 0, 0, 0]);
    const upd = f32([2, 2, 1], [1, 2, 3, 4]);
    expect(runOp('TensorScatter', [cache, upd, i64([0, 1])], { axis: A.int(1) }, { opset: 24 })[0].toArray()).toEqual([1, 2, 0, 0, 3, 4]);
    expect(runOp('TensorScatter', [cache, upd, i64([2, 0])], { axis: A.int(1), mode: A.str('circular') }, { opset: 24 })[0].toArray()).toEqual([2, 0, 1, 3, 4, 0]);
    expect(() => runOp('TensorScatter', [cache, upd, i64([2, 0])], { axis: A.int(1) }, { opset: 24 })).toThrow(/outside the cache/);
  });
});
