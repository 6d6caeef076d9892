// Percentile / Entropy / MSE observers against independent NumPy implementations of the published algorithms
// (scripts/generate-fixtures.py), with PyTorch's _calculate_qparams turning the chosen range into qparams.
// The NumPy reference histograms all values at once; the observers see them batch by batch, so agreement also
// shows that the aligned histogram is order-independent.
import { describe, expect, it } from 'vitest';
import { createObserver, observerFromJSON, type ObserverKind } from '../src/index';
import type { CalibrationHistogramObserver } from '../src/calibration-histogram-observer';
import { batchesOf, loadFixture, num } from './fixture-utils';

const fixture = loadFixture('calibration.json');
const f32 = (vs: unknown) => (vs as (number | string)[]).map((v) => Math.fround(num(v)));

describe('calibration observers match the NumPy references', () => {
  for (const c of fixture.cases) {
    it(`${c.kind} ${JSON.stringify(c.options)} on ${c.input}`, () => {
      const obs = createObserver(c.kind as ObserverKind, c.options) as CalibrationHistogramObserver;
      const batches = batchesOf(fixture.inputs[c.input]);
      for (const t of batches) obs.observe(t);
      const h = obs.getHistogram();
      expect(h.total).toBe(c.expected.total);
      expect(h.width).toBe(c.expected.width);
      expect(h.lo).toBe(c.expected.lo);
      expect(Array.from(obs.stats().min)).toEqual(f32(c.expected.min));
      expect(Array.from(obs.stats().max)).toEqual(f32(c.expected.max));
      const r = obs.computeRange();
      expect(Array.from(r.min), 'range min').toEqual(f32(c.expected.rangeMin));
      expect(Array.from(r.max), 'range max').toEqual(f32(c.expected.rangeMax));
      const q = obs.calculateQParams();
      expect(Array.from(q.scale)).toEqual(f32(c.expected.scale));
      expect(Array.from(q.zeroPoint)).toEqual(c.expected.zeroPoint);

      // Exact merge: shards observed separately (in reverse order) and merged give the identical observer.
      if (batches.length > 1) {
        const a = createObserver(c.kind as ObserverKind, c.options);
        const b = createObserver(c.kind as ObserverKind, c.options);
        a.observe(batches[batches.length - 1]);
        for (const t of batches.slice(0, -1)) b.observe(t);
        a.merge(observerFromJSON(JSON.parse(JSON.stringify(b.toJSON()))));
        expect((a as CalibrationHistogramObserver).getHistogram()).toEqual(h);
        expect(a.calculateQParams()).toEqual(q);
      }
    });
  }
});
