import { describe, expect, it } from 'vitest';
import { DTypeError } from './dtype-error';
import { QintError } from './qint-error';
import { ShapeError } from './shape-error';
import { Tensor } from './tensor';
import { ValueError } from './value-error';
import { DTYPE_NAMES, byteLengthOf, dtypeInfo } from './dtype';

describe('dtypes', () => {
  it('know their sizes and ranges', () => {
    expect(DTYPE_NAMES).toHaveLength(23);
    expect(dtypeInfo('float4e2m1')).toMatchObject({ bits: 4, elementsPerByte: 2, isFloat: true, onnxType: 23 });
    expect(dtypeInfo('uint64')).toMatchObject({ bits: 64, isSigned: false, onnxType: 13 });
    expect(dtypeInfo('float8e8m0')).toMatchObject({ bits: 8, isFloat: true, isSigned: false, onnxType: 24 });
    expect(dtypeInfo('int4')).toMatchObject({ bits: 4, elementsPerByte: 2, min: -8, max: 7, isSigned: true });
    expect(dtypeInfo('uint2')).toMatchObject({ bits: 2, elementsPerByte: 4, min: 0, max: 3 });
    expect(dtypeInfo('float16')).toMatchObject({ bits: 16, isFloat: true, onnxType: 10 });
    expect(dtypeInfo('uint16')).toMatchObject({ min: 0, max: 65535 });
    expect(byteLengthOf('int4', 5)).toBe(3);
    expect(byteLengthOf('uint2', 5)).toBe(2);
    expect(byteLengthOf('int64', 3)).toBe(24);
    expect(() => dtypeInfo('double' as never)).toThrow(DTypeError);
  });
});

