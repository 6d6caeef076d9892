import { DTypeError, dtypeInfo, float16BitsToFloat32, ShapeError, Tensor, ValueError, type QuantDType } from '@qint/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dequantizeLinear } from './dequantize-linear';
import { quantizeLinear } from './quantize-linear';

const ALL: QuantDType[] = ['int8', 'uint8', 'int16', 'uint16', 'int4', 'uint4', 'int2', 'uint2'];
const f32 = (shape: number[], v: number[]): Tensor => Tensor.from('float32', shape, v);

describe('quantizeLinear', () => {
  it('rounds half to even (hand-checked)', () => {
    const x = f32([9], [0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 0.49999997, 2.5000002]);
    expect(quantizeLinear(x, Tensor.scalar('float32', 1), Tensor.scalar('int8', 0)).toArray()).toEqual([0, 2, 2, 4, 0, -2, -2, 0, 3]);
    // Scale 2: 1 / 2 = 0.5 → 0 and 3 / 2 = 1.5 → 2, plus zero point 10.
    expect(quantizeLinear(f32([2], [1, 3]), Tensor.scalar('float32', 2), Tensor.scalar('uint8', 10)).toArray()).toEqual([10, 12]);
  });

  it('saturates to every output type and defaults to uint8', () => {
    const x = f32([4], [-1e9, -3, 3, 1e9]);
    const s = Tensor.scalar('float32', 1);
    const expected: Record<QuantDType, number[]> = {
      int8: [-128, -3, 3, 127], uint8: [0, 0, 3, 255], int16: [-32768, -3, 3, 32767], uint16: [0, 0, 3, 65535],
      int4: [-8, -3, 3, 7], uint4: [0, 0, 3, 15], int2: [-2, -2, 1, 1], uint2: [0, 0, 3, 3],
    };
    for (const d of ALL) {
      const y = quantizeLinear(x, s, Tensor.scalar(d, 0));
      expect(y.dtype).toBe(d);
      expect(y.toArray()).toEqual(expected[d]);
      expect(quantizeLinear(x, s, undefined, { outputDtype: d }).toArray()).toEqual(expected[d]);
    }
    expect(quantizeLinear(x, s).dtype).toBe('uint8');
  });

  it('maps NaN to the zero point and ±Infinity to the ends of the range', () => {
    const y = quantizeLinear(f32([3], [NaN, Infinity, -Infinity]), Tensor.scalar('float32', 0.1), Tensor.scalar('uint8', 7));
    expect(y.toArray()).toEqual([7, 255, 0]);
  });

  it('quantizes per axis and blocked (incl. a short last block, negative axis)', () => {
    const x = f32([2, 3], [1, 2, 3, 4, 5, 6]);
    const perAxis0 = quantizeLinear(x, f32([2], [1, 2]), Tensor.from('int8', [2], [0, 1]), { axis: 0 });
    // Row 1: 4/2 + 1 = 3, 5/2 = 2.5 → 2 (even) + 1 = 3, 6/2 + 1 = 4.
    expect(perAxis0.toArray()).toEqual([1, 2, 3, 3, 3, 4]);
    const perAxisLast = quantizeLinear(x, f32([3], [1, 2, 4]), undefined, { axis: -1, outputDtype: 'int8' });
    expect(perAxisLast.toArray()).toEqual([1, 1, 1, 4, 2, 2]);
    // Blocks of 2 along axis 1: columns {0,1} and {2}; scale shape [2, 2].
    const blocked = quantizeLinear(x, f32([2, 2], [1, 0.5, 2, 0.25]), Tensor.from('int16', [2, 2], [0, 0, 100, -100]), { axis: 1, blockSize: 2 });
    expect(blocked.toArray()).toEqual([1, 2, 6, 102, 102, -76]);
  });

  it('keeps |dequant(quant(x)) − x| ≤ scale/2 inside the range, for every output type (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL),
        fc.float({ min: Math.fround(1e-3), max: 10, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (dtype, scale, fractions, zf) => {
          const { min, max } = dtypeInfo(dtype);
          const zp = Math.round(min + zf * (max - min));
          // Reals strictly inside the representable range [(min − zp)·s, (max − zp)·s].
          const xs = fractions.map((f) => Math.fround(((min - zp) + f * (max - min)) * scale));
          const s = Tensor.scalar('float32', scale);
          const z = Tensor.scalar(dtype, zp);
          const back = dequantizeLinear(quantizeLinear(f32([xs.length], xs), s, z), s, z).toArray();
          back.forEach((b, i) => expect(Math.abs(b - xs[i])).toBeLessThanOrEqual(scale / 2 + Math.abs(xs[i]) * 2 ** -22));
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });

  it('saturates everything beyond the range (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ALL), fc.double({ min: 1.01, max: 1e6, noNaN: true }), fc.boolean(), (dtype, beyond, high) => {
        const { min, max } = dtypeInfo(dtype);
        const x = high ? (max + 1) * beyond : (min - 1) * beyond - 1;
        expect(quantizeLinear(f32([1], [x]), Tensor.scalar('float32', 1), Tensor.scalar(dtype, 0)).toArray()).toEqual([high ? max : min]);
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it('rounds exact ties to even for every representable tie (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100, max: 100 }), (i) => {
        const x = i + 0.5;
        const y = quantizeLinear(f32([1], [x]), Tensor.scalar('float32', 1), Tensor.scalar('int16', 0)).toArray()[0];
        expect(Math.abs(y - x)).toBe(0.5);
        expect(y % 2 === 0).toBe(true);
      }),
      { seed: 3, numRuns: 100 },
    );
  });

  it('accepts float16 input/scale and int32 input', () => {
    const xh = Tensor.from('float16', [3], [1, 2.5, -7]);
    expect(quantizeLinear(xh, Tensor.scalar('float16', 0.5), Tensor.scalar('int8', 0)).toArray()).toEqual([2, 5, -14]);
    expect(quantizeLinear(Tensor.from('int32', [3], [10, 15, 25]), Tensor.scalar('float32', 10), Tensor.scalar('uint8', 0)).toArray()).toEqual([1, 2, 2]);
  });

  it('gives 0-sized outputs for 0-sized inputs and handles scalars', () => {
    const y = quantizeLinear(Tensor.zeros('float32', [0, 3]), f32([3], [1, 1, 1]), Tensor.zeros('int4', [3]));
    expect(y.shape).toEqual([0, 3]);
    expect(y.dtype).toBe('int4');
    expect(quantizeLinear(Tensor.scalar('float32', 3), Tensor.scalar('float32', 2)).toArray()).toEqual([2]);
  });

  it('rejects bad inputs with typed errors naming the argument', () => {
    const x = f32([2, 2], [1, 2, 3, 4]);
    expect(() => quantizeLinear(Tensor.zeros('int8', [2]), Tensor.scalar('float32', 1))).toThrow(DTypeError);
    expect(() => quantizeLinear(x, Tensor.scalar('int32', 1))).toThrow(/"y_scale" must be float32 or float16, got int32/);
    for (const bad of [NaN, Infinity, 0, -1]) {
      expect(() => quantizeLinear(x, Tensor.scalar('float32', bad))).toThrow(ValueError);
      expect(() => quantizeLinear(x, Tensor.scalar('float32', bad))).toThrow(/"y_scale"\[0\] = .* must be a finite scale > 0/);
    }
    expect(() => quantizeLinear(x, f32([3], [1, 1, 1]))).toThrow(ShapeError);
    expect(() => quantizeLinear(x, f32([2], [1, 1]), Tensor.from('int8', [3], [0, 0, 0]))).toThrow(/"y_zero_point" has shape \[3\]/);
    expect(() => quantizeLinear(x, f32([2], [1, 1]), undefined, { axis: 2 })).toThrow(/axis/);
    expect(() => quantizeLinear(x, f32([2, 1], [1, 1]), undefined, { axis: 1, blockSize: 1 })).toThrow(/needs \[2,2\]/);
    expect(() => quantizeLinear(x, Tensor.scalar('float32', 1), Tensor.scalar('int32', 0))).toThrow(/"y_zero_point" must be/);
    expect(() => quantizeLinear(x, Tensor.scalar('float32', 1), Tensor.scalar('int8', 0), { outputDtype: 'uint8' })).toThrow(/output_dtype/);
  });
});

