import { DTypeError, Tensor, float32ToFloat16Array } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { OBSERVER_KINDS, createObserver, observerFromJSON } from './create-observer';
import { ObserverError } from './observer-error';
import type { ObserverKind } from './observer';

const PER_CHANNEL = new Set<ObserverKind>(['PerChannelMinMaxObserver', 'MovingAveragePerChannelMinMaxObserver']);
const HISTOGRAM_FAMILY = new Set<ObserverKind>(['HistogramObserver', 'PercentileObserver', 'EntropyObserver', 'MseObserver']);
const values = [-1.5, 0.25, 3, -0.75, 2.5, 0, 1.125, -2];
const x = Tensor.from('float32', [2, 4], Float32Array.from(values));
const x16 = Tensor.from('float16', [2, 4], float32ToFloat16Array(values)); // all exactly representable in float16

describe.each(OBSERVER_KINDS)('%s', (kind) => {
  const opts = PER_CHANNEL.has(kind) ? { dtype: 'int8' as const, qscheme: 'per_channel_symmetric' as const } : { dtype: 'int8' as const };

  it('gives scale 1 / zero point 0 before observing, and after reset', () => {
    const obs = createObserver(kind, opts);
    expect(obs.calculateQParams()).toEqual({ scale: Float32Array.of(1), zeroPoint: Int32Array.of(0) });
    obs.observe(x);
    obs.reset();
    expect(obs.calculateQParams()).toEqual({ scale: Float32Array.of(1), zeroPoint: Int32Array.of(0) });
  });

  it('reads float16 exactly like float32', () => {
    const a = createObserver(kind, opts);
    const b = createObserver(kind, opts);
    a.observe(x);
    b.observe(x16);
    expect(b.calculateQParams()).toEqual(a.calculateQParams());
    expect(b.stats()).toEqual(a.stats());
  });

  it(`ignores NaN${HISTOGRAM_FAMILY.has(kind) ? ' and ±Infinity' : ''} (same result as without those elements)`, () => {
    // Histogram-family observers drop ±Infinity (PyTorch >= 2.1); the min/max family records it (next test).
    const [pinf, ninf] = HISTOGRAM_FAMILY.has(kind) ? [Infinity, -Infinity] : [NaN, NaN];
    const dirty = [...values, NaN, pinf, ninf];
    const a = createObserver(kind, opts);
    const b = createObserver(kind, opts);
    // Per-channel observers need a shape: put the non-finite values in an extra row of each channel.
    if (PER_CHANNEL.has(kind)) {
      a.observe(Tensor.from('float32', [2, 4], Float32Array.from(values)));
      b.observe(Tensor.from('float32', [2, 6], Float32Array.from([...values.slice(0, 4), NaN, pinf, ...values.slice(4), ninf, NaN])));
    } else {
      a.observe(Tensor.from('float32', [values.length], Float32Array.from(values)));
      b.observe(Tensor.from('float32', [dirty.length], Float32Array.from(dirty)));
    }
    expect(b.calculateQParams()).toEqual(a.calculateQParams());
    expect(b.stats()).toEqual(a.stats());
  });

  it('±Infinity: JSON round-trip of the state and merge (recorded by the min/max family, dropped by the histogram family)', () => {
    const shape = PER_CHANNEL.has(kind) ? [2, 5] : [10];
    const withInf = Tensor.from('float32', shape, Float32Array.from([...values.slice(0, 4), Infinity, ...values.slice(4), -Infinity]));
    const a = createObserver(kind, opts);
    a.observe(withInf);
    const s = a.stats();
    if (HISTOGRAM_FAMILY.has(kind)) {
      expect([s.min[0], s.max[0]]).toEqual([-2, 3]);
    } else {
      expect(Array.from(s.max)).toContain(Infinity);
      expect(Array.from(s.min)).toContain(-Infinity);
      expect(Array.from(a.calculateQParams().scale)).toContain(Infinity);
    }
    const json = JSON.stringify(a);
    const copy = observerFromJSON(json);
    expect(copy.stats()).toEqual(s);
    expect(copy.calculateQParams()).toEqual(a.calculateQParams());
    // merging the observer that saw ±Infinity into a clean one gives the same parameters as observing both
    const clean = Tensor.from('float32', shape, Float32Array.from([...values.slice(0, 5), ...values.slice(3)]));
    const merged = createObserver(kind, opts);
    merged.observe(clean);
    merged.merge(copy);
    const seq = createObserver(kind, opts);
    seq.observe(clean);
    seq.observe(withInf);
    if (kind.startsWith('MovingAverage')) {
      // an EMA merge is the union of the two averaged ranges
      const c = createObserver(kind, opts);
      c.observe(clean);
      const u = c.stats();
      expect(merged.stats()).toEqual({ min: u.min.map((v, i) => Math.min(v, s.min[i])), max: u.max.map((v, i) => Math.max(v, s.max[i])) });
    } else if (kind === 'HistogramObserver') {
      // the PyTorch-grid merge is approximate (README), but no infinity may leak into it
      expect([...merged.stats().min, ...merged.stats().max].every(Number.isFinite)).toBe(true);
      expect(Number.isFinite(merged.calculateQParams().scale[0])).toBe(true);
    } else {
      expect(merged.stats()).toEqual(seq.stats());
      expect(merged.calculateQParams()).toEqual(seq.calculateQParams());
    }
  });

  it('throws typed errors for an empty tensor and a non-float tensor', () => {
    const obs = createObserver(kind, opts);
    expect(() => obs.observe(Tensor.zeros('float32', [0, 4]))).toThrow(ObserverError);
    expect(() => obs.observe(Tensor.zeros('int32', [4]))).toThrow(DTypeError);
  });

  it('round-trips through JSON (a string or an object) with its state', () => {
    const obs = createObserver(kind, opts);
    obs.observe(x);
    obs.observe(Tensor.from('float32', [2, 4], Float32Array.from(values, (v) => v * 3)));
    const copy = observerFromJSON(JSON.stringify(obs));
    expect(copy.kind).toBe(kind);
    expect(copy.calculateQParams()).toEqual(obs.calculateQParams());
    expect(copy.stats()).toEqual(obs.stats());
    expect(observerFromJSON(obs.toJSON()).computeRange()).toEqual(obs.computeRange());
  });

  it('merges with an empty observer as a no-op, and refuses other kinds', () => {
    const a = createObserver(kind, opts);
    a.observe(x);
    const before = a.calculateQParams();
    a.merge(createObserver(kind, opts));
    expect(a.calculateQParams()).toEqual(before);
    const other = OBSERVER_KINDS.find((k) => k !== kind)!;
    expect(() => a.merge(createObserver(other, PER_CHANNEL.has(other) ? { qscheme: 'per_channel_affine' } : {}))).toThrow(ObserverError);
  });
});