describe('Tensor construction', () => {
  it('wraps typed arrays without copying and converts plain values', () => {
    const data = new Float32Array([1, 2, 3, 4, 5, 6]);
    const t = Tensor.from('float32', [2, 3], data);
    expect(t.data).toBe(data);
    expect(t.size).toBe(6);
    expect(t.strides).toEqual([3, 1]);
    expect(Tensor.from('float16', [2], [0.5, -2]).data).toEqual(new Uint16Array([0x3800, 0xc000]));
    expect(Tensor.from('int64', [2], [3, -4n]).data).toEqual(new BigInt64Array([3n, -4n]));
    expect(Tensor.from('bool', [2], [true, false]).toArray()).toEqual([1, 0]);
    expect(Tensor.from('int4', [3], [1, -2, 7]).data).toEqual(new Uint8Array([0xe1, 0x07]));
    expect(Tensor.scalar('float32', 2.5).shape).toEqual([]);
    expect(Tensor.zeros('uint4', [3, 3]).data.length).toBe(5);
  });

  it('infers the shape of nested arrays', () => {
    const t = Tensor.fromNested('int8', [
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.toArray()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Tensor.fromNested('float32', []).shape).toEqual([0]);
    expect(() => Tensor.fromNested('int8', [[1, 2], [3]])).toThrow(ShapeError);
  });

  it('rejects wrong lengths, types and values with typed errors', () => {
    expect(() => Tensor.from('int8', [2], [1, 2, 3])).toThrow(ShapeError);
    expect(() => Tensor.from('float32', [2], new Float32Array(3))).toThrow(/needs 2/);
    expect(() => Tensor.from('int4', [3], new Uint8Array(1))).toThrow(/packed bytes/);
    expect(() => Tensor.from('float32', [2], new Int8Array(2))).toThrow(DTypeError);
    expect(() => Tensor.from('float32', [-1], [])).toThrow(ShapeError);
    expect(() => Tensor.from('uint8', [1], [256])).toThrow(ValueError);
    expect(() => Tensor.from('int32', [1], [1.5])).toThrow(/values\[0\]/);
    expect(() => Tensor.from('int64', [1], [2 ** 60])).toThrow(/bigint/);
    expect(() => Tensor.from('what' as never, [1], [1])).toThrow(DTypeError);
    try {
      Tensor.from('int8', [2], [1]);
    } catch (e) {
      expect(e).toBeInstanceOf(QintError);
      expect((e as QintError).code).toBe('ERR_SHAPE');
      expect((e as QintError).name).toBe('ShapeError');
    }
  });
});

describe('Tensor views and copies', () => {
  const t = Tensor.from('float32', [2, 3, 4], Float32Array.from({ length: 24 }, (_, i) => i));

  it('reshapes as a view with -1 inference and ONNX 0 semantics', () => {
    const r = t.reshape([0, -1]);
    expect(r.shape).toEqual([2, 12]);
    expect(r.data).toBe(t.data);
    expect(t.reshape([4, -1, 2]).shape).toEqual([4, 3, 2]);
    expect(Tensor.zeros('float32', [0, 3]).reshape([0, 5], { allowZero: true }).shape).toEqual([0, 5]);
    expect(() => t.reshape([-1, -1])).toThrow(/more than one -1/);
    expect(() => t.reshape([5, -1])).toThrow(ShapeError);
    expect(() => t.reshape([2, 3, 5])).toThrow(/24 elements/);
  });

  it('transposes (hand-checked against np.transpose)', () => {
    const m = Tensor.from('int32', [2, 3], [1, 2, 3, 4, 5, 6]);
    expect(m.transpose().toArray()).toEqual([1, 4, 2, 5, 3, 6]);
    // np.arange(24).reshape(2,3,4).transpose(1,0,2)[1] == [[4..7],[16..19]]
    const p = t.transpose([1, 0, 2]);
    expect(p.shape).toEqual([3, 2, 4]);
    expect(p.toArray().slice(8, 16)).toEqual([4, 5, 6, 7, 16, 17, 18, 19]);
    expect(t.transpose([2, 0, 1]).get([3, 1, 2])).toBe(t.get([1, 2, 3]));
    const packed = Tensor.from('int4', [2, 3], [1, 2, 3, -4, -5, -6]);
    expect(packed.transpose().toArray()).toEqual([1, -4, 2, -5, 3, -6]);
    expect(() => t.transpose([0, 0, 1])).toThrow(ShapeError);
  });

  it('slices with ONNX semantics (negative, clamped, stepped)', () => {
    const v = Tensor.from('int32', [5], [0, 1, 2, 3, 4]);
    expect(v.slice([1], [3]).toArray()).toEqual([1, 2]);
    expect(v.slice([-1], [-6], [0], [-2]).toArray()).toEqual([4, 2, 0]);
    expect(v.slice([0], [1000]).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(v.slice([3], [1]).size).toBe(0);
    // np.arange(24).reshape(2,3,4)[:, 1:, ::3]
    const s = t.slice([1, 0], [3, 4], [1, 2], [1, 3]);
    expect(s.shape).toEqual([2, 2, 2]);
    expect(s.toArray()).toEqual([4, 7, 8, 11, 16, 19, 20, 23]);
    expect(() => v.slice([0], [1], [0], [0])).toThrow(/steps\[0\]/);
  });

  it('gets and sets elements, including packed and float16', () => {
    const q = Tensor.from('uint2', [2, 2], [0, 1, 2, 3]);
    q.set([1, 0], 1);
    expect(q.toArray()).toEqual([0, 1, 1, 3]);
    const h = Tensor.from('float16', [1], [0]);
    h.set([0], 1 / 3);
    expect(h.get([0])).toBe(0.333251953125);
    expect(() => q.get([2, 0])).toThrow(ValueError);
    expect(() => q.get([0])).toThrow(/2 coordinates/);
    expect(() => q.set([0, 0], 4)).toThrow(ValueError);
  });
});

describe('Tensor identity', () => {
  it('is recognized by instanceof across copies of the package (ESM and CJS builds)', () => {
    const t = Tensor.zeros('float32', [2]);
    expect(t instanceof Tensor).toBe(true);
    // A tensor from another copy of the class carries the same global brand.
    const foreign = { [Symbol.for('@qint/tensor.Tensor')]: true };
    expect(foreign instanceof Tensor).toBe(true);
    expect({} instanceof Tensor).toBe(false);
    expect(null as unknown instanceof Tensor).toBe(false);
  });
});

describe('Tensor.from argument errors', () => {
  it('names the argument and the expected form when arguments are swapped or missing', () => {
    const d = new Float32Array(4);
    expect(() => Tensor.from(d as never, [2, 2], undefined as never)).toThrow(
      "Tensor.from(dtype, shape, data): dtype must be a dtype name such as 'float32', got a Float32Array (arguments in the wrong order? the dtype comes first)",
    );
    expect(() => Tensor.from('float32', d as never, [2, 2])).toThrow(
      'Tensor.from(dtype, shape, data): shape must be an array of dims such as [2, 3], got a Float32Array (arguments in the wrong order? the data comes last)',
    );
    expect(() => Tensor.from('float32', [2, 2], undefined as never)).toThrow('Tensor.from(dtype, shape, data): data must be a typed array or an array of values, got undefined');
    expect(() => Tensor.from([2, 2] as never, 'float32' as never, d)).toThrow(/dtype must be a dtype name such as 'float32', got an array \(arguments in the wrong order/);
    expect(Tensor.from('float32', [2, 2], d).shape).toEqual([2, 2]);
  });
});
