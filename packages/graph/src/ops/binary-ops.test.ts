import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { A, f32, i64, runOp } from '../__fixtures__/graph-builder';

describe('broadcasting binary ops', () => {
  it('adds same-shape, scalar and broadcast operands (hand-checked)', () => {
    expect(runOp('Add', [f32([2, 2], [1, 2, 3, 4]), f32([2, 2], [10, 20, 30, 40])])[0].toArray()).toEqual([11, 22, 33, 44]);
    expect(runOp('Add', [f32([2, 2], [1, 2, 3, 4]), f32([], [0.5])])[0].toArray()).toEqual([1.5, 2.5, 3.5, 4.5]);
    expect(runOp('Sub', [f32([], [10]), f32([3], [1, 2, 3])])[0].toArray()).toEqual([9, 8, 7]);
    // [2,1] ⊕ [3] → [2,3]: row i holds a[i] + b[j]
    const r = runOp('Mul', [f32([2, 1], [2, 3]), f32([3], [1, 10, 100])])[0];
    expect(r.shape).toEqual([2, 3]);
    expect(r.toArray()).toEqual([2, 20, 200, 3, 30, 300]);
  });

  it('broadcasts a channel bias [1,C,1,1] over NCHW', () => {
    const x = f32([1, 2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    const b = f32([1, 2, 1, 1], [100, 200]);
    expect(runOp('Add', [x, b])[0].toArray()).toEqual([101, 102, 103, 104, 205, 206, 207, 208]);
  });

  it('computes float32 results (rounded like Math.fround)', () => {
    const r = runOp('Div', [f32([1], [1]), f32([1], [3])])[0];
    expect(r.toArray()[0]).toBe(Math.fround(1 / 3));
  });

  it('int32 ops wrap and divide toward zero like C', () => {
    const a = Tensor.from('int32', [3], [2147483647, -7, 7]);
    const b = Tensor.from('int32', [3], [1, 2, -2]);
    expect(runOp('Add', [a, b])[0].toArray()).toEqual([-2147483648, -5, 5]);
    expect(runOp('Div', [a, b])[0].toArray()).toEqual([2147483647, -3, -3]);
    expect(runOp('Mul', [Tensor.from('int32', [1], [65536]), Tensor.from('int32', [1], [65536])])[0].toArray()).toEqual([0]);
  });

  it('int64 arithmetic stays exact in BigInt', () => {
    const a = Tensor.from('int64', [2], [2n ** 60n, -9n]);
    const b = Tensor.from('int64', [2], [3n, 2n]);
    const r = runOp('Mul', [a, b])[0];
    expect(r.dtype).toBe('int64');
    expect(Array.from(r.data as BigInt64Array)).toEqual([3n * 2n ** 60n, -18n]);
    expect(Array.from(runOp('Div', [a, b])[0].data as BigInt64Array)).toEqual([(2n ** 60n) / 3n, -4n]);
  });

  it('comparisons produce bool and work on int64', () => {
    expect(runOp('Equal', [i64([1, 2, 3]), i64([2], [])])[0].toArray()).toEqual([0, 1, 0]);
    const lt = runOp('Less', [f32([3], [1, 2, 3]), f32([3], [2, 2, 2])])[0];
    expect(lt.dtype).toBe('bool');
    expect(lt.toArray()).toEqual([1, 0, 0]);
    expect(runOp('GreaterOrEqual', [f32([3], [1, 2, 3]), f32([], [2])], {}, { opset: 12 })[0].toArray()).toEqual([0, 1, 1]);
  });

  it('rejects mismatched dtypes and shapes with typed errors naming the node', () => {
    expect(() => runOp('Add', [f32([2], [1, 2]), i64([1, 2])])).toThrow(/Add "Add_out0".*A \(float32\) and B \(int64\)/);
    expect(() => runOp('Add', [f32([2], [1, 2]), f32([3], [1, 2, 3])])).toThrowError(expect.objectContaining({ code: 'ERR_SHAPE' }));
  });

  it('Pow accepts an exponent of another dtype; Mod follows fmod', () => {
    expect(runOp('Pow', [f32([3], [2, 3, 4]), f32([], [2])])[0].toArray()).toEqual([4, 9, 16]);
    expect(runOp('Pow', [f32([2], [2, 9]), i64([2, 1])])[0].toArray()).toEqual([4, 9]);
    // Python-style (fmod=0) takes the divisor's sign; C fmod the dividend's.
    expect(runOp('Mod', [Tensor.from('int32', [2], [-7, 7]), Tensor.from('int32', [2], [3, -3])])[0].toArray()).toEqual([2, -2]);
    expect(runOp('Mod', [f32([2], [-7, 7]), f32([2], [3, -3])], { fmod: A.int(1) })[0].toArray()).toEqual([-1, 1]);
  });

  it('variadic Max/Min/Sum/Mean with broadcasting', () => {
    expect(runOp('Max', [f32([3], [1, 5, 3]), f32([3], [4, 2, 6]), f32([], [3.5])])[0].toArray()).toEqual([4, 5, 6]);
    expect(runOp('Min', [f32([2], [1, NaN]), f32([2], [0, 1])])[0].toArray()).toEqual([0, NaN]);
    expect(runOp('Sum', [f32([2], [1, 2]), f32([2], [3, 4]), f32([2], [5, 6])])[0].toArray()).toEqual([9, 12]);
    expect(runOp('Mean', [f32([2], [1, 2]), f32([2], [3, 5])])[0].toArray()).toEqual([2, 3.5]);
  });

  it('PRelu broadcasts the slope per channel; Where picks per element', () => {
    const x = f32([1, 2, 2], [-1, 2, -3, 4]);
    expect(runOp('PRelu', [x, f32([2, 1], [0.5, 0.25])])[0].toArray()).toEqual([-0.5, 2, -0.75, 4]);
    const c = Tensor.from('bool', [2, 1], [1, 0]);
    const r = runOp('Where', [c, f32([2], [1, 2]), f32([], [9])])[0];
    expect(r.shape).toEqual([2, 2]);
    expect(r.toArray()).toEqual([1, 2, 9, 9]);
  });

  it('logic ops need bool', () => {
    const a = Tensor.from('bool', [4], [0, 0, 1, 1]);
    const b = Tensor.from('bool', [4], [0, 1, 0, 1]);
    expect(runOp('And', [a, b])[0].toArray()).toEqual([0, 0, 0, 1]);
    expect(runOp('Or', [a, b])[0].toArray()).toEqual([0, 1, 1, 1]);
    expect(runOp('Xor', [a, b])[0].toArray()).toEqual([0, 1, 1, 0]);
    expect(() => runOp('And', [f32([1], [1]), f32([1], [1])])).toThrowError(expect.objectContaining({ code: 'ERR_DTYPE' }));
  });
});
