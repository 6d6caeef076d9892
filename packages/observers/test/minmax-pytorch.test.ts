// Conformance of the min/max observers with torch.ao.quantization (fixtures from scripts/generate-fixtures.py),
// ±Infinity included (recorded, averaged and turned into PyTorch's infinite scale), and of the 'onnx' / 'tflite' conventions with NumPy implementations of onnxruntime's and TFLite's formulas.
import { describe, expect, it } from 'vitest';
import {
  MinMaxObserver,
  MovingAverageMinMaxObserver,
  ObserverError,
  calculateQParams,
  observerFromJSON,
  MovingAveragePerChannelMinMaxObserver,
  PerChannelMinMaxObserver,
  type Observer,
  type ObserverOptions,
} from '../src/index';
import { batchesOf, loadFixture, num, type FixtureCase } from './fixture-utils';

const fixture = loadFixture('minmax.json');
const CLASSES: Record<string, new (o: ObserverOptions) => Observer> = {
  MinMaxObserver,
  MovingAverageMinMaxObserver,
  PerChannelMinMaxObserver,
  MovingAveragePerChannelMinMaxObserver,
};

describe('min/max observers match the references bit for bit', () => {
  const groups = new Map<string, typeof fixture.cases>();
  for (const c of fixture.cases) {
    const key = `${c.kind} ${String(c.options.convention ?? 'pytorch')}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(c);
  }
  for (const [key, cases] of groups) {
    it(`${key} (${cases.length} cases)`, () => {
      for (const c of cases) {
        const obs = new CLASSES[c.kind](c.options);
        for (const t of batchesOf(fixture.inputs[c.input])) obs.observe(t);
        const label = `${c.kind} ${JSON.stringify(c.options)} on ${c.input}`;
        if (c.expected.error !== undefined) {
          // PyTorch's check_min_max_valid asserts on a NaN moving average (-inf followed by a finite value).
          expect(() => obs.calculateQParams(), label).toThrow(ObserverError);
          expect(() => obs.calculateQParams(), label).toThrow(/NaN/);
        } else {
          const q = obs.calculateQParams();
          // scale: float32 equality (exact; Infinity too); zero point: exact integers.
          expect(Array.from(q.scale), label).toEqual(floats(c.expected.scale));
          expect(Array.from(q.zeroPoint), label).toEqual(c.expected.zeroPoint);
        }
        // min/max as recorded by PyTorch, ±Infinity and NaN included (toEqual treats NaN as equal to NaN).
        const s = obs.stats();
        expect(Array.from(s.min), label).toEqual(floats(c.expected.min));
        expect(Array.from(s.max), label).toEqual(floats(c.expected.max));
        // The state, ±Infinity and NaN included, survives JSON.
        const copy = observerFromJSON(JSON.stringify(obs));
        expect(copy.stats(), label).toEqual(s);
      }
    });
  }
});

describe('calculateQParams on infinite bounds matches torch _calculate_qparams (x86)', () => {
  const direct = (fixture as unknown as { direct: { options: ObserverOptions; min: (number | string)[]; max: (number | string)[]; expected: FixtureCase['expected'] }[] }).direct;
  it(`${direct.length} cases: per tensor for every option set, per channel with the bounds as channels`, () => {
    expect(direct.length).toBeGreaterThan(100);
    for (const d of direct) {
      const q = calculateQParams(floats(d.min), floats(d.max), d.options);
      const label = `${JSON.stringify(d.options)} [${d.min}] [${d.max}]`;
      expect(Array.from(q.scale), label).toEqual(floats(d.expected.scale));
      expect(Array.from(q.zeroPoint), label).toEqual(d.expected.zeroPoint);
    }
  });
});

function floats(v: unknown): number[] {
  return (v as (number | string)[]).map((e) => Math.fround(num(e)));
}
