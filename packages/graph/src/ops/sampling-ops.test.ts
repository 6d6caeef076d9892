import { describe, expect, it } from 'vitest';
import { A, f32, i64, runOp } from '../__fixtures__/graph-builder';

describe('resampling ops', () => {
  const x = f32([1, 1, 2, 2], [1, 2, 3, 4]);
  it('GridSample bilinear at the centre, nearest at a corner, zeros vs border outside', () => {
    const at = (g: number[], attrs: Record<string, ReturnType<typeof A.str>>) => runOp('GridSample', [x, f32([1, 1, 1, 2], g)], attrs, { opset: 20 })[0].toArray();
    expect(at([0, 0], {})).toEqual([2.5]);
    expect(at([-1, -1], { mode: A.str('nearest'), align_corners: A.int(1) })).toEqual([1]);
    expect(at([2, 2], {})).toEqual([0]);
    expect(at([2, 2], { padding_mode: A.str('border') })).toEqual([4]);
    // x = 1 (last dim), y = -1 with align_corners: the top-right pixel
    expect(at([1, -1], { align_corners: A.int(1) })).toEqual([2]);
  });

  it('AffineGrid of the identity is the base grid', () => {
    const g = runOp('AffineGrid', [f32([1, 2, 3], [1, 0, 0, 0, 1, 0]), i64([1, 1, 2, 2])], {}, { opset: 20 })[0];
    expect([g.shape, g.toArray()]).toEqual([[1, 2, 2, 2], [-0.5, -0.5, 0.5, -0.5, -0.5, 0.5, 0.5, 0.5]]);
  });

  it('Col2Im adds overlapping blocks', () => {
    // image [1, 3], block [1, 2]: two blocks at columns 0 and 1
    const y = runOp('Col2Im', [f32([1, 2, 2], [1, 2, 10, 20]), i64([1, 3]), i64([1, 2])], {}, { opset: 18 })[0];
    expect([y.shape, y.toArray()]).toEqual([[1, 1, 1, 3], [1, 12, 20]]);
  });

  it('MaxUnpool puts each value at its index', () => {
    const y = runOp('MaxUnpool', [f32([1, 1, 1, 1], [7]), i64([3], [1, 1, 1, 1])], { kernel_shape: A.ints([2, 2]), strides: A.ints([2, 2]) }, { opset: 11 })[0];
    expect([y.shape, y.toArray()]).toEqual([[1, 1, 2, 2], [0, 0, 0, 7]]);
  });

  it('RoiAlign averages bilinear samples (half_pixel) or takes the single sample', () => {
    const rois = f32([1, 4], [0, 0, 2, 2]);
    const y = runOp('RoiAlign', [x, rois, i64([0])], { sampling_ratio: A.int(1) }, { opset: 16 })[0];
    expect([y.shape, y.toArray()]).toEqual([[1, 1, 1, 1], [2.5]]);
    const o = runOp('RoiAlign', [x, rois, i64([0])], { sampling_ratio: A.int(1), coordinate_transformation_mode: A.str('output_half_pixel') }, { opset: 16 })[0];
    expect(o.toArray()).toEqual([4]);
  });
});
