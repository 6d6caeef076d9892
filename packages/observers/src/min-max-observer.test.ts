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

  it('ignores NaN but records ±Infinity as PyTorch does (infinite scale)', () => {
    const a = new MinMaxObserver();
    a.observe(t([NaN, -2, 3, NaN]));
    expect([a.stats().min[0], a.stats().max[0]]).toEqual([-2, 3]);
    a.observe(t([NaN, Infinity, 1]));
    expect([a.stats().min[0], a.stats().max[0]]).toEqual([-2, Infinity]);
    // uint8 affine, max = +inf: scale inf, zero point 0 - round(-2 / inf) = 0
    expect(a.calculateQParams()).toEqual({ scale: Float32Array.of(Infinity), zeroPoint: Int32Array.of(0) });
    const b = new MinMaxObserver();
    b.observe(t([NaN, NaN]));
    expect(b.calculateQParams().scale[0]).toBe(1); // only NaN: nothing observed
    b.observe(t([Infinity, NaN]));
    expect([b.stats().min[0], b.stats().max[0]]).toEqual([Infinity, Infinity]);
    const c = new MinMaxObserver({ dtype: 'int8' });
    c.observe(t([-Infinity, 0.5]));
    // int8 affine, min = -inf: round(-inf / inf) = NaN -> INT32_MIN on x86; -128 - INT32_MIN wraps to 2^31 - 128 -> 127
    expect(c.calculateQParams()).toEqual({ scale: Float32Array.of(Infinity), zeroPoint: Int32Array.of(127) });
  });

  it('moving average: a -Infinity average turns NaN at the next batch (as in PyTorch) and calculateQParams throws', () => {
    const a = new MovingAverageMinMaxObserver({ averagingConstant: 0.5 });
    a.observe(t([1, 2]));
    a.observe(t([-Infinity, 2]));
    expect(a.stats().min[0]).toBe(-Infinity); // 1 + 0.5 * (-inf - 1)
    expect(a.calculateQParams().scale[0]).toBe(Infinity);
    a.observe(t([0, 2]));
    expect(a.stats().min[0]).toBeNaN(); // -inf + 0.5 * (0 - -inf) = -inf + inf
    expect(() => a.calculateQParams()).toThrow(ObserverError);
    const b = new MovingAverageMinMaxObserver({ averagingConstant: 0.5 });
    b.observe(t([-Infinity, 2]));
    b.observe(t([-Infinity, 2]));
    expect(b.stats().min[0]).toBeNaN(); // -inf + 0.5 * (-inf - -inf) = -inf + NaN, even for a second -inf
    // NaN survives JSON and wins a merge (the merged observer cannot give parameters either)
    const copy = new MovingAverageMinMaxObserver({ averagingConstant: 0.5 });
    copy.observe(t([-1, 1]));
    copy.merge(a);
    expect(copy.stats().min[0]).toBeNaN();
    expect(copy.stats().max[0]).toBe(2);
  });

  it('a state of [+Infinity, -Infinity] restored from JSON counts as nothing observed (scale 1, zero point 0)', () => {
    const a = new MovingAverageMinMaxObserver();
    a.loadState({ min: ['Infinity'], max: ['-Infinity'] });
    expect(a.calculateQParams()).toEqual({ scale: Float32Array.of(1), zeroPoint: Int32Array.of(0) });
    a.observe(t([-1, 3])); // fresh, as PyTorch's "min_val == inf and max_val == -inf" check: no NaN from the average
    expect([a.stats().min[0], a.stats().max[0]]).toEqual([-1, 3]);
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
      expect.unreachable();
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

  it('skips NaN and records ±Infinity on every path (long rows, short rows, channel last)', () => {
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
      // Reference: a plain loop over the coordinates, channel = index along chAxis.
      const inner = shape.slice(chAxis + 1).reduce((p, q) => p * q, 1);
      const mins = new Array<number>(shape[chAxis]).fill(Infinity);
      const maxs = new Array<number>(shape[chAxis]).fill(-Infinity);
      for (let i = 0; i < n; i++) {
        const c = Math.floor(i / inner) % shape[chAxis];
        if (Number.isNaN(dirty[i])) continue;
        mins[c] = Math.min(mins[c], dirty[i]);
        maxs[c] = Math.max(maxs[c], dirty[i]);
      }
      expect(Array.from(a.stats().min)).toEqual(mins.map(Math.fround));
      expect(Array.from(a.stats().max)).toEqual(maxs.map(Math.fround));
      expect(a.stats().max).toContain(Infinity);
      expect(a.stats().min).toContain(-Infinity);
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
