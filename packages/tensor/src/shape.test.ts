import { describe, expect, it } from 'vitest';
import { broadcastIndex, broadcastShapes, broadcastStrides, computeStrides, normalizeAxis, resolveReshape, resolveSliceRange, shapeSize, validateShape } from './shape';
import { ShapeError } from './shape-error';
import { ValueError } from './value-error';

describe('shapes', () => {
  it('computes sizes and row-major strides', () => {
    expect(shapeSize([])).toBe(1);
    expect(shapeSize([2, 0, 5])).toBe(0);
    expect(computeStrides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(computeStrides([])).toEqual([]);
  });

  it('rejects negative, fractional and overflowing dims', () => {
    expect(() => validateShape([2, -1])).toThrow(ShapeError);
    expect(() => validateShape([2, 1.5], 'dims')).toThrow(/dims\[1\]/);
    const err = (() => {
      try {
        validateShape([2 ** 30, 2 ** 30, 2 ** 30]);
      } catch (e) {
        return e as ShapeError;
      }
    })();
    expect(err?.code).toBe('ERR_OVERFLOW');
  });

  it('normalizes axes', () => {
    expect(normalizeAxis(-1, 4)).toBe(3);
    expect(normalizeAxis(0, 1)).toBe(0);
    expect(() => normalizeAxis(4, 4)).toThrow(ValueError);
    expect(() => normalizeAxis(-5, 4)).toThrow(/\[-4, 3\]/);
  });

  // Worked examples from NumPy's broadcasting documentation.
  it('broadcasts as NumPy does', () => {
    expect(broadcastShapes([256, 256, 3], [3])).toEqual([256, 256, 3]);
    expect(broadcastShapes([8, 1, 6, 1], [7, 1, 5])).toEqual([8, 7, 6, 5]);
    expect(broadcastShapes([5, 4], [1])).toEqual([5, 4]);
    expect(broadcastShapes([5, 4], [4])).toEqual([5, 4]);
    expect(broadcastShapes([15, 3, 5], [15, 1, 5])).toEqual([15, 3, 5]);
    expect(broadcastShapes([15, 3, 5], [3, 5])).toEqual([15, 3, 5]);
    expect(broadcastShapes([15, 3, 5], [3, 1])).toEqual([15, 3, 5]);
    expect(broadcastShapes([], [2, 3])).toEqual([2, 3]);
    expect(broadcastShapes([0, 1], [1, 3])).toEqual([0, 3]);
    expect(() => broadcastShapes([3], [4])).toThrow(ShapeError);
    expect(() => broadcastShapes([2, 1], [8, 4, 3])).toThrow(/dim 1/);
  });

  it('maps broadcast output indexes to input indexes', () => {
    // np.broadcast_to(np.arange(3).reshape(3, 1), (2, 3, 4)).ravel()
    const out = [2, 3, 4];
    const strides = broadcastStrides([3, 1], out);
    expect(strides).toEqual([0, 1, 0]);
    const got = Array.from({ length: 24 }, (_, i) => broadcastIndex(i, out, strides));
    expect(got).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(() => broadcastStrides([3], [2, 4])).toThrow(ShapeError);
  });
});

describe('resolveSliceRange', () => {
  it('follows ONNX Slice (worked with numpy: np.arange(5)[start:end:step])', () => {
    expect(resolveSliceRange(5, 1, 3, 1)).toEqual({ start: 1, count: 2 }); // [1, 2]
    expect(resolveSliceRange(5, -1, -6, -2)).toEqual({ start: 4, count: 3 }); // [4, 2, 0]
    expect(resolveSliceRange(5, 0, 1000, 1)).toEqual({ start: 0, count: 5 });
    expect(resolveSliceRange(5, 3, 1, 1)).toEqual({ start: 3, count: 0 });
    expect(resolveSliceRange(5, 10, -10, -1)).toEqual({ start: 4, count: 5 }); // [4, 3, 2, 1, 0]
    expect(resolveSliceRange(0, 0, 1, 1)).toEqual({ start: 0, count: 0 });
  });
});

describe('resolveReshape', () => {
  it('follows ONNX Reshape (hand-checked: -1 inferred, 0 copies a dim unless allowZero)', () => {
    expect(resolveReshape([2, 3, 4], [0, -1])).toEqual([2, 12]);
    expect(resolveReshape([2, 3, 4], [4, -1, 2])).toEqual([4, 3, 2]);
    expect(resolveReshape([0, 3], [0, 5], true)).toEqual([0, 5]);
    expect(() => resolveReshape([2, 3, 4], [-1, -1])).toThrow(/more than one -1/);
    expect(() => resolveReshape([2, 3, 4], [5, -1])).toThrow(/cannot infer -1/);
    expect(() => resolveReshape([2, 3, 4], [2, 3, 5])).toThrow(/24 elements/);
    expect(() => resolveReshape([6], [0, 0])).toThrow(/copies dim 1 \(0\) but the input \[6\] has rank 1/);
    expect(() => resolveReshape([6], [2, -3])).toThrow(ShapeError);
  });
});
