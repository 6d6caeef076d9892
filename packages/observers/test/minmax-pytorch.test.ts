// Conformance of the min/max observers with torch.ao.quantization (fixtures from scripts/generate-fixtures.py),
// and of the 'onnx' / 'tflite' conventions with NumPy implementations of onnxruntime's and TFLite's formulas.
import { describe, expect, it } from 'vitest';
import {
  MinMaxObserver,
  MovingAverageMinMaxObserver,
  MovingAveragePerChannelMinMaxObserver,
  PerChannelMinMaxObserver,
  type Observer,
  type ObserverOptions,
} from '../src/index';
import { batchesOf, loadFixture, num } from './fixture-utils';

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
        const q = obs.calculateQParams();
        // scale: float32 equality (exact); zero point: exact integers.
        expect(Array.from(q.scale), label).toEqual((c.expected.scale as (number | string)[]).map((v) => Math.fround(num(v))));
        expect(Array.from(q.zeroPoint), label).toEqual(c.expected.zeroPoint);
        const s = obs.stats();
        expect(Array.from(s.min), label).toEqual((c.expected.min as (number | string)[]).map((v) => Math.fround(num(v))));
        expect(Array.from(s.max), label).toEqual((c.expected.max as (number | string)[]).map((v) => Math.fround(num(v))));
      }
    });
  }
});
