import { createSession } from '@qint/graph';
import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { makeModel, op } from '../test/__fixtures__/models';
import { splitGemm } from './split-gemm';

const attrs = { transB: { type: 'int', value: 1 }, alpha: { type: 'float', value: 0.5 }, beta: { type: 'float', value: 2 } } as const;
// x [1, 3] = [1, 2, 3]; B [2, 3] (transB) = [[1, 0, -1], [2, 1, 0]]; C [2] = [10, -1].
const gemm = makeModel(
  [op('Gemm', ['x', 'B', 'C'], ['y'], attrs, 'fc')],
  { B: Tensor.from('float32', [2, 3], [1, 0, -1, 2, 1, 0]), C: Tensor.from('float32', [2], [10, -1]) },
  [{ name: 'x', shape: [1, 3] }],
  ['y'],
);

describe('splitGemm', () => {
  it('Gemm(transB, alpha, beta) → MatMul(x, alpha·Bᵀ) → Add(beta·C), same values (hand-checked)', () => {
    const { model, origin } = splitGemm(gemm);
    expect(model.graph.nodes.map((n) => n.opType)).toEqual(['MatMul', 'Add']);
    const mm = model.graph.nodes[0];
    expect(origin.get(mm)?.name).toBe('fc');
    expect(mm.outputs[0]).toBe('y_MatMul');
    expect(model.graph.nodes[1].outputs[0]).toBe('y');
    const w = model.graph.initializers.get(mm.inputs[1])!;
    expect(w.shape).toEqual([3, 2]);
    expect(Array.from(w.data as Float32Array)).toEqual([0.5, 1, 0, 0.5, -0.5, 0]);
    // 0.5·(x·Bᵀ) + 2·C = 0.5·[1 − 3, 2 + 2] + [20, −2] = [19, 0].
    const x = Tensor.from('float32', [1, 3], [1, 2, 3]);
    expect(Array.from(createSession(model).run({ x }).y.data as Float32Array)).toEqual([19, 0]);
    expect(Array.from(createSession(gemm).run({ x }).y.data as Float32Array)).toEqual([19, 0]);
    // The same names on every call, so calibrate and quantizeStatic agree.
    expect(splitGemm(gemm).model.graph.nodes.map((n) => n.outputs[0])).toEqual(['y_MatMul', 'y']);
  });

  it('keeps Gemms it cannot split, or is told to skip', () => {
    const transA = makeModel([op('Gemm', ['x', 'B'], ['y'], { transA: { type: 'int', value: 1 } }, 'g')], { B: Tensor.from('float32', [3, 2], new Float32Array(6)) }, [{ name: 'x', shape: [3, 1] }], ['y']);
    expect(splitGemm(transA).model.graph.nodes[0].opType).toBe('Gemm');
    const dynamicB = makeModel([op('Gemm', ['x', 'b'], ['y'], {}, 'g')], {}, [{ name: 'x', shape: [1, 3] }, { name: 'b', shape: [3, 2] }], ['y']);
    expect(splitGemm(dynamicB).model.graph.nodes[0].opType).toBe('Gemm');
    expect(splitGemm(gemm, new Set(['fc'])).model.graph.nodes[0].opType).toBe('Gemm');
    expect(splitGemm(gemm, new Set(['Gemm'])).model.graph.nodes).toEqual(gemm.graph.nodes);
  });
});
