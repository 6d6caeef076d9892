import { describe, expect, it } from 'vitest';
import { calculateQParams, roundHalfEven } from './calculate-qparams';
import { ObserverError } from './observer-error';
import { resolveQParamsConfig } from './qparams-config';

const f = Math.fround;
const one = (lo: number, hi: number, o: Parameters<typeof calculateQParams>[2]) => {
  const q = calculateQParams(lo, hi, o);
  return [q.scale[0], q.zeroPoint[0]];
};

describe('calculateQParams conventions (hand-checked)', () => {
  it('symmetric int8: PyTorch divides by 127.5, onnx and tflite by 127', () => {
    expect(one(-2.55, 1, { dtype: 'int8', qscheme: 'per_tensor_symmetric' })).toEqual([f(f(2.55) / 127.5), 0]);
    expect(one(-2.55, 1, { dtype: 'int8', qscheme: 'per_tensor_symmetric', convention: 'onnx' })).toEqual([f(f(2 * f(2.55)) / 254), 0]);
    expect(one(-2.55, 1, { dtype: 'int8', qscheme: 'per_tensor_symmetric', convention: 'tflite' })).toEqual([f(f(2.55) / 127), 0]);
  });

  it('integer ranges per convention', () => {
    const r = (o: Parameters<typeof resolveQParamsConfig>[0]) => {
      const c = resolveQParamsConfig(o);
      return [c.quantMin, c.quantMax];
    };
    expect(r({ dtype: 'int8', reduceRange: true })).toEqual([-64, 63]);
    expect(r({ dtype: 'int8', reduceRange: true, convention: 'onnx' })).toEqual([-64, 64]);
    expect(r({ dtype: 'int8', qscheme: 'per_tensor_symmetric', convention: 'onnx' })).toEqual([-127, 127]);
    expect(r({ dtype: 'int8', qscheme: 'per_tensor_symmetric', convention: 'tflite' })).toEqual([-127, 127]);
    expect(r({ dtype: 'int8', qscheme: 'per_tensor_symmetric' })).toEqual([-128, 127]);
    expect(r({ dtype: 'uint8', reduceRange: true })).toEqual([0, 127]);
    expect(r({ dtype: 'int8', quantMin: -8, quantMax: 7, reduceRange: true })).toEqual([-4, 3]);
    expect(r({ dtype: 'uint8', quantMin: 0, quantMax: 3 })).toEqual([0, 3]);
  });

  it('all-zero ranges: PyTorch clamps the scale to eps, onnx and tflite return scale 1', () => {
    expect(one(0, 0, { dtype: 'uint8' })).toEqual([f(2 ** -23), 0]);
    expect(one(0, 0, { dtype: 'int8' })).toEqual([f(2 ** -23), -128]);
    expect(one(0, 0, { dtype: 'uint8', convention: 'onnx' })).toEqual([1, 0]);
    expect(one(0, 0, { dtype: 'int8', convention: 'tflite' })).toEqual([1, 0]);
  });

  it('zero-point ties: PyTorch and onnx round half to even, tflite half away from zero', () => {
    // range [-126.5, 128.5] on [0, 255]: scale 1, zero point 126.5 before rounding
    expect(one(-126.5, 128.5, { dtype: 'uint8' })).toEqual([1, 126]);
    expect(one(-126.5, 128.5, { dtype: 'uint8', convention: 'onnx' })).toEqual([1, 126]);
    expect(one(-126.5, 128.5, { dtype: 'uint8', convention: 'tflite' })).toEqual([1, 127]);
  });

  it('widens to contain zero; an unobserved channel (min > max) is treated as [0, 0]', () => {
    expect(one(2, 4, { dtype: 'uint8' })).toEqual([f(4 / 255), 0]);
    expect(one(-4, -2, { dtype: 'uint8' })).toEqual([f(4 / 255), 255]);
    const q = calculateQParams([Infinity, -1], [-Infinity, 1], { dtype: 'int8', qscheme: 'per_channel_symmetric' });
    expect(Array.from(q.scale)).toEqual([f(2 ** -23), f(1 / 127.5)]);
  });

  it('rejects NaN and mismatched lengths', () => {
    expect(() => calculateQParams(NaN, 1)).toThrow(ObserverError);
    expect(() => calculateQParams([0, 1], [1])).toThrow(/entries/);
  });

  it('infinite bounds, pytorch: scale Infinity and PyTorch-on-x86 zero points (fixtures cover the full grid)', () => {
    expect(one(-1, Infinity, { dtype: 'int8' })).toEqual([Infinity, -128]); // qmin - round(-1 / inf) = qmin
    expect(one(-Infinity, 1, { dtype: 'int8' })).toEqual([Infinity, 127]); // qmin - INT32_MIN wraps positive -> qmax
    expect(one(-Infinity, 1, { dtype: 'uint8' })).toEqual([Infinity, 0]); // 0 - INT32_MIN wraps to INT32_MIN -> qmin
    expect(one(-Infinity, 1, { dtype: 'int8', reduceRange: true })).toEqual([Infinity, 63]);
    expect(one(-Infinity, 1, { dtype: 'uint8', qscheme: 'per_tensor_symmetric' })).toEqual([Infinity, 128]);
    expect(one(-Infinity, 1, { dtype: 'uint8', qscheme: 'per_tensor_symmetric', quantMin: 0, quantMax: 7 })).toEqual([Infinity, 3]);
  });

  it("infinite bounds, onnx: scale Infinity, zero point qmin or the symmetric midpoint; min = -Infinity affine throws", () => {
    expect(one(-1, Infinity, { dtype: 'uint8', convention: 'onnx' })).toEqual([Infinity, 0]);
    expect(one(-1, Infinity, { dtype: 'int8', convention: 'onnx' })).toEqual([Infinity, -128]);
    expect(one(-Infinity, 1, { dtype: 'int8', qscheme: 'per_tensor_symmetric', convention: 'onnx' })).toEqual([Infinity, 0]);
    expect(one(-Infinity, 1, { dtype: 'uint8', qscheme: 'per_tensor_symmetric', convention: 'onnx' })).toEqual([Infinity, 128]);
    expect(() => one(-Infinity, 1, { dtype: 'uint8', convention: 'onnx' })).toThrow(/index 0 is infinite and the 'onnx' convention/);
  });

  it('infinite bounds, tflite: symmetric gives scale Infinity; affine throws', () => {
    expect(one(-Infinity, 1, { dtype: 'int8', qscheme: 'per_tensor_symmetric', convention: 'tflite' })).toEqual([Infinity, 0]);
    expect(() => one(-1, Infinity, { dtype: 'uint8', convention: 'tflite' })).toThrow(ObserverError);
    expect(() => calculateQParams([0, -1], [1, Infinity], { dtype: 'int8', qscheme: 'per_channel_affine', convention: 'tflite' })).toThrow(/index 1/);
  });

  it('roundHalfEven', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, -2.6].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, 2, -3]);
  });
});
