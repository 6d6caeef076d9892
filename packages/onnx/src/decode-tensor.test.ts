import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor, float32ToFloat16Bits } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { decodeTensor } from './decode-tensor';
import { OnnxError } from './onnx-error';
import { int, len, text, varint } from '../test/helpers/wire';

const NODE = join(__dirname, '../test/__fixtures__/onnx-node');

const dims = (...ds: number[]): number[] => ds.flatMap((d) => int(1, d));
const dataType = (t: number): number[] => int(2, t);
const name = (s: string): number[] => text(8, s);
const packedVarints = (id: number, values: number[]): number[] => len(id, values.flatMap(varint));
const f32le = (values: number[]): number[] => [...new Uint8Array(new Float32Array(values).buffer)];

describe('decodeTensor', () => {
  it('reads float raw_data little-endian', () => {
    const t = decodeTensor(new Uint8Array([...dims(2, 2), ...dataType(1), ...name('x'), ...len(9, f32le([1, -2, 0.5, 3]))]));
    expect(t.dtype).toBe('float32');
    expect(t.shape).toEqual([2, 2]);
    expect(Array.from(t.data as Float32Array)).toEqual([1, -2, 0.5, 3]);
  });

  it('reads float_data (packed fixed32)', () => {
    const t = decodeTensor(new Uint8Array([...dims(3), ...dataType(1), ...len(4, f32le([1.5, 2.5, -7]))]));
    expect(t.toArray()).toEqual([1.5, 2.5, -7]);
  });

  it('reads int8 and uint16 from int32_data, and int64 from int64_data including negatives', () => {
    const i8 = decodeTensor(new Uint8Array([...dims(3), ...dataType(3), ...packedVarints(5, [-128, 0, 127])]));
    expect(i8.dtype).toBe('int8');
    expect(Array.from(i8.data as Int8Array)).toEqual([-128, 0, 127]);
    const u16 = decodeTensor(new Uint8Array([...dims(2), ...dataType(4), ...packedVarints(5, [65535, 7])]));
    expect(Array.from(u16.data as Uint16Array)).toEqual([65535, 7]);
    const i64 = decodeTensor(new Uint8Array([...dims(2), ...dataType(7), ...packedVarints(7, [-5, 2 ** 40])]));
    expect(Array.from(i64.data as BigInt64Array)).toEqual([-5n, 2n ** 40n]);
  });

  it('reads float16 bit patterns from int32_data', () => {
    const bits = [float32ToFloat16Bits(1), float32ToFloat16Bits(-2.5), 0x7c00];
    const t = decodeTensor(new Uint8Array([...dims(3), ...dataType(10), ...packedVarints(5, bits)]));
    expect(t.dtype).toBe('float16');
    expect(t.toArray()).toEqual([1, -2.5, Infinity]);
  });

  it('reads bool one byte per element from raw_data and int32_data', () => {
    expect(decodeTensor(new Uint8Array([...dims(3), ...dataType(9), ...len(9, [1, 0, 1])])).toArray()).toEqual([1, 0, 1]);
    expect(decodeTensor(new Uint8Array([...dims(2), ...dataType(9), ...packedVarints(5, [0, 1])])).toArray()).toEqual([0, 1]);
  });

  it('reads int4 packed low nibble first from raw_data, and from int32_data in both layouts', () => {
    // [1, -1, 7] -> bytes 0xf1, 0x07
    const raw = decodeTensor(new Uint8Array([...dims(3), ...dataType(22), ...len(9, [0xf1, 0x07])]));
    expect(raw.dtype).toBe('int4');
    expect(raw.toArray()).toEqual([1, -1, 7]);
    const packed = decodeTensor(new Uint8Array([...dims(3), ...dataType(22), ...packedVarints(5, [0xf1, 0x07])]));
    expect(packed.toArray()).toEqual([1, -1, 7]);
    const perElement = decodeTensor(new Uint8Array([...dims(3), ...dataType(22), ...packedVarints(5, [1, -1, 7])]));
    expect(perElement.toArray()).toEqual([1, -1, 7]);
  });

  it('reads uint2 / int2 (ONNX types 25 / 26) packed four per byte', () => {
    // uint2 [0,1,2,3,1] -> 0b11_10_01_00 = 0xe4, then 0x01
    expect(decodeTensor(new Uint8Array([...dims(5), ...dataType(25), ...len(9, [0xe4, 0x01])])).toArray()).toEqual([0, 1, 2, 3, 1]);
    // int2 [0,1,-1,-2] -> 0b10_11_01_00 = 0xb4
    expect(decodeTensor(new Uint8Array([...dims(4), ...dataType(26), ...len(9, [0xb4])])).toArray()).toEqual([0, 1, -1, -2]);
  });

  it('reads ONNX test data: int4, uint2 and int16 cases hold the values the ONNX test generator wrote', () => {
    // Values from the ONNX operator test definitions (DequantizeLinear int4: x = [0, 1, 7, -4, -8]).
    const x4 = decodeTensor(readFileSync(join(NODE, 'test_dequantizelinear_int4/test_data_set_0/input_0.pb')));
    expect(x4.dtype).toBe('int4');
    expect(x4.toArray()).toEqual([0, 1, 7, -4, -8]);
    const xu2 = decodeTensor(readFileSync(join(NODE, 'test_dequantizelinear_uint2/test_data_set_0/input_0.pb')));
    expect(xu2.toArray()).toEqual([0, 1, 2, 3]);
    const y = decodeTensor(readFileSync(join(NODE, 'test_dequantizelinear_int4/test_data_set_0/output_0.pb')));
    expect(y.toArray()).toEqual([-2, 0, 12, -10, -18]);
  });

  it('copies data: the tensor does not alias the input bytes', () => {
    const bytes = new Uint8Array([...dims(1), ...dataType(2), ...len(9, [42])]);
    const t = decodeTensor(bytes);
    bytes.fill(0);
    expect(t.toArray()).toEqual([42]);
  });

  it('accepts an ArrayBuffer (as fetch gives in browsers)', () => {
    const bytes = new Uint8Array([...dims(2), ...dataType(1), ...len(9, f32le([3, 4]))]);
    expect(decodeTensor(bytes.slice().buffer).toArray()).toEqual([3, 4]);
  });

  it('accepts a decoded message object', () => {
    const t = decodeTensor({ dims: [2], dataType: 6, int32Data: [5, -6], name: 'k' });
    expect(t.toArray()).toEqual([5, -6]);
    expect(t).toBeInstanceOf(Tensor);
  });

  it('accepts an empty tensor without data', () => {
    const t = decodeTensor(new Uint8Array([...dims(0, 3), ...dataType(1)]));
    expect(t.shape).toEqual([0, 3]);
  });
});

