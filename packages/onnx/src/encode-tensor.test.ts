import { Tensor, float32ToFloat16Bits, shapeSize } from '@qint/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTensor } from './decode-tensor';
import { encodeTensor } from './encode-tensor';
import { OnnxError } from './onnx-error';

describe('encodeTensor', () => {
  it('writes the TensorProto wire format: dims (1), data_type (2), name (8), raw_data (9) little-endian', () => {
    const bytes = encodeTensor(Tensor.from('float32', [2], [1, -2]), 'x');
    // 1.0f = 00 00 80 3f, -2.0f = 00 00 00 c0
    expect(Array.from(bytes)).toEqual([0x08, 0x02, 0x10, 0x01, 0x42, 0x01, 0x78, 0x4a, 0x08, 0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]);
  });

  it('packs int4 and uint2 low bits first and writes their ONNX type numbers (22, 25)', () => {
    const int4 = encodeTensor(Tensor.from('int4', [3], [1, -1, 7]), '');
    expect(Array.from(int4)).toEqual([0x08, 0x03, 0x10, 22, 0x4a, 0x02, 0xf1, 0x07]);
    const uint2 = encodeTensor(Tensor.from('uint2', [5], [0, 1, 2, 3, 1]), '');
    expect(Array.from(uint2)).toEqual([0x08, 0x05, 0x10, 25, 0x4a, 0x02, 0xe4, 0x01]);
  });

  it('writes int64 dims as varints (a zero-sized dim included)', () => {
    const bytes = encodeTensor(Tensor.from('uint8', [0, 300], []), '');
    expect(Array.from(bytes)).toEqual([0x08, 0x00, 0x08, 0xac, 0x02, 0x10, 0x02, 0x4a, 0x00]);
  });

  it('round-trips every dtype through decodeTensor (property, fixed seed)', () => {
    const ranges = {
      float32: [-1e6, 1e6],
      int64: [-(2 ** 53) + 1, 2 ** 53 - 1],
      int32: [-(2 ** 31), 2 ** 31 - 1],
      int16: [-32768, 32767],
      uint16: [0, 65535],
      int8: [-128, 127],
      uint8: [0, 255],
      int4: [-8, 7],
      uint4: [0, 15],
      int2: [-2, 1],
      uint2: [0, 3],
      bool: [0, 1],
    } as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...(Object.keys(ranges) as (keyof typeof ranges)[])),
        fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
        fc.integer(),
        (dtype, shape, seed) => {
          const size = shapeSize(shape);
          const [lo, hi] = ranges[dtype];
          const values = Array.from({ length: size }, (_, i) => lo + (Math.abs(seed * 7919 + i * 104729) % (hi - lo + 1)));
          const t = Tensor.from(dtype, shape, values);
          const back = decodeTensor(encodeTensor(t, 'v'));
          expect(back.dtype).toBe(dtype);
          expect(back.shape).toEqual(shape);
          expect(back.data).toEqual(t.data);
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });

  it('round-trips float16 bit patterns exactly, including NaN payload and -0', () => {
    const bits = new Uint16Array([float32ToFloat16Bits(1.5), 0x8000, 0x7e01, 0x7c00, 0x0001]);
    const back = decodeTensor(encodeTensor(Tensor.from('float16', [5], bits)));
    expect(Array.from(back.data as Uint16Array)).toEqual(Array.from(bits));
  });

  it('refuses something that is not a Tensor', () => {
    expect(() => encodeTensor({ dtype: 'float32', shape: [1], data: new Float32Array(1) } as never, 'x')).toThrow(OnnxError);
  });
});
