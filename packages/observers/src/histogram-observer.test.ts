import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { HistogramObserver, histc } from './histogram-observer';
import { ObserverError } from './observer-error';

// Deterministic normal samples (Box-Muller over a small LCG) so the test needs no fixtures.
function normals(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 4294967296;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = scale * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return out;
}
const t = (d: Float32Array) => Tensor.from('float32', [d.length], d);

describe('histc', () => {
  it('bins like torch.histc: hi in the last bin, outside values and NaN skipped', () => {
    const h = histc(Float32Array.of(0, 0.5, 1, 1.0001, -0.1, NaN, 0.25), 4, 0, 1, new Float32Array(4));
    expect(Array.from(h)).toEqual([1, 1, 1, 1]);
  });
});

describe('HistogramObserver', () => {
  it('rejects per-channel qschemes and bad bins', () => {
    expect(() => new HistogramObserver({ qscheme: 'per_channel_affine' })).toThrow(ObserverError);
    expect(() => new HistogramObserver({ bins: 1 })).toThrow(/bins/);
  });

  it('keeps the searched range inside the observed one', () => {
    // Cubes of normals: a long tail whose L2-optimal range is well inside [min, max].
    const d = normals(8192, 7).map((v) => v * v * v);
    const obs = new HistogramObserver();
    obs.observe(t(d));
    const r = obs.computeRange();
    const s = obs.stats();
    expect(r.min[0]).toBeGreaterThanOrEqual(s.min[0]);
    expect(r.max[0]).toBeLessThanOrEqual(s.max[0]);
    expect(r.max[0] - r.min[0]).toBeLessThan(s.max[0] - s.min[0]);
  });

  it('merging shards approximates one sequential pass (within 2% of the scale)', () => {
    const parts = [normals(2048, 1), normals(2048, 2, 2), normals(2048, 3, 0.5), normals(2048, 4, 3)];
    const all = new HistogramObserver();
    for (const p of parts) all.observe(t(p));
    const a = new HistogramObserver();
    const b = new HistogramObserver();
    a.observe(t(parts[0]));
    a.observe(t(parts[1]));
    b.observe(t(parts[2]));
    b.observe(t(parts[3]));
    a.merge(b);
    const qa = a.calculateQParams();
    const qs = all.calculateQParams();
    expect(Math.abs(qa.scale[0] - qs.scale[0]) / qs.scale[0]).toBeLessThan(0.02);
    expect(Math.abs(qa.zeroPoint[0] - qs.zeroPoint[0])).toBeLessThanOrEqual(2);
    let total = 0;
    for (const v of a.getHistogram().histogram) total += v;
    expect(total).toBeCloseTo(8192, 1);
  });

  it('round-trips through JSON exactly', () => {
    const obs = new HistogramObserver({ dtype: 'int8', bins: 512 });
    obs.observe(t(normals(1000, 9)));
    obs.observe(t(normals(1000, 10, 4)));
    const copy = new HistogramObserver({ dtype: 'int8', bins: 512 });
    copy.loadState(JSON.parse(JSON.stringify(obs.toJSON())).state);
    expect(copy.calculateQParams()).toEqual(obs.calculateQParams());
    expect(copy.getHistogram()).toEqual(obs.getHistogram());
  });

  it("grid 'aligned': shards merge exactly in any order and the range stays close to the PyTorch grid's", () => {
    const parts = [normals(4096, 11), normals(4096, 12, 2), normals(4096, 13, 0.5)];
    const seq = new HistogramObserver({ grid: 'aligned', dtype: 'int8' });
    for (const p of parts) seq.observe(t(p));
    const a = new HistogramObserver({ grid: 'aligned', dtype: 'int8' });
    const b = new HistogramObserver({ grid: 'aligned', dtype: 'int8' });
    a.observe(t(parts[2]));
    b.observe(t(parts[1]));
    b.observe(t(parts[0]));
    const bCopy = new HistogramObserver({ grid: 'aligned', dtype: 'int8' });
    bCopy.loadState(JSON.parse(JSON.stringify(b)).state);
    a.merge(bCopy);
    expect(a.getHistogram()).toEqual(seq.getHistogram());
    expect(a.calculateQParams()).toEqual(seq.calculateQParams());
    const torchGrid = new HistogramObserver({ dtype: 'int8' });
    for (const p of parts) torchGrid.observe(t(p));
    const sa = seq.calculateQParams().scale[0];
    const sp = torchGrid.calculateQParams().scale[0];
    expect(Math.abs(sa - sp) / sp).toBeLessThan(0.05);
    expect(() => a.merge(torchGrid)).toThrow(ObserverError);
  });
});
