import { describe, expect, it } from 'vitest';
import { DTypeError } from './dtype-error';
import { QuantParams } from './quant-params';
import { ShapeError } from './shape-error';
import { ValueError } from './value-error';

describe('QuantParams', () => {
  it('describes per-tensor, per-axis and blocked layouts', () => {
    const t = QuantParams.perTensor('uint8', 0.02, 128);
    expect(t.scaleShape([3, 4])).toEqual([]);
    t.validateFor([3, 4]);
    const a = QuantParams.perAxis('int8', 0, [0.1, 0.2, 0.3]);
    expect(Array.from(a.zeroPoint)).toEqual([0, 0, 0]);
    a.validateFor([3, 16]);
    // ONNX blocked layout: x [4, 64], axis 1, block 32 -> scale [4, 2]
    const b = QuantParams.blocked('int4', 1, 32, new Array(8).fill(0.5));
    expect(b.scaleShape([4, 64])).toEqual([4, 2]);
    b.validateFor([4, 64]);
    // a last, shorter block counts: 70 / 32 -> 3 blocks
    expect(b.scaleShape([4, 70])).toEqual([4, 3]);
    expect(() => b.validateFor([4, 70])).toThrow(ShapeError);
    expect(QuantParams.perAxis('int8', -1, [1, 1]).scaleShape([5, 2])).toEqual([2]);
  });

  it('rejects invalid scales, zero points, dtypes and mismatched shapes', () => {
    expect(() => QuantParams.perTensor('uint8', NaN)).toThrow(/scale\[0\] must be finite/);
    expect(() => QuantParams.perTensor('uint8', 0)).toThrow(ValueError);
    expect(() => QuantParams.perTensor('uint8', -1)).toThrow(ValueError);
    expect(() => QuantParams.perTensor('uint8', Infinity)).toThrow(ValueError);
    expect(() => QuantParams.perTensor('int4', 1, 8)).toThrow(/zeroPoint\[0\] = 8/);
    expect(() => QuantParams.perTensor('uint8', 1, -1)).toThrow(ValueError);
    expect(() => QuantParams.perAxis('int8', 0, [1, 1], [0])).toThrow(/2/);
    expect(() => QuantParams.blocked('int8', 0, 0, [1])).toThrow(/blockSize/);
    expect(() => QuantParams.perTensor('int32' as never, 1)).toThrow(DTypeError);
    expect(() => QuantParams.perAxis('int8', 0, [1, 1, 1]).validateFor([2, 4])).toThrow(/3 scales/);
    expect(() => QuantParams.perAxis('int8', 2, [1]).validateFor([2, 4])).toThrow(ValueError);
    try {
      QuantParams.perTensor('uint8', NaN);
    } catch (e) {
      expect((e as ValueError).code).toBe('ERR_QUANT_PARAMS');
    }
  });

  it('serializes to plain JSON', () => {
    expect(QuantParams.blocked('uint4', 0, 16, [0.5], [8]).toJSON()).toEqual({
      granularity: 'blocked',
      dtype: 'uint4',
      scale: [0.5],
      zeroPoint: [8],
      axis: 0,
      blockSize: 16,
    });
  });
});