describe.each([...PER_CHANNEL])('%s chAxis and merge', (kind) => {
  it('a chAxis outside [-rank, rank) or not an integer is an ObserverError (with the code)', () => {
    for (const chAxis of [2, -3, 7]) {
      const obs = createObserver(kind, { chAxis });
      expect(() => obs.observe(x), `chAxis ${chAxis}`).toThrow(ObserverError);
      expect(() => obs.observe(x), `chAxis ${chAxis}`).toThrow(/expected an integer in \[-2, 1\]/);
    }
    expect(() => createObserver(kind, { chAxis: 1.5 })).toThrow(ObserverError);
    expect(() => createObserver(kind, {}).observe(Tensor.from('float32', [], [1]))).toThrow(/rank 0/);
    try {
      createObserver(kind, { chAxis: -3 }).observe(x);
      expect.unreachable();
    } catch (e) {
      expect((e as ObserverError).code).toBe('ERR_OBSERVER');
    }
  });

  it('two observers that saw the two halves, merged: exact for min/max, the union of the averages for the EMA', () => {
    const all = Tensor.from('float32', [2, 8], Float32Array.from([...values, ...values.map((v) => -v * 2)]));
    const lo = Tensor.from('float32', [2, 4], Float32Array.from([...values.slice(0, 4), ...values.slice(0, 4).map((v) => -v * 2)]));
    const hi = Tensor.from('float32', [2, 4], Float32Array.from([...values.slice(4), ...values.slice(4).map((v) => -v * 2)]));
    const a = createObserver(kind, { chAxis: 0 });
    const b = createObserver(kind, { chAxis: 0 });
    a.observe(lo);
    b.observe(hi);
    const ua = a.stats();
    const ub = b.stats();
    a.merge(observerFromJSON(JSON.stringify(b)));
    const seq = createObserver(kind, { chAxis: 0 });
    seq.observe(all);
    if (kind === 'PerChannelMinMaxObserver') {
      expect(a.stats()).toEqual(seq.stats());
      expect(a.calculateQParams()).toEqual(seq.calculateQParams());
    } else {
      expect(a.stats()).toEqual({ min: ua.min.map((v, i) => Math.min(v, ub.min[i])), max: ua.max.map((v, i) => Math.max(v, ub.max[i])) });
    }
  });
});

describe('createObserver / observerFromJSON errors', () => {
  it('names the bad kind, version and state', () => {
    expect(() => createObserver('Nope' as ObserverKind)).toThrow(/unknown kind "Nope"/);
    expect(() => observerFromJSON('{')).toThrow(ObserverError);
    expect(() => observerFromJSON({ kind: 'MinMaxObserver', version: 2 as 1, options: {}, state: {} })).toThrow(/version/);
    expect(() => observerFromJSON({ kind: 'MinMaxObserver', version: 1, options: {}, state: { min: ['x'], max: [1] } })).toThrow(/state.min/);
    expect(() =>
      observerFromJSON({ kind: 'HistogramObserver', version: 1, options: { bins: 4 }, state: { min: [0], max: [1], histogram: [1, 2] } }),
    ).toThrow(/bins/);
  });
});
