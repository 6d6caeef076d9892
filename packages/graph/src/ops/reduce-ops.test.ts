import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { A, expectClose, f32, i64, runOp } from '../__fixtures__/graph-builder';

// [[1, 2, 3], [4, 5, 6]]
const x = f32([2, 3], [1, 2, 3, 4, 5, 6]);

describe('reductions', () => {
  it('ReduceMean/Sum/Max/Min/Prod with axes attribute (opset < 18), keepdims', () => {
    expect(runOp('ReduceMean', [x], { axes: A.ints([1]) }, { opset: 13 })[0].toArray()).toEqual([2, 5]);
    expect(runOp('ReduceMean', [x], { axes: A.ints([1]) }, { opset: 13 })[0].shape).toEqual([2, 1]);
    expect(runOp('ReduceMax', [x], { axes: A.ints([0]), keepdims: A.int(0) }, { opset: 13 })[0].toArray()).toEqual([4, 5, 6]);
    expect(runOp('ReduceMin', [x], {}, { opset: 13 })[0].toArray()).toEqual([1]);
    expect(runOp('ReduceProd', [x], { axes: A.ints([-1]) }, { opset: 13 })[0].toArray()).toEqual([6, 120]);
    expect(runOp('ReduceSum', [x], { axes: A.ints([0]) }, { opset: 11 })[0].toArray()).toEqual([5, 7, 9]);
  });

  it('axes as an input: ReduceSum from opset 13, the others from 18; noop_with_empty_axes', () => {
    expect(runOp('ReduceSum', [x, i64([1])], {}, { opset: 13 })[0].toArray()).toEqual([6, 15]);
    expect(runOp('ReduceSum', [x], {}, { opset: 13 })[0].toArray()).toEqual([21]);
    expect(runOp('ReduceSum', [x, i64([])], { noop_with_empty_axes: A.int(1) }, { opset: 13 })[0].toArray()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(runOp('ReduceMean', [x, i64([0])], { keepdims: A.int(0) }, { opset: 18 })[0].toArray()).toEqual([2.5, 3.5, 4.5]);
    expect(runOp('ReduceMax', [x, i64([1])], {}, { opset: 18 })[0].toArray()).toEqual([3, 6]);
  });

  it('ReduceL1/L2/SumSquare/LogSumExp over non-contiguous axes', () => {
    const y = f32([2, 2, 2], [1, -2, 3, -4, 5, -6, 7, -8]);
    // axes [0, 2]: for j=0 → {1,-2,5,-6}; j=1 → {3,-4,7,-8}
    expect(runOp('ReduceL1', [y], { axes: A.ints([0, 2]) }, { opset: 13 })[0].toArray()).toEqual([14, 22]);
    expect(runOp('ReduceSumSquare', [y], { axes: A.ints([0, 2]) }, { opset: 13 })[0].toArray()).toEqual([66, 138]);
    expectClose(runOp('ReduceL2', [y], { axes: A.ints([0, 2]) }, { opset: 13 })[0].toArray(), [Math.sqrt(66), Math.sqrt(138)]);
    expectClose(runOp('ReduceLogSumExp', [f32([2], [0, 0])], {}, { opset: 13 })[0].toArray(), [Math.LN2]);
  });

  it('int64 reductions stay int64', () => {
    const r = runOp('ReduceProd', [i64([2, 3, 4])], { keepdims: A.int(0) }, { opset: 13 })[0];
    expect([r.dtype, r.shape, r.toArray()]).toEqual(['int64', [], [24]]);
  });

  it('ArgMax/ArgMin: first or last index, keepdims', () => {
    const v = f32([2, 3], [1, 3, 3, 5, 0, 5]);
    const a = runOp('ArgMax', [v], { axis: A.int(1) })[0];
    expect([a.dtype, a.shape, a.toArray()]).toEqual(['int64', [2, 1], [1, 0]]);
    expect(runOp('ArgMax', [v], { axis: A.int(1), select_last_index: A.int(1), keepdims: A.int(0) }, { opset: 12 })[0].toArray()).toEqual([2, 2]);
    expect(runOp('ArgMin', [v], { axis: A.int(0), keepdims: A.int(0) })[0].toArray()).toEqual([0, 1, 0]);
  });
});

describe('softmax family', () => {
  it('opset 13: along one axis (default -1)', () => {
    const y = runOp('Softmax', [f32([2, 2], [0, 0, 0, Math.log(3)])], {}, { opset: 13 })[0].toArray();
    expectClose(y, [0.5, 0.5, 0.25, 0.75]);
    // axis 0 on [2,2]: columns normalized
    expectClose(runOp('Softmax', [f32([2, 2], [0, 1, 0, 1])], { axis: A.int(0) }, { opset: 13 })[0].toArray(), [0.5, 0.5, 0.5, 0.5]);
  });

  it('opset < 13: flattens to 2-D at axis (default 1), normalizing the whole trailing block', () => {
    // [1, 2, 2] with axis 1 → one row of 4 equal values → 0.25 each; opset 13 would give 0.5 each (last axis).
    const x = f32([1, 2, 2], [1, 1, 1, 1]);
    expectClose(runOp('Softmax', [x], {}, { opset: 11 })[0].toArray(), [0.25, 0.25, 0.25, 0.25]);
    expectClose(runOp('Softmax', [x], {}, { opset: 13 })[0].toArray(), [0.5, 0.5, 0.5, 0.5]);
    expectClose(runOp('LogSoftmax', [x], {}, { opset: 11 })[0].toArray(), new Array(4).fill(Math.log(0.25)));
    expectClose(runOp('Softmax', [x], { axis: A.int(2) }, { opset: 11 })[0].toArray(), [0.5, 0.5, 0.5, 0.5]);
  });

  it('is stable for large inputs; LogSoftmax and Hardmax', () => {
    expectClose(runOp('Softmax', [f32([3], [1000, 1000, -Infinity])], {}, { opset: 13 })[0].toArray(), [0.5, 0.5, 0]);
    expectClose(runOp('LogSoftmax', [f32([2], [0, Math.log(3)])], {}, { opset: 13 })[0].toArray(), [Math.log(0.25), Math.log(0.75)]);
    expect(runOp('Hardmax', [f32([2, 3], [1, 3, 2, 5, 5, 0])], {}, { opset: 13 })[0].toArray()).toEqual([0, 1, 0, 1, 0, 0]);
    expect(() => runOp('Softmax', [Tensor.from('int32', [1], [1])], {}, { opset: 13 })).toThrowError(expect.objectContaining({ code: 'ERR_DTYPE' }));
    // float64 in double precision: softmax([0, ln 3]) = [1/4, 3/4] to 1e-15
    const d = runOp('Softmax', [Tensor.from('float64', [2], [0, Math.log(3)])], {}, { opset: 13 })[0];
    expect(d.dtype).toBe('float64');
    expectClose(d.toArray(), [0.25, 0.75], 1e-15, 0);
    expectClose(runOp('LogSoftmax', [Tensor.from('float64', [1, 2], [0, Math.log(3)])], {}, { opset: 11 })[0].toArray(), [Math.log(0.25), Math.log(0.75)], 1e-15, 0);
  });
});

describe('ReduceLogSum and bool ReduceMax/ReduceMin', () => {
  it('ReduceLogSum is log of the sum; an empty set gives −∞', () => {
    // rows [1, 2] and [3, 4]: log 3, log 7
    expectClose(runOp('ReduceLogSum', [f32([2, 2], [1, 2, 3, 4])], { axes: A.ints([1]), keepdims: A.int(0) }, { opset: 13 })[0].toArray(), [Math.log(3), Math.log(7)]);
    expectClose(runOp('ReduceLogSum', [f32([2, 2], [1, 2, 3, 4]), { init: Tensor.from('int64', [1], [0]) }], {}, { opset: 18 })[0].toArray(), [Math.log(4), Math.log(6)]);
    expect(runOp('ReduceLogSum', [f32([2, 0], []), { init: Tensor.from('int64', [1], [1]) }], {}, { opset: 18 })[0].toArray()).toEqual([-Infinity, -Infinity]);
  });

  it('ReduceMax of bools is any, ReduceMin is all (opset 20); the max of an empty set is false', () => {
    const b = Tensor.from('bool', [2, 2], [1, 0, 0, 0]);
    const axes = { init: Tensor.from('int64', [1], [1]) };
    const max = runOp('ReduceMax', [b, axes], { keepdims: A.int(0) }, { opset: 20 })[0];
    expect(max.dtype).toBe('bool');
    expect(max.toArray()).toEqual([1, 0]);
    expect(runOp('ReduceMin', [Tensor.from('bool', [2, 2], [1, 1, 1, 0]), axes], { keepdims: A.int(0) }, { opset: 20 })[0].toArray()).toEqual([1, 0]);
    expect(runOp('ReduceMax', [Tensor.from('bool', [2, 0], []), axes], { keepdims: A.int(0) }, { opset: 20 })[0].toArray()).toEqual([0, 0]);
    expect(runOp('ReduceMin', [Tensor.from('bool', [2, 0], []), axes], { keepdims: A.int(0) }, { opset: 20 })[0].toArray()).toEqual([1, 1]);
    expect(() => runOp('ReduceSum', [b, axes], {}, { opset: 13 })).toThrow(/ReduceSum: bool inputs are not supported/);
  });
});
