import { describe, expect, it } from 'vitest';
import { QuantizeError } from './quantize-error';
import { groupRanges, quantizeWeight, type WeightQuantSettings } from './quantize-weight';

const base: WeightQuantSettings = {
  bits: 8,
  granularity: 'per_channel',
  blockSize: 32,
  symmetric: true,
  weightType: 'int8',
  reduceRange: false,
  convention: 'pytorch',
  rangeMethod: 'minmax',
  percentile: 99.99,
};
const f = Math.fround;

describe('quantizeWeight', () => {
  it('int8 symmetric per channel, PyTorch arithmetic (hand-checked)', () => {
    // absmax 2 → scale 2/127.5; x·(1/scale) = x·63.75: −63.75 → −64, 31.875 → 32, 15.9375 → 16, 127.5 → 128 → clamp 127.
    const q = quantizeWeight(Float32Array.from([-1, 0.5, 0.25, 2, 0, 0, 0, 0]), 2, 4, base, 'w');
    expect(Array.from(q.values)).toEqual([-64, 32, 16, 127, 0, 0, 0, 0]);
    expect(q.scales[0]).toBe(f(2 / 127.5));
    // An all-zero channel gets PyTorch's eps scale, never 0.
    expect(q.scales[1]).toBe(f(2 ** -23));
    expect(q.zeroPoints).toBeUndefined();
    expect(q.blockSize).toBe(0);
  });

  it('4-bit symmetric per block (hand-checked)', () => {
    // Block [0, 1.5]: scale 1.5/7.5 = 0.2, 1.5·5 = 7.5 → 8 → clamp 7. Block [−3, 0]: scale 0.4, −3·2.5 = −7.5 → −8.
    const q = quantizeWeight(Float32Array.from([0, 1.5, -3, 0]), 1, 4, { ...base, bits: 4, granularity: 'per_block', blockSize: 2 }, 'w');
    expect(Array.from(q.values)).toEqual([0, 7, -8, 0]);
    expect(Array.from(q.scales)).toEqual([f(1.5 / 7.5), f(3 / 7.5)]);
    expect(q.blockSize).toBe(2);
  });

  it('uint8 affine weights are stored shifted by −128 (hand-checked)', () => {
    // Range [0, 3]: scale 3/255, zero point 0 → u = [0, 85, 170, 255] → stored u − 128.
    const q = quantizeWeight(Float32Array.from([0, 1, 2, 3]), 1, 4, { ...base, granularity: 'per_tensor', symmetric: false, weightType: 'uint8' }, 'w');
    expect(Array.from(q.values)).toEqual([-128, -43, 42, 127]);
    expect(Array.from(q.zeroPoints!)).toEqual([-128]);
    expect(q.scales[0]).toBe(f(3 / 255));
  });

  it('reduceRange halves the range; 2-bit and 3-bit values stay in their signed ranges', () => {
    const w = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i * 1.7) * (1 + (i % 5)));
    expect(Math.min(...quantizeWeight(w, 4, 16, { ...base, reduceRange: true }, 'w').values)).toBeGreaterThanOrEqual(-64);
    expect(Math.max(...quantizeWeight(w, 4, 16, { ...base, reduceRange: true }, 'w').values)).toBeLessThanOrEqual(63);
    for (const bits of [3, 2] as const) {
      const v = quantizeWeight(w, 4, 16, { ...base, bits, symmetric: false }, 'w').values;
      expect(Math.min(...v)).toBeGreaterThanOrEqual(-(2 ** (bits - 1)));
      expect(Math.max(...v)).toBeLessThanOrEqual(2 ** (bits - 1) - 1);
    }
  });

  it('MSE range search never reconstructs worse than min-max, and wins on an outlier', () => {
    const w = Float32Array.from({ length: 128 }, (_, i) => (i === 7 ? 6 : Math.sin(i) * 0.5));
    const err = (method: 'minmax' | 'mse') => {
      const q = quantizeWeight(w, 2, 64, { ...base, bits: 4, rangeMethod: method }, 'w');
      let e = 0;
      for (let i = 0; i < w.length; i++) e += (q.values[i] * q.scales[Math.floor(i / 64)] - w[i]) ** 2;
      return e;
    };
    expect(err('mse')).toBeLessThan(err('minmax'));
  });

  it('percentile clipping narrows the range of a channel with an outlier', () => {
    const w = Float32Array.from({ length: 10000 }, (_, i) => (i === 0 ? 100 : Math.sin(i)));
    const clipped = quantizeWeight(w, 1, 10000, { ...base, rangeMethod: 'percentile', percentile: 99.9 }, 'w');
    expect(clipped.scales[0]).toBeLessThan(f(100 / 127.5) / 10);
  });

  it('rejects NaN and Inf weights with the position', () => {
    expect(() => quantizeWeight(Float32Array.from([0, NaN]), 1, 2, base, 'fc1')).toThrow(QuantizeError);
    expect(() => quantizeWeight(Float32Array.from([0, 1, Infinity, 0]), 2, 2, base, 'fc1')).toThrow(/node "fc1": weight element 2 \(row 1, col 0\) is Infinity/);
  });
});

describe('groupRanges (hand-checked)', () => {
  // w [2, 5] = [[1, −2, 3, 4, −5], [0.5, 6, −1, 2, 7]].
  const w = Float32Array.from([1, -2, 3, 4, -5, 0.5, 6, -1, 2, 7]);
  const of = (r: ReturnType<typeof groupRanges>) => [0, 1, 2, 3, 4].map((c) => [r.of(0, c), r.of(1, c)]).flat();
  it('per tensor, per channel and per block of 2 (the last block short): groups, element map, min and max', () => {
    const t = groupRanges(w, 2, 5, { granularity: 'per_tensor', blockSize: 0 });
    expect([t.groups, Array.from(t.mins), Array.from(t.maxs)]).toEqual([1, [-5], [7]]);
    const c = groupRanges(w, 2, 5, { granularity: 'per_channel', blockSize: 0 });
    expect([c.groups, Array.from(c.mins), Array.from(c.maxs)]).toEqual([2, [-5, -1], [4, 7]]);
    expect(of(c)).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
    const b = groupRanges(w, 2, 5, { granularity: 'per_block', blockSize: 2 });
    expect([b.groups, Array.from(b.mins), Array.from(b.maxs)]).toEqual([6, [-2, 3, -5, 0.5, -1, 7], [1, 4, -5, 6, 2, 7]]);
    expect(of(b)).toEqual([0, 3, 0, 3, 1, 4, 1, 4, 2, 5]);
  });
});
