import { describe, expect, it } from 'vitest';
import { A, f32, runOp } from '../__fixtures__/graph-builder';

describe('DeformConv', () => {
  const x = f32([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const w = f32([1, 1, 2, 2], [1, 1, 1, 1]);
  it('with zero offsets is a plain convolution', () => {
    const y = runOp('DeformConv', [x, w, f32([1, 8, 2, 2], new Array(32).fill(0))], {}, { opset: 19 })[0];
    expect([y.shape, y.toArray()]).toEqual([[1, 1, 2, 2], [12, 16, 24, 28]]);
  });
  it('shifts taps by the offsets (zeros outside) and scales them by the mask', () => {
    const off = new Array(32).fill(0);
    for (let t = 0; t < 4; t++) for (let p = 0; p < 4; p++) off[(2 * t + 1) * 4 + p] = 1; // dx = 1 for every tap
    const y = runOp('DeformConv', [x, w, f32([1, 8, 2, 2], off), f32([1], [0.5]), f32([1, 4, 2, 2], new Array(16).fill(2))], {}, { opset: 19 })[0];
    // (2+3+5+6)·2 + 0.5, column 2 sees zeros past the edge: (3+6)·2 + 0.5
    expect(y.toArray()).toEqual([32.5, 18.5, 56.5, 30.5]);
  });
});
