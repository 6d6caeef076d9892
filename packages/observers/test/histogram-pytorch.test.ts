// Conformance of HistogramObserver with torch.ao.quantization.HistogramObserver (PyTorch 2.1 forward semantics,
// see scripts/generate-fixtures.py): observed range, searched range and qparams. Inputs with ±Infinity check that
// it is dropped, as PyTorch ≥ 2.1 does.
import { describe, expect, it } from 'vitest';
import { HistogramObserver } from '../src/index';
import { batchesOf, loadFixture, num } from './fixture-utils';

const fixture = loadFixture('histogram.json');
const f32 = (vs: unknown) => (vs as (number | string)[]).map((v) => Math.fround(num(v)));

describe('HistogramObserver matches PyTorch', () => {
  for (const c of fixture.cases) {
    it(`${JSON.stringify(c.options)} on ${c.input}`, () => {
      const obs = new HistogramObserver(c.options);
      for (const t of batchesOf(fixture.inputs[c.input])) obs.observe(t);
      const h = obs.getHistogram();
      let sum = 0;
      for (const v of h.histogram) sum += v;
      // Histogram mass: float32 accumulation differs from torch's summation order by rounding only.
      expect(Math.abs(sum - (c.expected.histogramSum as number))).toBeLessThanOrEqual(1e-3 * Math.max(1, c.expected.histogramSum as number));
      expect([h.min], 'observed min').toEqual(f32(c.expected.min));
      expect([h.max], 'observed max').toEqual(f32(c.expected.max));
      if (c.expected.rangeMin !== undefined) {
        const r = obs.computeRange();
        expect(Array.from(r.min), 'searched min').toEqual(f32(c.expected.rangeMin));
        expect(Array.from(r.max), 'searched max').toEqual(f32(c.expected.rangeMax));
      } else {
        // Only ±Infinity observed: PyTorch ≥ 2.1 drops it and keeps the "nothing observed" defaults (scale 1, zero point 0).
        expect([h.min, h.max]).toEqual([Infinity, -Infinity]);
      }
      const q = obs.calculateQParams();
      expect(Array.from(q.scale)).toEqual(f32(c.expected.scale));
      expect(Array.from(q.zeroPoint)).toEqual(c.expected.zeroPoint);
    });
  }
});
