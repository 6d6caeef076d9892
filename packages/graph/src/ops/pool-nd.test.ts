import { describe, expect, it } from 'vitest';
import { A, f32, runOp } from '../__fixtures__/graph-builder';

describe('N-D pooling and ConvTranspose', () => {
  const v = f32([1, 1, 2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
  it('3-D MaxPool with Indices, AveragePool with padding', () => {
    const [y, i] = runOp('MaxPool', [v], { kernel_shape: A.ints([2, 2, 2]) }, { opset: 12, outputs: 2 });
    expect([y.shape, y.toArray(), i.toArray()]).toEqual([[1, 1, 1, 1, 1], [8], [7]]);
    expect(runOp('AveragePool', [v], { kernel_shape: A.ints([2, 2, 2]) }, { opset: 11 })[0].toArray()).toEqual([4.5]);
    const padded = runOp('AveragePool', [v], { kernel_shape: A.ints([1, 1, 2]), pads: A.ints([0, 0, 1, 0, 0, 0]), count_include_pad: A.int(1) }, { opset: 11 })[0];
    // each row [a, b] pooled as (pad, a) and (a, b), the pad counted: [a / 2, (a + b) / 2]
    expect(padded.toArray()).toEqual([0.5, 1.5, 1.5, 3.5, 2.5, 5.5, 3.5, 7.5]);
  });

  it('MaxPool storage_order = 1 gives column-major Indices', () => {
    const x = f32([1, 1, 2, 3], [1, 2, 3, 4, 9, 6]);
    const [, i] = runOp('MaxPool', [x], { kernel_shape: A.ints([2, 3]), storage_order: A.int(1) }, { opset: 12, outputs: 2 });
    expect(i.toArray()).toEqual([3]); // row 1, column 1 → 1·H + 1
  });

  it('3-D ConvTranspose', () => {
    const y = runOp('ConvTranspose', [f32([1, 1, 1, 1, 2], [1, 2]), { init: f32([1, 1, 1, 1, 2], [1, 10]) }], {}, { opset: 11 })[0];
    expect([y.shape, y.toArray()]).toEqual([[1, 1, 1, 1, 3], [1, 12, 20]]);
  });
});
