import { quantizeWeight } from '@qint/dynamic';
import { ShapeError, ValueError } from '@qint/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clipWeight } from './clip-weight';

const ones = (n: number) => Array.from({ length: n }, () => 1);

/** Squared error of min-max quantizing `clipped` (with @qint/dynamic's quantizer), measured against the unclipped `w`. */
function errorOf(w: Float32Array, clipped: Float32Array, n: number, k: number, bits: 2 | 3 | 4, blockSize: number): number {
  const q = quantizeWeight(clipped, n, k, {
    bits, granularity: blockSize ? 'per_block' : 'per_channel', blockSize: blockSize || k, symmetric: true, weightType: 'int8',
    reduceRange: false, convention: 'pytorch', rangeMethod: 'minmax', percentile: 100,
  }, 'test');
  const per = blockSize ? Math.ceil(k / blockSize) : 1;
  let e = 0;
  for (let r = 0; r < n; r++) for (let c = 0; c < k; c++) {
    const g = r * per + (blockSize ? Math.floor(c / blockSize) : 0);
    e += ((q.values[r * k + c] - (q.zeroPoints?.[g] ?? 0)) * q.scales[g] - w[r * k + c]) ** 2;
  }
  return e;
}

describe('clipWeight', () => {
  it('finds the hand-computed clipping of one outlier at 2 bits', () => {
    // PyTorch's symmetric int2: levels −2..1, scale = absmax / 1.5. Min-max: scale 2, every 1 rounds (half to even)
    // to 0 and 3 saturates at 2: error 7·1² + 1² = 8. Clipping to c·3 gives scale s = 2c and error 7(s−1)² + (3−s)²,
    // least at s = 1.25 (c = 0.625); on the grid 1, 0.98, …: c = 0.62, s = 1.24, error 7·0.0576 + 1.76² = 3.5008.
    const w = Float32Array.from([...ones(7), 3]);
    const r = clipWeight(w, [1, 8], { bits: 2, granularity: 'per-channel' });
    expect(r.errorBefore).toBeCloseTo(8, 5);
    expect(r.errorAfter).toBeCloseTo(3.5008, 5);
    expect(r.factors[0]).toBeCloseTo(0.62, 6);
    expect(Array.from(r.weights)).toEqual([...ones(7), Math.fround(Math.fround(3 * Math.fround(0.62)))].map(Math.fround));
    expect(Array.from(w)).toEqual([...ones(7), 3]); // the input is not changed
  });

  it('clips each block on its own and leaves a block alone when clipping does not help', () => {
    // Block 0 as above; block 1 (eight 1s): scale 2/3, 1 saturates at 2/3, error 8/9 — any clipping only shrinks the
    // top level further, so its factor stays 1.
    const w = Float32Array.from([...ones(7), 3, ...ones(8)]);
    const r = clipWeight(w, [1, 16], { bits: 2, granularity: 'per-block', blockSize: 8 });
    expect(r.factors[0]).toBeCloseTo(0.62, 6);
    expect(r.factors[1]).toBe(1);
    expect(r.errorBefore).toBeCloseTo(8 + 8 / 9, 5);
    expect(r.errorAfter).toBeCloseTo(3.5008 + 8 / 9, 5);
  });

  it('never does worse than min-max, and the stored model has exactly the reported error', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom<2 | 3 | 4>(2, 3, 4),
        fc.constantFrom(0, 8, 16),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (n, k, bits, blockSize, seed) => {
          let s = seed;
          const w = Float32Array.from({ length: n * k }, () => {
            s = (Math.imul(s, 1103515245) + 12345) >>> 0;
            const u = s / 2 ** 32 - 0.5;
            return Math.fround(u * u * u * 20); // heavy-tailed
          });
          const scheme = blockSize ? { bits, granularity: 'per-block' as const, blockSize } : { bits, granularity: 'per-channel' as const };
          const r = clipWeight(w, [n, k], scheme);
          expect(r.errorAfter).toBeLessThanOrEqual(r.errorBefore);
          expect(errorOf(w, r.weights, n, k, bits, blockSize)).toBeCloseTo(r.errorAfter, 9);
          expect(errorOf(w, w, n, k, bits, blockSize)).toBeCloseTo(r.errorBefore, 9);
          for (let i = 0; i < w.length; i++) expect(Math.abs(r.weights[i])).toBeLessThanOrEqual(Math.abs(w[i]));
        },
      ),
      { seed: 7, numRuns: 60 },
    );
  });

  it('rejects bad arguments by name', () => {
    expect(() => clipWeight(new Float32Array(3), [2, 2], { bits: 4, granularity: 'per-channel' })).toThrow(ShapeError);
    expect(() => clipWeight(new Float32Array(4), [2, 2], { bits: 32, granularity: 'float' })).toThrow(/granularity/);
    expect(() => clipWeight(new Float32Array(4), [2, 2], { bits: 5, granularity: 'per-channel' })).toThrow(/bits/);
    expect(() => clipWeight(new Float32Array(4), [2, 2], { bits: 4, granularity: 'per-channel' }, { minFactor: 0 })).toThrow(/minFactor/);
    expect(() => clipWeight(Float32Array.from([1, NaN, 0, 0]), [2, 2], { bits: 4, granularity: 'per-channel' })).toThrow(ValueError);
  });
});
