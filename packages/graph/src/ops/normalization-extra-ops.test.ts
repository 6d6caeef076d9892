import { describe, expect, it } from 'vitest';
import { A, expectClose, f32, runOp } from '../__fixtures__/graph-builder';

describe('LRN', () => {
  it('divides by (bias + α/size · Σ x² over neighbouring channels)^β', () => {
    // [1, 3, 1, 1] = [1, 2, 3], size 3: sums of squares over {0,1}, {0,1,2}, {1,2} = 5, 14, 13
    const y = runOp('LRN', [f32([1, 3, 1, 1], [1, 2, 3])], { size: A.int(3), alpha: A.float(0.3), beta: A.float(0.5), bias: A.float(1) }, { opset: 13 })[0];
    expectClose(y.toArray(), [1 / Math.sqrt(1 + 0.1 * 5), 2 / Math.sqrt(1 + 0.1 * 14), 3 / Math.sqrt(1 + 0.1 * 13)]);
    // size 2: window [c, c + 1] (⌊1/2⌋ = 0 below, ⌈1/2⌉ = 1 above): 5, 13, 9
    const y2 = runOp('LRN', [f32([1, 3, 1, 1], [1, 2, 3])], { size: A.int(2), alpha: A.float(0.2), beta: A.float(1), bias: A.float(1) }, { opset: 13 })[0];
    expectClose(y2.toArray(), [1 / (1 + 0.1 * 5), 2 / (1 + 0.1 * 13), 3 / (1 + 0.1 * 9)]);
    expect(() => runOp('LRN', [f32([1, 3, 1, 1], [1, 2, 3])], {}, { opset: 13 })).toThrow(/"size" is required/);
  });
});

describe('LpNormalization', () => {
  it('divides by the L2 (default) or L1 norm along the axis; a zero norm gives zeros', () => {
    expectClose(runOp('LpNormalization', [f32([2, 2], [3, 4, 6, 8])])[0].toArray(), [0.6, 0.8, 0.6, 0.8]);
    expectClose(runOp('LpNormalization', [f32([2, 2], [3, 4, 6, 8])], { axis: A.int(0), p: A.int(1) })[0].toArray(), [3 / 9, 4 / 12, 6 / 9, 8 / 12]);
    expect(runOp('LpNormalization', [f32([2, 2], [0, 0, 1, 0])])[0].toArray()).toEqual([0, 0, 1, 0]);
    expect(() => runOp('LpNormalization', [f32([2], [1, 1])], { p: A.int(3) })).toThrow(/p = 3 is not supported/);
  });
});

describe('MeanVarianceNormalization', () => {
  it('normalizes over axes [0, 2, 3] by default, with ε = 1e-9 added to the standard deviation', () => {
    // [1, 2, 1, 2]: channel 0 = [1, 3] (mean 2, std 1), channel 1 = [2, 2] (std 0 → 0 / 1e-9 = 0)
    const y = runOp('MeanVarianceNormalization', [f32([1, 2, 1, 2], [1, 3, 2, 2])], {}, { opset: 13 })[0];
    expectClose(y.toArray(), [-1 / (1 + 1e-9), 1 / (1 + 1e-9), 0, 0]);
    // axes [1]: per (n, h, w) over channels: pairs (1, 2) and (3, 2) → ±1
    expectClose(runOp('MeanVarianceNormalization', [f32([1, 2, 1, 2], [1, 3, 2, 2])], { axes: A.ints([1]) }, { opset: 13 })[0].toArray(), [-1, 1, 1, -1], 1e-6);
  });
});

describe('GroupNormalization', () => {
  it('normalizes each group over its channels and spatial dims; scale/bias per channel (21) or per group (18)', () => {
    // [1, 4, 1] = [1, 3, 5, 5]: groups {1, 3} (mean 2, var 1) and {5, 5} (var 0)
    const x = f32([1, 4, 1], [1, 3, 5, 5]);
    const eps = 0.25;
    const k = 1 / Math.sqrt(1 + eps);
    const y = runOp('GroupNormalization', [x, f32([4], [1, 2, 3, 4]), f32([4], [0, 0, 1, 1])], { num_groups: A.int(2), epsilon: A.float(eps) }, { opset: 21 })[0];
    expectClose(y.toArray(), [-k, 2 * k, 1, 1]);
    const y18 = runOp('GroupNormalization', [x, f32([2], [2, 1]), f32([2], [0, 1])], { num_groups: A.int(2), epsilon: A.float(eps) }, { opset: 18 })[0];
    expectClose(y18.toArray(), [-2 * k, 2 * k, 1, 1]);
    expect(() => runOp('GroupNormalization', [x, f32([4], [1, 1, 1, 1]), f32([4], [0, 0, 0, 0])], { num_groups: A.int(3) }, { opset: 21 })).toThrow(/num_groups 3 must divide the 4 channels/);
  });
});

describe('BatchNormalization training mode (opset 15)', () => {
  it('uses the batch statistics and updates the running ones with momentum', () => {
    // [2, 1, 1]: channel values [1, 3]: batch mean 2, biased variance 1
    const x = f32([2, 1, 1], [1, 3]);
    const [y, runMean, runVar] = runOp(
      'BatchNormalization',
      [x, f32([1], [2]), f32([1], [0.5]), f32([1], [10]), f32([1], [4])],
      { training_mode: A.int(1), epsilon: A.float(0), momentum: A.float(0.75) },
      { opset: 15, outputs: 3 },
    );
    expectClose(y.toArray(), [-2 + 0.5, 2 + 0.5]);
    expectClose(runMean.toArray(), [10 * 0.75 + 2 * 0.25]);
    expectClose(runVar.toArray(), [4 * 0.75 + 1 * 0.25]);
    // training_mode 0 still runs the inference form: (x − 10) / √4 · 2 + 0.5
    const inf = runOp('BatchNormalization', [x, f32([1], [2]), f32([1], [0.5]), f32([1], [10]), f32([1], [4])], { epsilon: A.float(0) }, { opset: 15 })[0];
    expectClose(inf.toArray(), [-9 + 0.5, -7 + 0.5]);
  });
});
