import { DTypeError, QintError, Tensor, float32ToFloat16Array } from '@qint/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MinMaxObserver } from './min-max-observer';
import { MovingAverageMinMaxObserver } from './moving-average-min-max-observer';
import { ObserverError } from './observer-error';
import { PerChannelMinMaxObserver } from './per-channel-min-max-observer';

const t = (values: number[], shape = [values.length]) => Tensor.from('float32', shape, Float32Array.from(values));

describe('MinMaxObserver', () => {
  it('hand-checked uint8 affine and int8 symmetric parameters', () => {
    const a = new MinMaxObserver();
    a.observe(t([-1, 0.5, 2]));
    // scale = 3/255, zero point = 0 - round(-1 / (3/255)) = round(85) = 85
    expect(Array.from(a.calculateQParams().scale)).toEqual([Math.fround(Math.fround(3) / 255)]);
    expect(Array.from(a.calculateQParams().zeroPoint)).toEqual([85]);
    const b = new MinMaxObserver({ dtype: 'int8', qscheme: 'per_tensor_symmetric' });
    b.observe(t([-1, 0.5, 2]));
    expect(b.calculateQParams().scale[0]).toBe(Math.fround(2 / 127.5));
    expect(b.calculateQParams().zeroPoint[0]).toBe(0);
  });

  it('gives scale 1, zero point 0 before observing anything', () => {
    const q = new MinMaxObserver().calculateQParams();
    expect([q.scale[0], q.zeroPoint[0]]).toEqual([1, 0]);
  });

  it('ignores NaN and ±Infinity', () => {
    const a = new MinMaxObserver();
    a.observe(t([NaN, -2, Infinity, 3, -Infinity, NaN]));
    expect([a.stats().min[0], a.stats().max[0]]).toEqual([-2, 3]);
    const b = new MinMaxObserver();
    b.observe(t([NaN, Infinity]));
    expect(b.calculateQParams().scale[0]).toBe(1);
  });

  it('reads float16 tensors', () => {
    const a = new MinMaxObserver();
    a.observe(Tensor.from('float16', [3], float32ToFloat16Array([-0.5, 0.25, 1.5])));
    expect([a.stats().min[0], a.stats().max[0]]).toEqual([-0.5, 1.5]);
  });

  it('throws typed errors for empty tensors, non-float tensors and bad options', () => {
    const a = new MinMaxObserver();
    expect(() => a.observe(Tensor.zeros('float32', [0, 3]))).toThrow(ObserverError);
    expect(() => a.observe(Tensor.zeros('int8', [3]))).toThrow(DTypeError);
    expect(() => new MinMaxObserver({ quantMin: 1, quantMax: 15 })).toThrow(/must contain 0/);
    expect(() => new MinMaxObserver({ quantMin: -8 })).toThrow(/together/);
    expect(() => new MinMaxObserver({ dtype: 'uint8', quantMin: -8, quantMax: 7 })).toThrow(/inside the uint8 range/);
    expect(() => new MinMaxObserver({ qscheme: 'per_channel_affine' })).toThrow(ObserverError);
    expect(() => new MinMaxObserver({ qscheme: 'per_tensor_symmetric', reduceRange: true })).toThrow(/reduceRange/);
    expect(() => new MinMaxObserver({ dtype: 'int16' as never })).toThrow(ObserverError);
    try {
      a.observe(Tensor.zeros('float32', [0]));
    } catch (e) {
      expect(e).toBeInstanceOf(QintError);
      expect((e as QintError).code).toBe('ERR_OBSERVER');
    }
  });

  it('merging two halves equals observing everything; JSON round-trips', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: 2, maxLength: 50 }), fc.nat(), (xs, cut) => {
        const k = 1 + (cut % (xs.length - 1));
        const all = new MinMaxObserver({ dtype: 'int8' });
        all.observe(t(xs));
        const a = new MinMaxObserver({ dtype: 'int8' });
        const b = new MinMaxObserver({ dtype: 'int8' });
        a.observe(t(xs.slice(0, k)));
        b.observe(t(xs.slice(k)));
        const restored = new MinMaxObserver({ dtype: 'int8' });
        restored.merge(a);
        restored.merge(b);
        expect(restored.calculateQParams()).toEqual(all.calculateQParams());
        expect(restored.stats()).toEqual(all.stats());
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  it('refuses to merge observers with different options', () => {
    expect(() => new MinMaxObserver().merge(new MinMaxObserver({ dtype: 'int8' }))).toThrow(ObserverError);
    expect(() => new MinMaxObserver().merge(new MovingAverageMinMaxObserver())).toThrow(ObserverError);
  });
});

describe('PerChannelMinMaxObserver', () => {
  it('reduces over every axis but chAxis (negative axes count from the end)', () => {
    const x = t([1, -2, 3, 4, 5, -6], [2, 3]);
    const a = new PerChannelMinMaxObserver({ chAxis: -1 });
    a.observe(x);
    expect(Array.from(a.stats().min)).toEqual([1, -2, -6]);
    expect(Array.from(a.stats().max)).toEqual([4, 5, 3]);
    const b = new PerChannelMinMaxObserver({ chAxis: 0 });
    b.observe(x);
    expect(Array.from(b.stats().min)).toEqual([-2, -6]);
  });

  it('skips NaN and ±Infinity on every path (long rows, short rows, channel last)', () => {
    for (const [shape, chAxis] of [
      [[2, 16], 0],
      [[4, 2, 3], 1],
      [[8, 2], 1],
    ] as const) {
      const n = shape.reduce((a, b) => a * b, 1);
      const clean = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 3);
      const dirty = clean.slice();
      dirty[1] = Infinity;
      dirty[n - 1] = -Infinity;
      dirty[2] = NaN;
      const a = new PerChannelMinMaxObserver({ chAxis });
      a.observe(Tensor.from('float32', [...shape], dirty));
      const b = new PerChannelMinMaxObserver({ chAxis });
      const masked = clean.slice();
      masked[1] = NaN;
      masked[n - 1] = NaN;
      masked[2] = NaN;
      b.observe(Tensor.from('float32', [...shape], masked));
      expect(a.stats()).toEqual(b.stats());
      expect(Array.from(a.stats().min).every(Number.isFinite)).toBe(true);
    }
  });

  it('throws for a chAxis outside the rank and for a changing channel count', () => {
    expect(() => new PerChannelMinMaxObserver({ chAxis: 2 }).observe(t([1, 2], [2]))).toThrow(/chAxis 2 is out of range/);
    expect(() => new PerChannelMinMaxObserver({ chAxis: 0.5 })).toThrow(ObserverError);
    const a = new PerChannelMinMaxObserver();
    a.observe(t([1, 2], [2, 1]));
    expect(() => a.observe(t([1, 2, 3], [3, 1]))).toThrow(/channels/);
  });

  it('hand-checked per-channel int8 symmetric parameters', () => {
    const a = new PerChannelMinMaxObserver({ dtype: 'int8', qscheme: 'per_channel_symmetric' });
    a.observe(t([0.5, -1, 2, -4], [2, 2]));
    // channel 0: absmax 1 -> scale 1/127.5; channel 1: absmax 4 -> scale 4/127.5; zero points 0 (int8 symmetric)
    expect(Array.from(a.calculateQParams().scale)).toEqual([Math.fround(1 / 127.5), Math.fround(4 / 127.5)]);
    expect(Array.from(a.calculateQParams().zeroPoint)).toEqual([0, 0]);
  });
});
