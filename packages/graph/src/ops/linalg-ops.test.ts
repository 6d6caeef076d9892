import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { A, f32, runOp } from '../__fixtures__/graph-builder';

describe('linear-algebra ops', () => {
  it('Det of a 2×2 and a batch of 3×3 (one needs a row swap)', () => {
    expect(runOp('Det', [f32([2, 2], [1, 2, 3, 4])], {}, { opset: 11 })[0].toArray()).toEqual([-2]);
    const y = runOp('Det', [f32([2, 3, 3], [2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 1, 0, 1, 0, 0, 0, 0, 5])], {}, { opset: 11 })[0];
    expect([y.shape, y.toArray()]).toEqual([[2], [24, -5]]);
  });

  it('Einsum: matmul, diagonal, ellipsis transpose, implicit inner product', () => {
    const a = f32([2, 2], [1, 2, 3, 4]);
    const b = f32([2, 2], [5, 6, 7, 8]);
    expect(runOp('Einsum', [a, b], { equation: A.str('ij,jk->ik') }, { opset: 12 })[0].toArray()).toEqual([19, 22, 43, 50]);
    expect(runOp('Einsum', [a], { equation: A.str('ii->i') }, { opset: 12 })[0].toArray()).toEqual([1, 4]);
    const t = runOp('Einsum', [f32([1, 2, 3], [1, 2, 3, 4, 5, 6])], { equation: A.str('...ij->...ji') }, { opset: 12 })[0];
    expect([t.shape, t.toArray()]).toEqual([[1, 3, 2], [1, 4, 2, 5, 3, 6]]);
    const dot = runOp('Einsum', [f32([3], [1, 2, 3]), f32([3], [4, 5, 6])], { equation: A.str('i,i') }, { opset: 12 })[0];
    expect([dot.shape, dot.toArray()]).toEqual([[], [32]]);
    expect(() => runOp('Einsum', [a, b], { equation: A.str('ij->ik') }, { opset: 12 })).toThrow(/Einsum/);
  });

  it('Einsum and Det keep float64 in double precision', () => {
    const a = Tensor.from('float64', [2], [1 + 2 ** -40, 1]);
    const dot = runOp('Einsum', [a, a], { equation: A.str('i,i->') }, { opset: 12 })[0];
    expect([dot.dtype, dot.toArray()]).toEqual(['float64', [(1 + 2 ** -40) ** 2 + 1]]);
    expect(runOp('Det', [Tensor.from('float64', [2, 2], [1 + 2 ** -40, 0, 0, 1])], {}, { opset: 11 })[0].toArray()).toEqual([1 + 2 ** -40]);
  });
});
