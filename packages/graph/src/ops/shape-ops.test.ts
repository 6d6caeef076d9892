import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { A, f32, i64, runOp } from '../__fixtures__/graph-builder';

const x234 = f32([2, 3, 4], Array.from({ length: 24 }, (_, i) => i));

describe('shape and view ops', () => {
  it('Reshape: -1 inference, 0 copies a dim, allowzero, attribute form (opset < 5); a view, no copy', () => {
    const r = runOp('Reshape', [x234, i64([0, -1])])[0];
    expect(r.shape).toEqual([2, 12]);
    expect(runOp('Reshape', [x234, i64([4, 0, 2])])[0].shape).toEqual([4, 3, 2]);
    expect(runOp('Reshape', [f32([0, 3], []), i64([3, 0])], { allowzero: A.int(1) }, { opset: 14 })[0].shape).toEqual([3, 0]);
    expect(runOp('Reshape', [x234], { shape: A.ints([6, 4]) }, { opset: 4 })[0].shape).toEqual([6, 4]);
    expect(() => runOp('Reshape', [x234, i64([5, -1])])).toThrowError(expect.objectContaining({ code: 'ERR_SHAPE' }));
  });

  it('Flatten at axis 0, 1 (default), 2 and negative', () => {
    expect(runOp('Flatten', [x234], { axis: A.int(0) })[0].shape).toEqual([1, 24]);
    expect(runOp('Flatten', [x234])[0].shape).toEqual([2, 12]);
    expect(runOp('Flatten', [x234], { axis: A.int(2) })[0].shape).toEqual([6, 4]);
    expect(runOp('Flatten', [x234], { axis: A.int(-1) }, { opset: 13 })[0].shape).toEqual([6, 4]);
    expect(runOp('Flatten', [x234], { axis: A.int(3) })[0].shape).toEqual([24, 1]);
  });

  it('Squeeze/Unsqueeze: axes attribute before opset 13, input from 13', () => {
    const x = f32([1, 3, 1], [1, 2, 3]);
    expect(runOp('Squeeze', [x], { axes: A.ints([0]) }, { opset: 11 })[0].shape).toEqual([3, 1]);
    expect(runOp('Squeeze', [x, i64([-1])], {}, { opset: 13 })[0].shape).toEqual([1, 3]);
    expect(runOp('Squeeze', [x], {}, { opset: 13 })[0].shape).toEqual([3]);
    expect(() => runOp('Squeeze', [x, i64([1])], {}, { opset: 13 })).toThrowError(/size 3, not 1/);
    expect(runOp('Unsqueeze', [f32([3], [1, 2, 3])], { axes: A.ints([0, 2]) }, { opset: 11 })[0].shape).toEqual([1, 3, 1]);
    expect(runOp('Unsqueeze', [f32([3], [1, 2, 3]), i64([-1, 0])], {}, { opset: 13 })[0].shape).toEqual([1, 3, 1]);
  });

  it('Shape (with start/end from opset 15) and Size give int64', () => {
    const s = runOp('Shape', [x234])[0];
    expect(s.dtype).toBe('int64');
    expect(s.toArray()).toEqual([2, 3, 4]);
    expect(runOp('Shape', [x234], { start: A.int(1) }, { opset: 15 })[0].toArray()).toEqual([3, 4]);
    expect(runOp('Shape', [x234], { start: A.int(-1) }, { opset: 15 })[0].toArray()).toEqual([4]);
    expect(runOp('Shape', [x234], { end: A.int(-1) }, { opset: 15 })[0].toArray()).toEqual([2, 3]);
    const n = runOp('Size', [x234])[0];
    expect(n.shape).toEqual([]);
    expect(n.toArray()).toEqual([24]);
  });

  it('Constant: value, value_float(s), value_int(s)', () => {
    expect(runOp('Constant', [], { value: A.tensor(f32([2], [1, 2])) })[0].toArray()).toEqual([1, 2]);
    const vf = runOp('Constant', [], { value_float: A.float(1.5) })[0];
    expect([vf.dtype, vf.shape, vf.toArray()]).toEqual(['float32', [], [1.5]]);
    expect(runOp('Constant', [], { value_floats: A.floats([1, 2]) })[0].shape).toEqual([2]);
    const vi = runOp('Constant', [], { value_int: A.int(7) })[0];
    expect([vi.dtype, vi.shape, vi.toArray()]).toEqual(['int64', [], [7]]);
    expect(runOp('Constant', [], { value_ints: A.ints([3, 4]) })[0].toArray()).toEqual([3, 4]);
  });

  it('ConstantOfShape: default float 0, or the value tensor dtype', () => {
    const z = runOp('ConstantOfShape', [i64([2, 2])])[0];
    expect([z.dtype, z.shape, z.toArray()]).toEqual(['float32', [2, 2], [0, 0, 0, 0]]);
    const v = runOp('ConstantOfShape', [i64([3])], { value: A.tensor(Tensor.from('int64', [1], [5])) })[0];
    expect(Array.from(v.data as BigInt64Array)).toEqual([5n, 5n, 5n]);
    expect(runOp('ConstantOfShape', [i64([0])])[0].shape).toEqual([0]);
  });

  it('Range: ceil((limit - start)/delta) values, never negative', () => {
    expect(runOp('Range', [f32([], [1]), f32([], [2]), f32([], [0.25])])[0].toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(runOp('Range', [i64([10], []), i64([4], []), i64([-3], [])])[0].toArray()).toEqual([10, 7]);
    expect(runOp('Range', [i64([0], []), i64([-1], []), i64([1], [])])[0].shape).toEqual([0]);
  });
});
