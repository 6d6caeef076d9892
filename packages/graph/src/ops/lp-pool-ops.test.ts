import { describe, expect, it } from 'vitest';
import { A, expectClose, f32, runOp } from '../__fixtures__/graph-builder';

describe('LpPool', () => {
  it('takes (Σ |x|^p)^(1/p) over each window; padding counts as zero', () => {
    // [1, 1, 4] = [3, -4, 0, 1], kernel 2, p 2: √(9 + 16) = 5, √16 = 4, √1 = 1
    const x = f32([1, 1, 4], [3, -4, 0, 1]);
    expectClose(runOp('LpPool', [x], { kernel_shape: A.ints([2]) }, { opset: 18 })[0].toArray(), [5, 4, 1]);
    // p 1, stride 2, pads 1 on each side: windows [pad, 3], [-4, 0], [1, pad] → 3, 4, 1
    expectClose(runOp('LpPool', [x], { kernel_shape: A.ints([2]), p: A.int(1), strides: A.ints([2]), pads: A.ints([1, 1]) }, { opset: 18 })[0].toArray(), [3, 4, 1]);
  });

  it('2-D windows with dilations, and 3-D windows', () => {
    // 3×3 plane, kernel 2×2 dilated by 2: the four corners 1, 3, 7, 9 → √(1 + 9 + 49 + 81)
    const x = f32([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const y = runOp('LpPool', [x], { kernel_shape: A.ints([2, 2]), dilations: A.ints([2, 2]) }, { opset: 18 })[0];
    expect(y.shape).toEqual([1, 1, 1, 1]);
    expectClose(y.toArray(), [Math.sqrt(140)]);
    const cube = runOp('LpPool', [f32([1, 1, 2, 2, 2], [1, 1, 1, 1, 1, 1, 1, 1])], { kernel_shape: A.ints([2, 2, 2]), p: A.int(3) }, { opset: 18 })[0];
    expectClose(cube.toArray(), [Math.cbrt(8)]);
  });
});
