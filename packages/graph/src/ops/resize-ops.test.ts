import { describe, expect, it } from 'vitest';
import { A, expectClose, f32, i64, runOp } from '../__fixtures__/graph-builder';

const empty = f32([0], []);

describe('Resize and Upsample', () => {
  it('Upsample (opset 7 attribute, 9 input): asymmetric nearest with floor', () => {
    expect(runOp('Upsample', [f32([1, 2], [1, 2])], { scales: A.floats([1, 2]) }, { opset: 7 })[0].toArray()).toEqual([1, 1, 2, 2]);
    const y = runOp('Upsample', [f32([1, 1, 2, 2], [1, 2, 3, 4]), f32([4], [1, 1, 2, 1.5])], {}, { opset: 9 })[0];
    // rows doubled; width 2 → floor(2·1.5) = 3 columns at floor(j / 1.5) = 0, 0, 1
    expect([y.shape, y.toArray()]).toEqual([[1, 1, 4, 3], [1, 1, 2, 1, 1, 2, 3, 3, 4, 3, 3, 4]]);
  });

  it('Resize-10 behaves like Upsample (asymmetric, floor)', () => {
    expect(runOp('Resize', [f32([3], [1, 2, 3]), f32([1], [2])], {}, { opset: 10 })[0].toArray()).toEqual([1, 1, 2, 2, 3, 3]);
  });

  it('nearest, half_pixel + round_prefer_floor (defaults): up and down (ONNX resize_downsample_scales_nearest)', () => {
    expect(runOp('Resize', [f32([3], [1, 2, 3]), empty, f32([1], [2])], {}, { opset: 13 })[0].toArray()).toEqual([1, 1, 2, 2, 3, 3]);
    const x = f32([1, 1, 2, 4], [1, 2, 3, 4, 5, 6, 7, 8]);
    const y = runOp('Resize', [x, empty, f32([4], [1, 1, 0.6, 0.6])], {}, { opset: 13 })[0];
    expect([y.shape, y.toArray()]).toEqual([[1, 1, 1, 2], [1, 3]]);
  });

  it('nearest modes and coordinate modes with sizes', () => {
    const x = f32([4], [1, 2, 3, 4]);
    const run = (attrs: Record<string, ReturnType<typeof A.str>>) => runOp('Resize', [x, null, null, i64([8])], attrs, { opset: 13 })[0].toArray();
    // asymmetric: x/2 = 0, .5, 1, 1.5, 2, 2.5, 3, 3.5
    expect(run({ coordinate_transformation_mode: A.str('asymmetric'), nearest_mode: A.str('ceil') })).toEqual([1, 2, 2, 3, 3, 4, 4, 4]);
    expect(run({ coordinate_transformation_mode: A.str('asymmetric'), nearest_mode: A.str('floor') })).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
    expect(run({ coordinate_transformation_mode: A.str('asymmetric'), nearest_mode: A.str('round_prefer_ceil') })).toEqual([1, 2, 2, 3, 3, 4, 4, 4]);
    expect(run({ coordinate_transformation_mode: A.str('asymmetric'), nearest_mode: A.str('round_prefer_floor') })).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
    // align_corners: i·3/7 = 0, .43, .86, 1.29, 1.71, 2.14, 2.57, 3 → round_prefer_floor
    expect(run({ coordinate_transformation_mode: A.str('align_corners') })).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
    // tf_half_pixel_for_nn: (i + .5)/2 = .25, .75, 1.25, … → 0, 1, 1, 2, 2, 3, 3, 4→3
    expect(run({ coordinate_transformation_mode: A.str('tf_half_pixel_for_nn') })).toEqual([1, 2, 2, 3, 3, 4, 4, 4]);
  });

  it('linear (bilinear), half_pixel and align_corners (ONNX resize_upsample_scales_linear*)', () => {
    const x = f32([1, 1, 2, 2], [1, 2, 3, 4]);
    const scales = f32([4], [1, 1, 2, 2]);
    const hp = runOp('Resize', [x, empty, scales], { mode: A.str('linear') }, { opset: 13 })[0];
    expectClose(hp.toArray(), [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4]);
    const ac = runOp('Resize', [x, empty, scales], { mode: A.str('linear'), coordinate_transformation_mode: A.str('align_corners') }, { opset: 13 })[0];
    const t = 1 / 3;
    expectClose(ac.toArray(), [1, 1 + t, 1 + 2 * t, 2, 1 + 2 * t, 2, 2 + t, 2 + 2 * t, 2 + t, 2 + 2 * t, 3, 3 + t, 3, 3 + t, 3 + 2 * t, 4]);
  });

  it('tf_crop_and_resize uses roi and the extrapolation value', () => {
    const y = runOp('Resize', [f32([4], [1, 2, 3, 4]), f32([2], [0, 1.5]), null, i64([4])], {
      mode: A.str('linear'),
      coordinate_transformation_mode: A.str('tf_crop_and_resize'),
      extrapolation_value: A.float(10),
    }, { opset: 13 })[0];
    // x = 1.5·i over [0, 3]: 0, 1.5, 3, 4.5 (outside → 10)
    expect(y.toArray()).toEqual([1, 2.5, 4, 10]);
  });

  it('opset 18: axes and keep_aspect_ratio_policy', () => {
    const x = f32([1, 1, 2, 4], new Array(8).fill(1));
    const y = runOp('Resize', [x, null, null, i64([3, 3])], { axes: A.ints([2, 3]), keep_aspect_ratio_policy: A.str('not_larger') }, { opset: 18 })[0];
    expect(y.shape).toEqual([1, 1, 2, 3]);
    const s = runOp('Resize', [x, null, f32([2], [2, 0.5])], { axes: A.ints([2, 3]) }, { opset: 18 })[0];
    expect(s.shape).toEqual([1, 1, 4, 2]);
  });

  it('an unknown mode is reported unsupported at load (cubic is supported: resize-separable.test.ts)', () => {
    expect(() => runOp('Resize', [f32([2], [1, 2]), null, f32([1], [2])], { mode: A.str('lanczos') }, { opset: 13 })).toThrowError(/lanczos/);
  });
});
