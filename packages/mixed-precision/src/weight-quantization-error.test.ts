import { ShapeError, ValueError } from '@qint/tensor';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { QuantScheme } from './sensitivity-table';
import { weightQuantizationError } from './weight-quantization-error';

const f32 = (xs: number[]) => Float32Array.from(xs);
const sq = (x: number) => Math.fround(x) ** 2;

describe('weightQuantizationError: hand-checked tiny matrices', () => {
  it('symmetric 2-bit per channel: scale = absmax / 1, −0.5 rounds to even (0)', () => {
    // ŵ = [0, 0, 0, 1]; error = 0.1² + 0.5² + 0.25² (0.1 as float32).
    const w = f32([0.1, -0.5, 0.25, 1]);
    expect(weightQuantizationError(w, [1, 4], { bits: 2, granularity: 'per-channel' })).toBeCloseTo(sq(0.1) + 0.25 + 0.0625, 15);
  });

  it('symmetric 3-bit: 1.5 and 2.5 both round to 2', () => {
    // absmax 3, qmax 3 → scale 1; ŵ = [3, 2, 2, −0]; error 0.25 · 3, exactly.
    expect(weightQuantizationError(f32([3, 1.5, 2.5, -0.5]), [1, 4], { bits: 3, granularity: 'per-channel' })).toBe(0.75);
  });

  it('per-block groups are independent; a row-wide scale would be coarser', () => {
    // Row 0 = [3, 1.5 | 1, −0.5], block 2, 3 bits: block 0 scale 1 → ŵ [3, 2], error 0.25; block 1 scale 1/3 →
    // 1/(1/3) = 3, −0.5/(1/3) = −1.5 → −2 → ŵ −2/3, error (1/6)² (float32 scale). Row 1 all zero: no error, no NaN.
    const w = f32([3, 1.5, 1, -0.5, 0, 0, 0, 0]);
    const third = Math.fround(1 / 3);
    const expected = 0.25 + (1 - Math.fround(3 * third)) ** 2 + (-0.5 - Math.fround(-2 * third)) ** 2;
    expect(weightQuantizationError(w, [2, 4], { bits: 3, granularity: 'per-block', blockSize: 2 })).toBeCloseTo(expected, 12);
    // Per channel, row 0 shares scale 1: ŵ = [3, 2, 1, −0] → 0.25 + 0 + 0.25.
    expect(weightQuantizationError(w, [2, 4], { bits: 3, granularity: 'per-channel' })).toBe(0.5);
  });

  it('affine: range widened to contain 0, zero point rounded, error exact for on-grid weights', () => {
    // Row 0 [−1, 0, 1, 2]: lo −1, hi 2, 2 bits → scale 1, zp 1, all on the grid. Row 1 [0.5, 1, 3, 0]: lo 0, hi 3,
    // scale 1, zp 0; 0.5 rounds to 0 → error 0.25.
    const w = f32([-1, 0, 1, 2, 0.5, 1, 3, 0]);
    expect(weightQuantizationError(w, [2, 4], { bits: 2, granularity: 'per-channel', affine: true })).toBe(0.25);
    // Per tensor: lo −1, hi 3 → scale 4/3, zp round(0.75) = 1; levels −4/3, 0, 4/3, 8/3 →
    // errors 1/9 (−1), 0, 1/9 (1), 4/9 (2), 1/4 (0.5), 1/9 (1), 1/9 (3), 0 → 8/9 + 1/4.
    expect(weightQuantizationError(w, [2, 4], { bits: 2, granularity: 'per-tensor', affine: true })).toBeCloseTo(8 / 9 + 1 / 4, 6);
  });

  it('input energy weights each column; float candidates are exact', () => {
    const w = f32([0.1, -0.5, 0.25, 1]);
    const energy = f32([1, 0, 2, 0.5]);
    expect(weightQuantizationError(w, [1, 4], { bits: 2, granularity: 'per-channel' }, energy)).toBeCloseTo(sq(0.1) + 2 * 0.0625, 15);
    expect(weightQuantizationError(w, [1, 4], { bits: 32, granularity: 'float' })).toBe(0);
    expect(weightQuantizationError(new Float32Array(0), [0, 4], { bits: 4, granularity: 'per-channel' })).toBe(0);
  });
});

describe('weightQuantizationError: against an independent NumPy implementation', () => {
  const fx = JSON.parse(readFileSync(new URL('../test/__fixtures__/weight-error.json', import.meta.url), 'utf8')) as {
    n: number;
    k: number;
    weights: number[];
    energy: number[];
    cases: { scheme: QuantScheme; error: number; weightedError: number }[];
  };
  const w = Float32Array.from(fx.weights);
  const e = Float32Array.from(fx.energy);
  for (const c of fx.cases) {
    it(`${JSON.stringify(c.scheme)}`, () => {
      // Same float32 quantization; only the float64 summation order may differ.
      expect(weightQuantizationError(w, [fx.n, fx.k], c.scheme)).toBeCloseTo(c.error, 9);
      expect(weightQuantizationError(w, [fx.n, fx.k], c.scheme, e)).toBeCloseTo(c.weightedError, 9);
    });
  }
  it('errors fall as bits rise (sanity of the fixture)', () => {
    const byBits = (bits: number) => weightQuantizationError(w, [fx.n, fx.k], { bits, granularity: 'per-block', blockSize: 32 });
    expect(byBits(2)).toBeGreaterThan(byBits(3));
    expect(byBits(3)).toBeGreaterThan(byBits(4));
    expect(byBits(4)).toBeGreaterThan(byBits(8));
  });
});

describe('weightQuantizationError: bad input', () => {
  const w = f32([1, 2, 3, 4]);
  it('throws typed errors naming the argument', () => {
    expect(() => weightQuantizationError(w, [2, 3], { bits: 4, granularity: 'per-channel' })).toThrow(ShapeError);
    expect(() => weightQuantizationError(w, [2, 2], { bits: 4, granularity: 'per-channel' }, f32([1]))).toThrow(/inputEnergy has 1 elements, expected k = 2/);
    expect(() => weightQuantizationError(f32([1, Number.NaN]), [1, 2], { bits: 4, granularity: 'per-channel' })).toThrow(/weights\[1\] is NaN/);
    expect(() => weightQuantizationError(w, [2, 2], { bits: 4, granularity: 'per-channel' }, f32([1, -1]))).toThrow(/inputEnergy\[1\]/);
    expect(() => weightQuantizationError(w, [2, 2], { bits: 1, granularity: 'per-channel' })).toThrow(ValueError);
    expect(() => weightQuantizationError(w, [2, 2], { bits: 4, granularity: 'per-block' })).toThrow(/blockSize/);
    expect(() => weightQuantizationError(w, [2, 2], { bits: 4, granularity: 'per-row' as 'per-block' })).toThrow(/granularity/);
    expect(() => weightQuantizationError(f32([1e9, 1]), [1, 2], { bits: 4, granularity: 'per-channel', scaleBytes: 2 })).toThrow(/overflows/);
  });
});
