import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { float16BitsToFloat32, float16ToFloat32Array, float32ToFloat16Array, float32ToFloat16Bits } from './float16';

const isNaNBits = (h: number) => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;

describe('float16', () => {
  it('round-trips every one of the 65,536 half values', () => {
    for (let h = 0; h < 65536; h++) {
      const f = float16BitsToFloat32(h);
      const back = float32ToFloat16Bits(f);
      if (isNaNBits(h)) {
        expect(Number.isNaN(f)).toBe(true);
        expect(isNaNBits(back)).toBe(true);
      } else if (back !== h) {
        throw new Error(`half 0x${h.toString(16)} -> ${f} -> 0x${back.toString(16)}`);
      }
    }
  });

  it('decodes known values exactly (IEEE-754 binary16 table)', () => {
    expect(float16BitsToFloat32(0x3c00)).toBe(1);
    expect(float16BitsToFloat32(0xc000)).toBe(-2);
    expect(float16BitsToFloat32(0x7bff)).toBe(65504);
    expect(float16BitsToFloat32(0x0400)).toBe(2 ** -14);
    expect(float16BitsToFloat32(0x0001)).toBe(2 ** -24);
    expect(float16BitsToFloat32(0x03ff)).toBe(1023 * 2 ** -24);
    expect(float16BitsToFloat32(0x3555)).toBe(0.333251953125);
    expect(float16BitsToFloat32(0x7c00)).toBe(Infinity);
    expect(float16BitsToFloat32(0xfc00)).toBe(-Infinity);
    expect(Object.is(float16BitsToFloat32(0x8000), -0)).toBe(true);
  });

  it('rounds to nearest with ties to even, including at the subnormal and overflow edges', () => {
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff);
    expect(float32ToFloat16Bits(65519.99)).toBe(0x7bff); // below the midpoint 65520
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00); // tie between 65504 (odd) and 65536 (=Inf): to even -> Inf
    expect(float32ToFloat16Bits(1e6)).toBe(0x7c00);
    expect(float32ToFloat16Bits(-1e6)).toBe(0xfc00);
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0x0000); // tie between 0 and the smallest subnormal: to even -> 0
    expect(float32ToFloat16Bits(2 ** -25 * 1.0000001)).toBe(0x0001);
    expect(float32ToFloat16Bits(3 * 2 ** -25)).toBe(0x0002); // tie between 1 and 2 units: to even -> 2
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie between 1 and 1+2^-10: to even -> 1
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even mantissa 2
    expect(float32ToFloat16Bits(2 ** -14 - 2 ** -25)).toBe(0x0400); // rounds up out of the subnormals
    expect(float32ToFloat16Bits(1e-10)).toBe(0);
    expect(float32ToFloat16Bits(-0)).toBe(0x8000);
    expect(isNaNBits(float32ToFloat16Bits(NaN))).toBe(true);
    expect(float32ToFloat16Bits(Infinity)).toBe(0x7c00);
  });

  it('picks the nearest half for any float32 (and the even one on a tie)', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, min: -65504, max: 65504 }), (x) => {
        const h = float32ToFloat16Bits(x);
        const v = float16BitsToFloat32(h);
        const err = Math.abs(v - x);
        for (const neighbour of [h - 1, h + 1]) {
          if ((neighbour & 0x7fff) > 0x7bff || neighbour < 0 || neighbour > 0xffff) continue;
          if (((neighbour ^ h) & 0x8000) !== 0) continue;
          const e = Math.abs(float16BitsToFloat32(neighbour) - x);
          if (e < err || (e === err && (h & 1) === 1 && v !== 0)) return false;
        }
        return true;
      }),
      { seed: 42, numRuns: 20000 },
    );
  });

  it('converts arrays both ways', () => {
    const bits = float32ToFloat16Array(new Float32Array([0.5, -1.5, 3]));
    expect(Array.from(bits)).toEqual([0x3800, 0xbe00, 0x4200]);
    expect(Array.from(float16ToFloat32Array(bits))).toEqual([0.5, -1.5, 3]);
  });
});