describe('decodeTensor errors', () => {
  const expectOnnxError = (fn: () => unknown, pattern: RegExp): void => {
    let caught: unknown;
    try {
      fn();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(OnnxError);
    expect((caught as OnnxError).code).toBe('ERR_ONNX');
    expect((caught as Error).message).toMatch(pattern);
  };

  it.each([
    [14, /"w" has data type COMPLEX64 \(14\)/],
    [15, /COMPLEX128 \(15\)/],
    [8, /STRING \(8\)/],
    [99, /unknown \(99\)/],
    [0, /UNDEFINED \(0\)/],
  ])('refuses data type %i and names the tensor and the type', (type, pattern) => {
    expectOnnxError(() => decodeTensor(new Uint8Array([...dims(1), ...dataType(type), ...name('w'), ...len(9, [0, 0, 0, 0, 0, 0, 0, 0])])), pattern);
  });

  it('reads float64, uint64, bfloat16, float8 and float4 raw data (little-endian codes, hand-written bytes)', () => {
    const raw = (type: number, n: number, bytes: number[]) => decodeTensor(new Uint8Array([...dims(n), ...dataType(type), ...len(9, bytes)]));
    const f64 = raw(11, 1, [0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
    expect(f64.dtype).toBe('float64');
    expect(f64.toArray()).toEqual([1]);
    const u64 = raw(13, 1, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(u64.data[0]).toBe(2n ** 64n - 1n);
    expect(raw(16, 2, [0x80, 0x3f, 0x00, 0xc0]).toArray()).toEqual([1, -2]);
    expect(raw(17, 2, [0x7e, 0x38]).toArray()).toEqual([448, 1]);
    expect(raw(23, 3, [0x72, 0x0f]).toArray()).toEqual([1, 6, -6]);
  });

  it('refuses raw_data whose length does not match the dims', () => {
    expectOnnxError(() => decodeTensor(new Uint8Array([...dims(3), ...dataType(1), ...name('b'), ...len(9, f32le([1, 2]))])), /"b" raw_data has 8 bytes but .* need 12/);
  });

  it('refuses absurd dims before allocating anything', () => {
    expectOnnxError(() => decodeTensor(new Uint8Array([...dims(2 ** 31, 2 ** 31, 2 ** 31), ...dataType(1), ...len(9, f32le([1]))])), /more than 2\^53 - 1 elements/);
    expectOnnxError(() => decodeTensor(new Uint8Array([...dims(1 << 30, 64), ...dataType(1), ...len(9, f32le([1]))])), /raw_data has 4 bytes/);
    expectOnnxError(() => decodeTensor(new Uint8Array([...dims(-1), ...dataType(1)])), /dims\[0\] = -1 is negative/);
  });

  it('refuses typed data of the wrong field or count, and values outside the dtype', () => {
    expectOnnxError(() => decodeTensor(new Uint8Array([...dims(2), ...dataType(1), ...packedVarints(5, [1, 2])])), /stores values in int32_data; expected raw_data or float_data/);
    expectOnnxError(() => decodeTensor(new Uint8Array([...dims(3), ...dataType(6), ...packedVarints(5, [1, 2])])), /int32_data has 2 entries but dims describe 3/);
    expectOnnxError(() => decodeTensor(new Uint8Array([...dims(1), ...dataType(3), ...packedVarints(5, [300])])), /int32_data\[0\] = 300 is outside the range \[-128, 127\] of int8/);
    expectOnnxError(() => decodeTensor(new Uint8Array([...dims(4), ...dataType(1)])), /has 4 elements but no data/);
  });

  it('refuses truncated and corrupt bytes', () => {
    const good = [...dims(2), ...dataType(1), ...len(9, f32le([1, 2]))];
    expectOnnxError(() => decodeTensor(new Uint8Array(good.slice(0, good.length - 3))), /not a valid ONNX TensorProto/);
    expectOnnxError(() => decodeTensor(new Uint8Array([0x0f, 0xff, 0xff])), /not a valid ONNX TensorProto/);
  });

  it('refuses external data without a base directory, naming the file', () => {
    const entry = len(13, [...text(1, 'location'), ...text(2, 'w.bin')]);
    expectOnnxError(() => decodeTensor(new Uint8Array([...dims(1), ...dataType(1), ...name('w'), ...entry, ...int(14, 1)])), /external file "w.bin"; pass \{ baseDir \}/);
  });
});
