import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { A, expectClose, f32, runOp } from '../__fixtures__/graph-builder';

const row = (v: number[]) => f32([1, 1, v.length], v); // 1-D pooling input [N, C, W]

describe('pooling', () => {
  it('MaxPool 2x2 stride 2 on a 4x4 ramp', () => {
    const x = f32([1, 1, 4, 4], Array.from({ length: 16 }, (_, i) => i));
    const y = runOp('MaxPool', [x], { kernel_shape: A.ints([2, 2]), strides: A.ints([2, 2]) })[0];
    expect([y.shape, y.toArray()]).toEqual([[1, 1, 2, 2], [5, 7, 13, 15]]);
  });

  it('MaxPool pads, ceil_mode, dilations, auto_pad SAME_UPPER / SAME_LOWER (1-D, hand-checked)', () => {
    const x = row([1, 2, 3, 4, 5]);
    const k2s2 = { kernel_shape: A.ints([2]), strides: A.ints([2]) };
    expect(runOp('MaxPool', [x], k2s2)[0].toArray()).toEqual([2, 4]);
    expect(runOp('MaxPool', [x], { ...k2s2, ceil_mode: A.int(1) }, { opset: 10 })[0].toArray()).toEqual([2, 4, 5]);
    expect(runOp('MaxPool', [x], { kernel_shape: A.ints([2]), dilations: A.ints([2]) }, { opset: 10 })[0].toArray()).toEqual([3, 4, 5]);
    expect(runOp('MaxPool', [x], { ...k2s2, auto_pad: A.str('SAME_UPPER') })[0].toArray()).toEqual([2, 4, 5]);
    expect(runOp('MaxPool', [x], { ...k2s2, auto_pad: A.str('SAME_LOWER') })[0].toArray()).toEqual([1, 3, 5]);
    // An unknown auto_pad is refused at load, by pools and convolutions alike.
    expect(() => runOp('MaxPool', [x], { ...k2s2, auto_pad: A.str('SAME') })).toThrowError(/auto_pad "SAME" is not one of NOTSET/);
    expect(() => runOp('Conv', [x, { init: f32([1, 1, 2], [1, 1]) }], { auto_pad: A.str('SAME') })).toThrowError(/auto_pad "SAME" is not one of NOTSET/);
    expect(runOp('MaxPool', [row([5, 1, 1])], { kernel_shape: A.ints([3]), pads: A.ints([1, 1]) })[0].toArray()).toEqual([5, 5, 1]);
    // ceil mode with pads: windows start at -1, 1, 3 over [4 elements + pads 1/1]
    expect(runOp('MaxPool', [row([1, 2, 3, 4])], { ...k2s2, pads: A.ints([1, 1]), ceil_mode: A.int(1) }, { opset: 10 })[0].toArray()).toEqual([1, 3, 4]);
  });

  it('MaxPool keeps integer dtypes and gives flat Indices', () => {
    const u8 = Tensor.from('uint8', [1, 1, 2, 2], [1, 200, 3, 2]);
    const [y, idx] = runOp('MaxPool', [u8], { kernel_shape: A.ints([2, 2]) }, { opset: 12, outputs: 2 });
    expect([y.dtype, y.toArray()]).toEqual(['uint8', [200]]);
    expect([idx.dtype, idx.toArray()]).toEqual(['int64', [1]]);
    // second channel plane: index counts from the start of X
    const two = f32([1, 2, 1, 2], [1, 2, 9, 3]);
    expect(runOp('MaxPool', [two], { kernel_shape: A.ints([1, 2]) }, { opset: 12, outputs: 2 })[1].toArray()).toEqual([1, 2]);
  });

  it('AveragePool: count_include_pad 0/1, ceil-mode overhang not counted', () => {
    const x = row([1, 2, 3]);
    const base = { kernel_shape: A.ints([3]), pads: A.ints([1, 1]) };
    expectClose(runOp('AveragePool', [x], base)[0].toArray(), [1.5, 2, 2.5]);
    expectClose(runOp('AveragePool', [x], { ...base, count_include_pad: A.int(1) })[0].toArray(), [1, 2, 5 / 3]);
    const y = runOp('AveragePool', [row([1, 2, 3, 4])], { kernel_shape: A.ints([3]), strides: A.ints([2]), ceil_mode: A.int(1), count_include_pad: A.int(1) }, { opset: 10 })[0];
    expectClose(y.toArray(), [2, 3.5]);
    // 2-D 2x2 average
    expectClose(runOp('AveragePool', [f32([1, 1, 2, 2], [1, 2, 3, 4])], { kernel_shape: A.ints([2, 2]) })[0].toArray(), [2.5]);
  });

  it('GlobalAveragePool and GlobalMaxPool keep rank with 1s', () => {
    const x = f32([1, 2, 2, 2], [1, 2, 3, 4, 10, 20, 30, 40]);
    const y = runOp('GlobalAveragePool', [x])[0];
    expect([y.shape, y.toArray()]).toEqual([[1, 2, 1, 1], [2.5, 25]]);
    expect(runOp('GlobalMaxPool', [x])[0].toArray()).toEqual([4, 40]);
  });

  it('reports an empty kernel_shape as unsupported at load (3-D windows are supported: pool-nd.test.ts)', () => {
    expect(() => runOp('MaxPool', [f32([1, 1, 2, 2, 2], new Array(8).fill(0))], { kernel_shape: A.ints([]) })).toThrowError(
      expect.objectContaining({ code: 'ERR_UNSUPPORTED_OP' }),
    );
  });
});
