import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { qlinearMatMul } from './qlinear-mat-mul';
import { requantizeMultiplier, requantizeValue } from './requantize';

describe('qlinearMatMul', () => {
  it('requantizes with per-row a and per-column b scales, ties to even, saturation (hand-checked)', () => {
    const a = Tensor.from('uint8', [2, 2], [3, 1, 1, 2]);
    const b = Tensor.from('int8', [2, 2], [1, 100, 1, -100]);
    // acc = (A − 1)·B: row 0 = [2·1 + 0·1, 2·100 + 0] = [2, 200]; row 1 = [0 + 1, 0 − 100] = [1, −100].
    const y = qlinearMatMul(
      a, Tensor.from('float32', [2], [0.5, 1]), Tensor.scalar('uint8', 1),
      b, Tensor.from('float32', [2], [1.25, 1]), Tensor.from('int8', [2], [0, 0]),
      Tensor.scalar('float32', 1), Tensor.scalar('int8', 0),
    );
    // Multipliers row 0: [0.625, 0.5] → 2·0.625 = 1.25 → 1, 200·0.5 = 100; row 1: [1.25, 1] → 1.25 → 1, −100.
    expect(y.dtype).toBe('int8');
    expect(y.toArray()).toEqual([1, 100, 1, -100]);
    const sat = qlinearMatMul(a, Tensor.scalar('float32', 1), Tensor.scalar('uint8', 1), b, Tensor.scalar('float32', 1), Tensor.scalar('int8', 0), Tensor.scalar('float32', 1), Tensor.scalar('int8', 0));
    expect(sat.toArray()).toEqual([2, 127, 1, -100]);
  });

  it('applies per-batch b scales of shape [..., 1, N] to their own batch (hand-checked)', () => {
    // acc = 2·3 = 6 in both batches; multipliers 1·1/1 = 1 and 1·2/1 = 2.
    const a = Tensor.from('uint8', [2, 1, 1], [2, 2]);
    const b = Tensor.from('int8', [2, 1, 1], [3, 3]);
    const one = Tensor.scalar('float32', 1);
    const y = qlinearMatMul(a, one, Tensor.scalar('uint8', 0), b, Tensor.from('float32', [2, 1, 1], [1, 2]), Tensor.scalar('int8', 0), one, Tensor.scalar('uint8', 0));
    expect(y.toArray()).toEqual([6, 12]);
  });

  it('exposes the requantize helpers with ONNX rounding', () => {
    expect(requantizeValue(5, 0.5, 10, 0, 255)).toBe(12);
    expect(requantizeValue(7, 0.5, 0, -128, 127)).toBe(4);
    expect(requantizeValue(-1000, 1, 3, 0, 255)).toBe(0);
    const [s1, s2, s3] = [Math.fround(0.1), Math.fround(0.2), Math.fround(0.3)];
    // NumPy reference (as ONNX's): np.float32(0.1) * np.float32(0.2) / np.float32(0.3) in float32.
    expect(requantizeMultiplier(s1, s2, s3)).toBe(0.06666667014360428);
    // All scales float16: (np.float16(0.1) * np.float16(0.2)) / np.float16(0.3) in float16 = 0.06658935546875.
    expect(requantizeMultiplier(0.0999755859375, 0.199951171875, 0.300048828125, 'float16')).toBe(0.06658935546875);
  });

  it('rejects mismatched scale and zero-point counts', () => {
    const a = Tensor.zeros('uint8', [2, 2]);
    const s = Tensor.scalar('float32', 1);
    const z = Tensor.scalar('uint8', 0);
    expect(() => qlinearMatMul(a, Tensor.from('float32', [2], [1, 1]), Tensor.from('uint8', [3], [0, 0, 0]), a, s, z, s, z)).toThrow(/"a_zero_point" has shape \[3\]; expected one element/);
    expect(() => qlinearMatMul(a, s, z, a, s, z, Tensor.from('float32', [2], [1, 1]), z)).toThrow(/"y_scale"/);
    expect(() => qlinearMatMul(a, s, z, a, s, z, s, Tensor.from('uint8', [2], [0, 0]))).toThrow(/"y_zero_point" has shape \[2\]; expected one element/);
    expect(() => qlinearMatMul(a, s, z, a, s, z, s, Tensor.scalar('int32', 0))).toThrow(/"y_zero_point" must be uint8 or int8, got int32/);
    // Without y_zero_point the output takes a's dtype and zero point 0.
    expect(qlinearMatMul(a, s, z, a, s, z, s, undefined).dtype).toBe('uint8');
  });
});
