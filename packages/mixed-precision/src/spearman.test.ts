import { ValueError } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { spearman } from './spearman';

describe('spearman', () => {
  it('matches the SciPy documentation example (ties in y get rank 3.5)', () => {
    // By hand: ranks x = 1..5, y = [1, 2, 3.5, 5, 3.5]; Σdxdy = 8, Σdx² = 10, Σdy² = 9.5 → 8 / √95.
    expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(8 / Math.sqrt(95), 15);
    expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(0.8207826816681233, 15); // scipy.stats.spearmanr
  });

  it('matches scipy.stats.spearmanr with ties on both sides and on random data', () => {
    expect(spearman([1, 1, 2, 2, 3, 4, 4, 4, 5, 6], [3, 1, 2, 2, 5, 5, 4, 6, 6, 0])).toBeCloseTo(0.33023249074309274, 14);
    const a = [0.126, -0.132, 0.64, 0.105, -0.536, 0.362, 1.304, 0.947, -0.704, -1.265, -0.623, 0.041, -2.325, -0.219, -1.246, -0.732, -0.544, -0.316, 0.412, 1.043];
    const b = [-0.066, 1.3, -0.345, 0.404, 0.635, 0.275, -0.091, -0.448, -0.81, -0.412, -1.321, -0.189, -1.322, 0.431, -0.408, -0.011, -0.926, -0.288, 0.99, 2.015];
    expect(spearman(a, b)).toBeCloseTo(0.4917293233082706, 14);
    expect(spearman(Float64Array.from(a), Float32Array.from(b))).toBeCloseTo(0.4917293233082706, 14);
  });

  it('is ±1 for monotone relations and NaN for a constant sample', () => {
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    expect(spearman([1, 2, 3, 4], [1, 10, 100, 1000])).toBe(1);
    expect(spearman([1, 2, 3], [7, 7, 7])).toBeNaN();
  });

  it('rejects mismatched, short or non-finite input', () => {
    expect(() => spearman([1, 2], [1])).toThrow(ValueError);
    expect(() => spearman([1], [1])).toThrow(/at least 2 pairs/);
    expect(() => spearman([1, Number.NaN], [1, 2])).toThrow(/xs\[1\] must be a finite number/);
  });
});
