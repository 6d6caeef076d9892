import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { A, expectClose, f32, i64, runOp } from '../__fixtures__/graph-builder';
import { erf } from '@qint/kernels';

describe('unary ops', () => {
  it('activations (hand-checked values)', () => {
    const x = f32([5], [-2, -0.5, 0, 0.5, 3]);
    expect(runOp('Relu', [x])[0].toArray()).toEqual([0, 0, 0, 0.5, 3]);
    expect(runOp('LeakyRelu', [x], { alpha: A.float(0.5) })[0].toArray()).toEqual([-1, -0.25, 0, 0.5, 3]);
    // HardSigmoid(0.2x + 0.5) clamped: -2 → 0.1, -0.5 → 0.4, 0 → 0.5, 0.5 → 0.6, 3 → 1
    expectClose(runOp('HardSigmoid', [x])[0].toArray(), [0.1, 0.4, 0.5, 0.6, 1]);
    // HardSwish x·clamp(x/6 + 0.5): -2 → -2·(1/6) = -1/3; 3 → 3·1 = 3; 0.5 → 0.5·(7/12)
    expectClose(runOp('HardSwish', [x], {}, { opset: 14 })[0].toArray(), [-1 / 3, -0.5 * (5 / 12), 0, 0.5 * (7 / 12), 3]);
    expectClose(runOp('Sigmoid', [f32([3], [0, 2, -100])])[0].toArray(), [0.5, 1 / (1 + Math.exp(-2)), 3.720076e-44], 1e-7);
    expectClose(runOp('Tanh', [f32([2], [0, 1])])[0].toArray(), [0, 0.7615941559557649]);
    expect(runOp('Relu', [Tensor.from('int8', [3], [-3, 0, 4])], {}, { opset: 14 })[0].toArray()).toEqual([0, 0, 4]);
  });

  it('erf matches tabulated values (A&S table 7.1) to float32 precision', () => {
    const table: [number, number][] = [
      [0.1, 0.1124629160],
      [0.5, 0.5204998778],
      [1, 0.8427007929],
      [1.5, 0.9661051465],
      [2, 0.9953222650],
      [3, 0.9999779095],
    ];
    for (const [x, e] of table) {
      expect(Math.abs(erf(x) - e)).toBeLessThan(1e-7);
      expect(Math.abs(erf(-x) + e)).toBeLessThan(1e-7);
    }
    expect(erf(1e-4)).toBeCloseTo(1.1283791671e-4, 12);
    expectClose(runOp('Erf', [f32([2], [0, 1])])[0].toArray(), [0, 0.8427007929]);
  });

  it('Gelu (opset 20): exact and tanh approximations', () => {
    // 0.5·x·(1 + erf(x/√2)); at x=1: 0.5·(1 + 0.6826894921) = 0.8413447461
    expectClose(runOp('Gelu', [f32([3], [-1, 0, 1])], {}, { opset: 20 })[0].toArray(), [-0.1586552539, 0, 0.8413447461]);
    // tanh form at x=1: 0.5·(1 + tanh(√(2/π)·1.044715)) = 0.8411919906
    expectClose(runOp('Gelu', [f32([1], [1])], { approximate: A.str('tanh') }, { opset: 20 })[0].toArray(), [0.8411919906]);
  });

  it('math functions and Round half to even', () => {
    expect(runOp('Round', [f32([6], [0.5, 1.5, 2.5, -0.5, -1.5, 2.4])])[0].toArray()).toEqual([0, 2, 2, -0, -2, 2]);
    expect(runOp('Abs', [i64([-3, 4])])[0].data).toEqual(BigInt64Array.from([3n, 4n]));
    expect(runOp('Neg', [Tensor.from('int32', [2], [5, -7])])[0].toArray()).toEqual([-5, 7]);
    expect(runOp('Sqrt', [f32([2], [4, 2])])[0].toArray()).toEqual([2, Math.fround(Math.SQRT2)]);
    expect(runOp('Reciprocal', [f32([1], [4])])[0].toArray()).toEqual([0.25]);
    expect(runOp('Floor', [f32([2], [-1.5, 1.5])])[0].toArray()).toEqual([-2, 1]);
    expect(runOp('Sign', [f32([3], [-2, 0, 3])])[0].toArray()).toEqual([-1, 0, 1]);
    expectClose(runOp('Exp', [f32([1], [1])])[0].toArray(), [Math.E]);
    expectClose(runOp('Log', [f32([1], [Math.E])])[0].toArray(), [1]);
  });

  it('Clip: attributes before opset 11, optional inputs after', () => {
    const x = f32([4], [-3, -1, 1, 3]);
    expect(runOp('Clip', [x], { min: A.float(-2), max: A.float(2) }, { opset: 6 })[0].toArray()).toEqual([-2, -1, 1, 2]);
    expect(runOp('Clip', [x, f32([], [0]), f32([], [2])], {}, { opset: 11 })[0].toArray()).toEqual([0, 0, 1, 2]);
    expect(runOp('Clip', [x, null, f32([], [0])], {}, { opset: 13 })[0].toArray()).toEqual([-3, -1, 0, 0]);
    expect(runOp('Clip', [x], {}, { opset: 13 })[0].toArray()).toEqual([-3, -1, 1, 3]);
    expect(runOp('Clip', [Tensor.from('int32', [3], [-9, 5, 9]), Tensor.scalar('int32', 0), Tensor.scalar('int32', 6)], {}, { opset: 13 })[0].toArray()).toEqual([0, 5, 6]);
  });

  it('Cast: truncation toward zero, bool, int64 and float16', () => {
    const x = f32([4], [-1.7, 2.9, 0, 300]);
    expect(runOp('Cast', [x], { to: A.int(6) })[0].toArray()).toEqual([-1, 2, 0, 300]);
    expect(runOp('Cast', [x], { to: A.int(9) })[0].toArray()).toEqual([1, 1, 0, 1]);
    const big = runOp('Cast', [x], { to: A.int(7) })[0];
    expect(big.dtype).toBe('int64');
    expect(Array.from(big.data as BigInt64Array)).toEqual([-1n, 2n, 0n, 300n]);
    expect(runOp('Cast', [i64([3, -4])], { to: A.int(1) })[0].toArray()).toEqual([3, -4]);
    const h = runOp('Cast', [f32([2], [0.5, 1 / 3])], { to: A.int(10) })[0];
    expect(h.dtype).toBe('float16');
    expect(h.toArray()).toEqual([0.5, 0.333251953125]);
    // int64 → int32 wraps modulo 2^32 exactly, as a C cast does
    expect(runOp('Cast', [Tensor.from('int64', [1], [2n ** 32n + 5n])], { to: A.int(6) })[0].toArray()).toEqual([5]);
    expect(() => runOp('Cast', [x], { to: A.int(8) })).toThrowError(/unsupported/);
  });

  it('Identity and Dropout (inference) pass the input through; Dropout mask is all true', () => {
    const x = f32([2], [1, 2]);
    expect(runOp('Identity', [x])[0].toArray()).toEqual([1, 2]);
    const [y, mask] = runOp('Dropout', [x, f32([], [0.5])], {}, { opset: 13, outputs: 2 });
    expect(y.toArray()).toEqual([1, 2]);
    expect(mask.dtype).toBe('bool');
    expect(mask.toArray()).toEqual([1, 1]);
    expect(runOp('Dropout', [x], { ratio: A.float(0.3) }, { opset: 7 })[0].toArray()).toEqual([1, 2]);
    // A constant training_mode = true now trains (random-ops.ts): seed 0 draws NumPy's [0.5488, 0.7152] ≥ 0.5 → both kept, ×2.
    expect(runOp('Dropout', [x, { init: f32([], [0.5]) }, { init: Tensor.from('bool', [], [1]) }], { seed: A.int(0) }, { opset: 13 })[0].toArray()).toEqual([2, 4]);
  });

  it('Not and IsNaN', () => {
    expect(runOp('Not', [Tensor.from('bool', [2], [1, 0])])[0].toArray()).toEqual([0, 1]);
    expect(runOp('IsNaN', [f32([2], [NaN, 1])])[0].toArray()).toEqual([1, 0]);
  });

  it('float ops reject integer inputs with a DTypeError naming the op', () => {
    expect(() => runOp('Sigmoid', [Tensor.from('int32', [1], [1])])).toThrowError(expect.objectContaining({ code: 'ERR_DTYPE', message: expect.stringContaining('Sigmoid') }));
  });
});
