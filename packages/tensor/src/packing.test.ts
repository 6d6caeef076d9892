import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PackedDType } from './dtype';
import { packSubByte, readPacked, unpackSubByte, writePacked } from './packing';
import { ShapeError } from './shape-error';
import { ValueError } from './value-error';

// float4e2m1 packs its 4-bit codes (0–15), not values.
const RANGES: Record<PackedDType, [number, number]> = { int4: [-8, 7], uint4: [0, 15], int2: [-2, 1], uint2: [0, 3], float4e2m1: [0, 15] };

describe('sub-byte packing', () => {
  for (const dtype of Object.keys(RANGES) as PackedDType[]) {
    const [min, max] = RANGES[dtype];
    it(`${dtype}: unpack(pack(x)) is the identity and element reads agree`, () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min, max }), { maxLength: 67 }), (values) => {
          const packed = packSubByte(values, dtype);
          const perByte = dtype.endsWith('4') || dtype === 'float4e2m1' ? 2 : 4;
          expect(packed.length).toBe(Math.ceil(values.length / perByte));
          expect(Array.from(unpackSubByte(packed, dtype, values.length))).toEqual(values);
          values.forEach((v, i) => expect(readPacked(packed, dtype, i)).toBe(v));
        }),
        { seed: 7, numRuns: 300 },
      );
    });
  }

  it('puts element 0 in the low bits, as ONNX does', () => {
    expect(Array.from(packSubByte([1, -1], 'int4'))).toEqual([0xf1]);
    expect(Array.from(packSubByte([0x3, 0xa, 0x5], 'uint4'))).toEqual([0xa3, 0x05]);
    expect(Array.from(packSubByte([1, 2, 3, 0, 1], 'uint2'))).toEqual([0b00111001, 0b01]);
    expect(Array.from(packSubByte([-2, -1, 0, 1], 'int2'))).toEqual([0b01001110]);
    expect(Array.from(unpackSubByte(new Uint8Array([0x8f]), 'int4', 2))).toEqual([-1, -8]);
  });

  it('writes single elements without touching neighbours', () => {
    const bytes = packSubByte([3, 3, 3, 3, 3], 'uint2');
    writePacked(bytes, 'uint2', 2, 1);
    expect(Array.from(unpackSubByte(bytes, 'uint2', 5))).toEqual([3, 3, 1, 3, 3]);
  });

  it('rejects values out of range and buffers too short', () => {
    expect(() => packSubByte([8], 'int4')).toThrow(ValueError);
    expect(() => packSubByte([0.5], 'uint4')).toThrow(/values\[0\]/);
    expect(() => packSubByte([-1], 'uint2')).toThrow(ValueError);
    expect(() => unpackSubByte(new Uint8Array(1), 'int4', 3)).toThrow(ShapeError);
    expect(() => writePacked(new Uint8Array(1), 'int2', 0, 2)).toThrow(ValueError);
  });
});
