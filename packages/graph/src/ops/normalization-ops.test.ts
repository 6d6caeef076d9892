import { describe, expect, it } from 'vitest';
import { A, expectClose, f32, runOp } from '../__fixtures__/graph-builder';

describe('normalization', () => {
  it('BatchNormalization (inference) per channel', () => {
    // ch0: (x − 1)/2·1 + 0; ch1: (x − 3)/1·2 + 1
    const y = runOp('BatchNormalization', [f32([1, 2, 1, 2], [1, 2, 3, 4]), f32([2], [1, 2]), f32([2], [0, 1]), f32([2], [1, 3]), f32([2], [4, 1])], {
      epsilon: A.float(0),
    })[0];
    expect(y.toArray()).toEqual([0, 0.5, 1, 3]);
    expect(() =>
      // Before opset 14 training is refused (opset ≥ 14 runs it: normalization-extra-ops.test.ts).
      runOp('BatchNormalization', [f32([1, 1], [1]), f32([1], [1]), f32([1], [0]), f32([1], [0]), f32([1], [1])], { training_mode: A.int(1) }, { opset: 13 }),
    ).toThrowError(expect.objectContaining({ code: 'ERR_UNSUPPORTED_OP' }));
  });

  it('LayerNormalization: Y, Mean and InvStdDev over the trailing dims', () => {
    const [y, mean, inv] = runOp('LayerNormalization', [f32([2, 2], [1, 3, 2, 2]), f32([2], [2, 1]), f32([2], [0.5, 0])], {}, { outputs: 3 });
    const k = 1 / Math.sqrt(1 + 1e-5);
    expectClose(y.toArray(), [-2 * k + 0.5, k, 0.5, 0]);
    expect(mean.shape).toEqual([2, 1]);
    expect(mean.toArray()).toEqual([2, 2]);
    expectClose(inv.toArray(), [k, 1 / Math.sqrt(1e-5)], 0, 1e-6);
    // axis 0 normalizes everything: mean 2, variance 0.5
    const all = runOp('LayerNormalization', [f32([2, 2], [1, 3, 2, 2]), f32([2, 2], [1, 1, 1, 1])], { axis: A.int(0), epsilon: A.float(0) })[0];
    expectClose(all.toArray(), [-Math.SQRT2, Math.SQRT2, 0, 0]);
  });

  it('LayerNormalization rejects a Scale or B that does not fit the normalized dims (Y alone and with statistics)', () => {
    const x = f32([2, 3], [1, 2, 3, 4, 5, 6]);
    for (const outputs of [1, 3]) {
      expect(() => runOp('LayerNormalization', [x, f32([2], [1, 1])], {}, { outputs })).toThrow(/input Scale \[2\] does not match the normalized dims \[3\]/);
      expect(() => runOp('LayerNormalization', [x, f32([3], [1, 1, 1]), f32([2], [0, 0])], {}, { outputs })).toThrow(/input B \[2\] does not match the normalized dims \[3\]/);
    }
  });

  it('InstanceNormalization per (n, c) plane', () => {
    const y = runOp('InstanceNormalization', [f32([1, 2, 1, 2], [1, 3, 5, 5]), f32([2], [2, 1]), f32([2], [0, 7])], { epsilon: A.float(0) })[0];
    // plane 0: mean 2, var 1 → [−1, 1]·2; plane 1: var 0 → 0/0 guarded by ε = 0 → NaN in float math; use ε > 0 below
    expect(y.toArray().slice(0, 2)).toEqual([-2, 2]);
    const z = runOp('InstanceNormalization', [f32([1, 1, 1, 2], [5, 5]), f32([1], [1]), f32([1], [7])])[0];
    expect(z.toArray()).toEqual([7, 7]);
  });
});
