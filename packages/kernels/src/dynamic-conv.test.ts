import { ShapeError, Tensor, ValueError } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { convInteger } from './conv-integer';
import { dynamicConv, maxDynamicConvK } from './dynamic-conv';
import { dynamicQuantizeLinear } from './dynamic-quantize-linear';

const f = Math.fround;

describe('dynamicConv', () => {
  // x = [0, 1, 2, 3] (one channel, 2×2): DynamicQuantizeLinear gives scale 3/255, zero point 0, xq = [0, 85, 170, 255].
  const x = Tensor.from('float32', [1, 1, 2, 2], [0, 1, 2, 3]);
  // 1×1 filters 2 and −1 with scales 0.1 and 0.5, bias 1 and −2.
  const w = Tensor.from('int8', [2, 1, 1, 1], [2, -1]);
  const wScale = new Float32Array([0.1, 0.5]);
  const bias = new Float32Array([1, -2]);
  const s0 = f(f(3 / 255) * f(0.1));
  const s1 = f(f(3 / 255) * f(0.5));
  const ch0 = [0, 170, 340, 510].map((a) => f(f(a * s0) + 1));
  const ch1 = [0, -85, -170, -255].map((a) => f(f(a * s1) - 2));

  it('quantizes x, convolves and scales per channel with the bias (hand-checked)', () => {
    const y = dynamicConv(x, w, wScale, undefined, bias);
    expect(y.shape).toEqual([1, 2, 2, 2]);
    expect(Array.from(y.data as Float32Array)).toEqual([...ch0, ...ch1]);
  });

  it('applies Relu, the float64 affine map and the pool after it (hand-checked)', () => {
    // Channel 1 is negative everywhere: 0 after the Relu, then 0·(−1) + 0.25; channel 0 doubled, then pooled 1×2.
    const y = dynamicConv(x, w, wScale, undefined, bias, {
      relu: true,
      postScale: new Float64Array([2, -1]),
      postShift: new Float64Array([0, 0.25]),
      pool: [1, 2, 1, 2],
    });
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(y.data as Float32Array)).toEqual([f(ch0[1] * 2), f(ch0[3] * 2), 0.25, 0.25]);
  });

  it('equals DynamicQuantizeLinear → ConvInteger → per-channel scale with per-channel weight zero points and padding', () => {
    const xs = Tensor.from('float32', [2, 2, 5, 4], Float32Array.from({ length: 80 }, (_, i) => Math.sin(i * 0.9) * 4 - 1));
    const wq = Tensor.from('uint8', [3, 2, 3, 3], Uint8Array.from({ length: 54 }, (_, i) => (i * 97) % 256));
    const wz = new Int32Array([120, 7, 250]);
    const sc = new Float32Array([0.02, 0.003, 0.5]);
    const attrs = { pads: [1, 0, 1, 2], strides: [2, 1] };
    const y = dynamicConv(xs, wq, sc, wz, undefined, attrs);
    const [xq, xScale, xZero] = dynamicQuantizeLinear(xs);
    const acc = convInteger(xq, wq, xZero, Tensor.from('uint8', [3], Uint8Array.from(wz)), attrs);
    const plane = acc.shape[2] * acc.shape[3];
    const want = Array.from(acc.data as Int32Array, (a, i) => f(a * f((xScale.data as Float32Array)[0] * sc[Math.floor(i / plane) % 3])));
    expect(y.shape).toEqual(acc.shape);
    expect(Array.from(y.data as Float32Array)).toEqual(want);
  });

  it('rejects mis-sized scales and zero points, bad scales and K beyond the int32-safe bound', () => {
    expect(() => dynamicConv(x, w, new Float32Array([0.1]))).toThrow(ShapeError);
    expect(() => dynamicConv(x, w, new Float32Array([0.1, 0]))).toThrow(ValueError);
    expect(() => dynamicConv(x, w, new Float32Array([0.1, Infinity]))).toThrow(/wScale\[1\] = Infinity must be finite/);
    expect(() => dynamicConv(x, w, wScale, new Int32Array(3))).toThrow(/wZeroPoint has 3 values; expected 1 or M = 2/);
    expect(maxDynamicConvK('int8')).toBe(65793); // ⌊(2³¹ − 1) / (255 · 128)⌋
    const big = Tensor.from('float32', [1, 1, 257, 257], new Float32Array(257 * 257));
    const wBig = Tensor.from('int8', [1, 1, 257, 257], new Int8Array(257 * 257));
    expect(() => dynamicConv(big, wBig, new Float32Array([1]))).toThrow(/K = 66049 .* may overflow int32; the largest safe K is 65793/);
  });
});
