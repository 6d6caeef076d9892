import { describe, expect, it } from 'vitest';
import { A, expectClose, f32, runOp } from '../__fixtures__/graph-builder';

describe('Resize: cubic and antialias', () => {
  const x = f32([1, 1, 1, 4], [0, 1, 2, 3]);
  const empty = f32([0], []);
  it('cubic (a = −0.75, edge taps clamped) upsampling a ramp', () => {
    const y = runOp('Resize', [x, empty, f32([4], [1, 1, 1, 2])], { mode: A.str('cubic'), coordinate_transformation_mode: A.str('asymmetric') }, { opset: 13 })[0];
    // x = 0.5 → 0·w(1.5) + 0·w(0.5) + 1·w(0.5) + 2·w(1.5) with w(0.5) = 0.59375, w(1.5) = −0.09375; interior is exact.
    expectClose(y.toArray().slice(0, 4), [0, 0.40625, 1, 1.5]);
  });
  it('antialiased linear downsampling widens the triangle to 1/scale', () => {
    const y = runOp('Resize', [x, empty, f32([4], [1, 1, 1, 0.5])], { mode: A.str('linear'), antialias: A.int(1) }, { opset: 18 })[0];
    // weights [1, 3, 3, 1]/8 around 0.5 and 2.5, edge indices clamped
    expectClose(y.toArray(), [0.625, 2.375]);
  });
});
