import { describe, expect, it } from 'vitest';
import { A, f32, i64, runOp } from '../__fixtures__/graph-builder';

describe('tensor-building ops', () => {
  it('OneHot with a negative index and axis 0', () => {
    const y = runOp('OneHot', [i64([1, -1]), f32([], [3]), f32([2], [0, 5])], {}, { opset: 11 })[0];
    expect([y.shape, y.toArray()]).toEqual([[2, 3], [0, 5, 0, 0, 0, 5]]);
    const t = runOp('OneHot', [i64([1, -1]), f32([], [3]), f32([2], [0, 5])], { axis: A.int(0) }, { opset: 11 })[0];
    expect([t.shape, t.toArray()]).toEqual([[3, 2], [0, 0, 5, 0, 0, 5]]);
  });

  it('EyeLike off the main diagonal, dtype from the attribute', () => {
    const y = runOp('EyeLike', [f32([2, 3], [9, 9, 9, 9, 9, 9])], { k: A.int(1), dtype: A.int(6) }, { opset: 9 })[0];
    expect([y.dtype, y.toArray()]).toEqual(['int32', [0, 1, 0, 0, 0, 1]]);
  });

  it('CumProd inclusive, exclusive, reverse', () => {
    const x = f32([4], [1, 2, 3, 4]);
    const ax = i64([0], []);
    expect(runOp('CumProd', [x, ax], {}, { opset: 26 })[0].toArray()).toEqual([1, 2, 6, 24]);
    expect(runOp('CumProd', [x, ax], { exclusive: A.int(1) }, { opset: 26 })[0].toArray()).toEqual([1, 1, 2, 6]);
    expect(runOp('CumProd', [x, ax], { reverse: A.int(1) }, { opset: 26 })[0].toArray()).toEqual([24, 24, 12, 4]);
  });

  it('ReverseSequence reverses each batch entry’s first lens[b] steps', () => {
    const x = f32([3, 2], [1, 2, 3, 4, 5, 6]); // [time, batch]
    expect(runOp('ReverseSequence', [x, i64([3, 1])], { time_axis: A.int(0), batch_axis: A.int(1) }, { opset: 10 })[0].toArray()).toEqual([5, 2, 3, 4, 1, 6]);
  });

  it('CenterCropPad crops centred and pads with the extra zero after', () => {
    expect(runOp('CenterCropPad', [f32([1, 5], [1, 2, 3, 4, 5]), i64([1, 3])], {}, { opset: 18 })[0].toArray()).toEqual([2, 3, 4]);
    expect(runOp('CenterCropPad', [f32([1, 2], [1, 2]), i64([5])], { axes: A.ints([1]) }, { opset: 18 })[0].toArray()).toEqual([0, 1, 2, 0, 0]);
  });
});