describe('dequantizeLinear', () => {
  it('computes (x − zp) · scale per tensor, per axis and blocked', () => {
    expect(dequantizeLinear(Tensor.from('uint8', [3], [0, 128, 255]), Tensor.scalar('float32', 0.5), Tensor.scalar('uint8', 128)).toArray()).toEqual([-64, 0, 63.5]);
    const x = Tensor.from('int4', [2, 3], [-8, 0, 7, 1, 2, 3]);
    expect(dequantizeLinear(x, f32([2], [1, 0.5]), Tensor.from('int4', [2], [0, 1]), { axis: 0 }).toArray()).toEqual([-8, 0, 7, 0, 0.5, 1]);
    expect(dequantizeLinear(x, f32([2, 2], [1, 2, 3, 4]), undefined, { axis: 1, blockSize: 2 }).toArray()).toEqual([-8, 0, 14, 3, 6, 12]);
  });

  it('handles every input type incl. int32 (without zero point)', () => {
    for (const d of ALL) {
      const { min, max } = dtypeInfo(d);
      expect(dequantizeLinear(Tensor.from(d, [2], [min, max]), Tensor.scalar('float32', 2)).toArray()).toEqual([2 * min, 2 * max]);
    }
    expect(dequantizeLinear(Tensor.from('int32', [2], [-5, 1 << 20]), Tensor.scalar('float32', 0.25)).toArray()).toEqual([-1.25, 262144]);
  });

  it('returns float16 when the scale is float16', () => {
    const y = dequantizeLinear(Tensor.from('int8', [2], [3, -1]), Tensor.scalar('float16', 0.1));
    expect(y.dtype).toBe('float16');
    // 0.1 in float16 is 0.0999755859375; 3 × that = 0.2999267578125 lies exactly halfway between the float16 values
    // 1228 · 2^-12 and 1229 · 2^-12, so it rounds to the even one, 0.2998046875 (bits 0x34cc).
    expect(y.toArray()).toEqual([float16BitsToFloat32(0x34cc), -0.0999755859375]);
    expect(float16BitsToFloat32(0x34cc)).toBe(0.2998046875);
  });

  it('rejects bad scales and zero points', () => {
    const x = Tensor.from('uint8', [2], [1, 2]);
    expect(() => dequantizeLinear(x, Tensor.scalar('float32', NaN))).toThrow(/"x_scale"\[0\] = NaN/);
    expect(() => dequantizeLinear(x, Tensor.scalar('float32', 1), Tensor.scalar('int8', 0))).toThrow(/"x_zero_point" must have the same dtype as the quantized tensor \(uint8\), got int8/);
    expect(() => dequantizeLinear(Tensor.zeros('float32', [2]), Tensor.scalar('float32', 1))).toThrow(DTypeError);
    expect(dequantizeLinear(Tensor.zeros('uint8', [0]), Tensor.scalar('float32', 1)).shape).toEqual([0]);
  });
});
