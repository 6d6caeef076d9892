import { describe, expect, it } from 'vitest';
import { dynamicParamsFromRange } from './internal/dynamic-quant';
import { maxCenteredMagnitude, maxSafeK, MAX_SAFE_K_8BIT, roundHalfToEven, roundToFloat16, saturate } from './numerics';

describe('numerics', () => {
  it('rounds half to even like numpy.rint', () => {
    const cases: [number, number][] = [[0.5, 0], [1.5, 2], [2.5, 2], [-0.5, -0], [-1.5, -2], [-2.5, -2], [2.4999999, 2], [1e15 + 0.5, 1e15], [-7, -7]];
    for (const [v, r] of cases) expect(roundHalfToEven(v)).toBe(r);
    expect(roundHalfToEven(NaN)).toBeNaN();
    expect(roundHalfToEven(-Infinity)).toBe(-Infinity);
  });

  it('derives DynamicQuantizeLinear params from a range (hand-checked)', () => {
    // scale = f32(4 / 255); −lo / scale = 63.75 → 64.
    expect(dynamicParamsFromRange(-1, 3)).toEqual({ scale: Math.fround(4 / 255), zeroPoint: 64 });
    // All-negative and all-positive ranges put the zero point at the ends; an empty range gives 0 and 0.
    expect(dynamicParamsFromRange(-2.55, 0)).toEqual({ scale: Math.fround(Math.fround(2.55) / 255), zeroPoint: 255 });
    // With lo = 0 the zero point is −0 / 2 = −0 (stored as 0 in the integer arrays it goes to).
    expect(dynamicParamsFromRange(0, 510)).toEqual({ scale: 2, zeroPoint: -0 });
    expect(dynamicParamsFromRange(0, 0)).toEqual({ scale: 0, zeroPoint: 0 });
  });

  it('rounds to float16 like numpy.float16 (ties to even, overflow to Infinity)', () => {
    const cases: [number, number][] = [[0.1, 0.0999755859375], [2049, 2048], [2051, 2052], [65520, Infinity], [1e-8, 0]];
    for (const [v, r] of cases) expect(roundToFloat16(v)).toBe(r);
  });

  it('saturates and maps NaN', () => {
    expect(saturate(-3, 0, 255)).toBe(0);
    expect(saturate(300, 0, 255)).toBe(255);
    expect(saturate(NaN, -128, 127, 0)).toBe(0);
  });

  it('computes the int32-safe K per dtype pair', () => {
    expect(MAX_SAFE_K_8BIT).toBe(33025);
    for (const a of ['uint8', 'int8'] as const) for (const b of ['uint8', 'int8'] as const) expect(maxSafeK(a, b)).toBe(33025);
    expect(maxCenteredMagnitude('uint8', [128])).toBe(128);
    expect(maxSafeK('uint8', 'uint8', [128], [128])).toBe(Math.floor(2147483647 / (128 * 128)));
    expect(maxSafeK('uint8', 'int4')).toBe(561433);
    // The bound is tight: 33025 · 65025 fits int32, 33026 · 65025 does not.
    expect(33025 * 65025).toBeLessThanOrEqual(2 ** 31 - 1);
    expect(33026 * 65025).toBeGreaterThan(2 ** 31 - 1);
  });
});
