import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { A, f32, runOp } from '../__fixtures__/graph-builder';

const u8 = (v: number[]) => Tensor.from('uint8', [v.length], v);

describe('bit-level ops', () => {
  it('BitwiseAnd/Or/Xor/Not on uint8 and int32 (two’s complement)', () => {
    expect(runOp('BitwiseAnd', [u8([12, 255]), u8([10, 1])], {}, { opset: 18 })[0].toArray()).toEqual([8, 1]);
    expect(runOp('BitwiseOr', [u8([12, 0]), u8([10, 0])], {}, { opset: 18 })[0].toArray()).toEqual([14, 0]);
    expect(runOp('BitwiseXor', [u8([12, 255]), u8([10, 255])], {}, { opset: 18 })[0].toArray()).toEqual([6, 0]);
    expect(runOp('BitwiseNot', [u8([0, 1, 255])], {}, { opset: 18 })[0].toArray()).toEqual([255, 254, 0]);
    expect(runOp('BitwiseNot', [Tensor.from('int32', [2], [0, -6])], {}, { opset: 18 })[0].toArray()).toEqual([-1, 5]);
    expect(() => runOp('BitwiseAnd', [f32([1], [1]), f32([1], [1])], {}, { opset: 18 })).toThrow(/integer/);
  });

  it('BitShift left wraps in the type, right is logical, shifts ≥ width give 0', () => {
    expect(runOp('BitShift', [u8([3, 255, 1]), u8([2, 1, 8])], { direction: A.str('LEFT') })[0].toArray()).toEqual([12, 254, 0]);
    expect(runOp('BitShift', [u8([16, 255]), u8([2, 7])], { direction: A.str('RIGHT') })[0].toArray()).toEqual([4, 1]);
  });

  it('BitCast keeps the bytes (IEEE bits of 1.0 and −2.0)', () => {
    const y = runOp('BitCast', [f32([2], [1, -2])], { to: A.int(6) }, { opset: 26 })[0];
    expect([y.dtype, y.toArray()]).toEqual(['int32', [0x3f800000, -0x40000000]]);
    expect(runOp('BitCast', [Tensor.from('int8', [2], [-1, 5])], { to: A.int(2) }, { opset: 26 })[0].toArray()).toEqual([255, 5]);
  });

  it('IsInf detects either sign as asked', () => {
    const x = f32([4], [Infinity, -Infinity, NaN, 1]);
    expect(runOp('IsInf', [x], {}, { opset: 20 })[0].toArray()).toEqual([1, 1, 0, 0]);
    expect(runOp('IsInf', [x], { detect_negative: A.int(0) }, { opset: 20 })[0].toArray()).toEqual([1, 0, 0, 0]);
  });

  it('uint64 shifts and bit ops are exact past 2^53 (bigint), left shifts wrap at 64 bits', () => {
    const u64 = (v: bigint[]) => Tensor.from('uint64', [v.length], v);
    const y = runOp('BitShift', [u64([1n, 3n << 62n]), u64([60n, 1n])], { direction: A.str('LEFT') })[0];
    expect(Array.from(y.data as BigUint64Array)).toEqual([1n << 60n, 1n << 63n]);
    const x = runOp('BitwiseXor', [u64([(1n << 64n) - 1n]), u64([1n])], {}, { opset: 18 })[0];
    expect(Array.from(x.data as BigUint64Array)).toEqual([(1n << 64n) - 2n]);
  });
});
