import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { A, f32, i64, runOp } from '../__fixtures__/graph-builder';

const x23 = f32([2, 3], [1, 2, 3, 4, 5, 6]);

describe('data-movement ops', () => {
  it('Transpose: default reverses dims; perm; int64 and uint8 storage', () => {
    expect(runOp('Transpose', [x23])[0].toArray()).toEqual([1, 4, 2, 5, 3, 6]);
    // [2,3,2] perm [1,0,2]: out[j,i,k] = in[i,j,k]
    const x = f32([2, 3, 2], Array.from({ length: 12 }, (_, i) => i));
    const t = runOp('Transpose', [x], { perm: A.ints([1, 0, 2]) })[0];
    expect(t.shape).toEqual([3, 2, 2]);
    expect(t.toArray()).toEqual([0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11]);
    expect(Array.from(runOp('Transpose', [Tensor.from('int64', [1, 2], [7n, 9n])])[0].data as BigInt64Array)).toEqual([7n, 9n]);
    expect(runOp('Transpose', [Tensor.from('uint8', [2, 2], [1, 2, 3, 4])])[0].toArray()).toEqual([1, 3, 2, 4]);
  });

  it('Concat along inner and outer axes, negative axis, int64', () => {
    expect(runOp('Concat', [x23, f32([2, 1], [9, 10])], { axis: A.int(1) })[0].toArray()).toEqual([1, 2, 3, 9, 4, 5, 6, 10]);
    expect(runOp('Concat', [x23, f32([1, 3], [7, 8, 9])], { axis: A.int(-2) })[0].shape).toEqual([3, 3]);
    expect(runOp('Concat', [i64([1]), i64([-1, 5])], { axis: A.int(0) })[0].toArray()).toEqual([1, -1, 5]);
    expect(() => runOp('Concat', [x23, f32([1, 2], [1, 2])], { axis: A.int(0) })).toThrowError(expect.objectContaining({ code: 'ERR_SHAPE' }));
  });

  it('Split: equal parts, split attribute (opset < 13), split input (13), num_outputs (18, uneven tail)', () => {
    const x = f32([6], [1, 2, 3, 4, 5, 6]);
    expect(runOp('Split', [x], {}, { opset: 11, outputs: 3 }).map((t) => t.toArray())).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(runOp('Split', [x], { split: A.ints([1, 5]) }, { opset: 11, outputs: 2 }).map((t) => t.toArray())).toEqual([[1], [2, 3, 4, 5, 6]]);
    expect(runOp('Split', [x, i64([4, 2])], {}, { opset: 13, outputs: 2 }).map((t) => t.toArray())).toEqual([[1, 2, 3, 4], [5, 6]]);
    expect(runOp('Split', [f32([5], [1, 2, 3, 4, 5])], { num_outputs: A.int(2) }, { opset: 18, outputs: 2 }).map((t) => t.toArray())).toEqual([[1, 2, 3], [4, 5]]);
    const cols = runOp('Split', [x23], { axis: A.int(1) }, { opset: 13, outputs: 3 });
    expect(cols.map((t) => t.toArray())).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(() => runOp('Split', [f32([5], [1, 2, 3, 4, 5])], {}, { opset: 13, outputs: 2 })).toThrowError(expect.objectContaining({ code: 'ERR_SHAPE' }));
    expect(() => runOp('Split', [x, i64([1, 2, 3])], {}, { opset: 13, outputs: 2 })).toThrowError(/3 sizes but the node has 2 outputs/);
  });

  it('Slice: attributes (opset < 10), inputs with axes and negative steps, INT64_MAX ends', () => {
    const x = f32([2, 4], [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(runOp('Slice', [x], { starts: A.ints([0, 1]), ends: A.ints([1, 3]) }, { opset: 9 })[0].toArray()).toEqual([2, 3]);
    expect(runOp('Slice', [x, i64([1]), i64([1000]), i64([1])], {}, { opset: 13 })[0].toArray()).toEqual([2, 3, 4, 6, 7, 8]);
    const big = Tensor.from('int64', [1], [9223372036854775807n]);
    expect(runOp('Slice', [x, i64([-2]), big, i64([-1])], {}, { opset: 13 })[0].toArray()).toEqual([3, 4, 7, 8]);
    expect(runOp('Slice', [x, i64([-1]), Tensor.from('int64', [1], [-9223372036854775807n]), i64([1]), i64([-1])], {}, { opset: 13 })[0].toArray()).toEqual([
      4, 3, 2, 1, 8, 7, 6, 5,
    ]);
    expect(runOp('Slice', [x, i64([0]), i64([4]), i64([1]), i64([2])], {}, { opset: 13 })[0].toArray()).toEqual([1, 3, 5, 7]);
    expect(runOp('Slice', [x, i64([3]), i64([1])], {}, { opset: 13 })[0].shape).toEqual([0, 4]);
    expect(() => runOp('Slice', [x, i64([0]), i64([1]), i64([0]), i64([0])], {}, { opset: 13 })).toThrowError(/steps\[0\] must be a non-zero integer/);
  });

  it('Gather: axis 0 and 1, negative and N-D indices', () => {
    const x = f32([3, 2], [1, 2, 3, 4, 5, 6]);
    const g0 = runOp('Gather', [x, i64([2, 0])])[0];
    expect([g0.shape, g0.toArray()]).toEqual([[2, 2], [5, 6, 1, 2]]);
    expect(runOp('Gather', [x, i64([-1], [])])[0].shape).toEqual([2]);
    const g1 = runOp('Gather', [x, Tensor.from('int32', [2, 2], [1, 0, 1, 1])], { axis: A.int(1) })[0];
    expect([g1.shape, g1.toArray()]).toEqual([[3, 2, 2], [2, 1, 2, 2, 4, 3, 4, 4, 6, 5, 6, 6]]);
    expect(() => runOp('Gather', [x, i64([3])])).toThrowError(/out of range/);
  });

  it('Expand broadcasts both ways; Tile repeats', () => {
    const e = runOp('Expand', [f32([3, 1], [1, 2, 3]), i64([2, 1, 2])])[0];
    expect([e.shape, e.toArray()]).toEqual([[2, 3, 2], [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3]]);
    expect(runOp('Expand', [f32([2], [1, 2]), i64([1])])[0].shape).toEqual([2]);
    const t = runOp('Tile', [f32([2], [1, 2]), i64([3])])[0];
    expect(t.toArray()).toEqual([1, 2, 1, 2, 1, 2]);
    expect(runOp('Tile', [x23, i64([2, 1])])[0].toArray()).toEqual([1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6]);
  });

  it('Pad: constant (attribute form, opset < 11, and input form), reflect, edge, wrap, negative pads crop', () => {
    const x = f32([1, 3], [1, 2, 3]);
    expect(runOp('Pad', [x], { pads: A.ints([0, 1, 0, 2]), value: A.float(9) }, { opset: 2 })[0].toArray()).toEqual([9, 1, 2, 3, 9, 9]);
    expect(runOp('Pad', [x, i64([0, 2, 0, 2]), f32([], [0])], { mode: A.str('reflect') }, { opset: 13 })[0].toArray()).toEqual([3, 2, 1, 2, 3, 2, 1]);
    expect(runOp('Pad', [x, i64([0, 2, 0, 1])], { mode: A.str('edge') }, { opset: 13 })[0].toArray()).toEqual([1, 1, 1, 2, 3, 3]);
    expect(runOp('Pad', [x, i64([0, 2, 0, 1])], { mode: A.str('wrap') }, { opset: 19 })[0].toArray()).toEqual([2, 3, 1, 2, 3, 1]);
    expect(runOp('Pad', [x, i64([0, -1, 0, 0])], {}, { opset: 13 })[0].toArray()).toEqual([2, 3]);
    // opset 18 axes: pad only axis 1
    expect(runOp('Pad', [x, i64([1, 1]), f32([], [5]), i64([1])], {}, { opset: 18 })[0].toArray()).toEqual([5, 1, 2, 3, 5]);
    expect(runOp('Pad', [i64([4]), i64([1, 0]), i64([7], [])], {}, { opset: 13 })[0].toArray()).toEqual([7, 4]);
  });
});
