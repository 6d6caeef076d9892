import fc from 'fast-check';
import { ValueError } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { tableArb } from '../test/arbitraries';
import { enumerate, frontierOf, type Point } from '../test/brute-force';
import { BudgetError } from './budget-error';
import { paretoFrontier } from './pareto-frontier';
import type { Plan } from './plan';
import type { SensitivityTable } from './sensitivity-table';
import { validatePlan } from './validate-plan';

const pts = (plans: Plan[], cost: 'bytes' | 'latency' = 'bytes'): Point[] =>
  plans.map((p) => ({ cost: cost === 'bytes' ? p.predicted.bytes : (p.predicted.latencyMs as number), damage: p.predicted.damage }));

/** Reference thinning: K targets evenly spaced from the first to the last frontier cost, largest cost ≤ target. */
function thinRef(frontier: Point[], k: number): Point[] {
  const lo = frontier[0].cost;
  const hi = frontier[frontier.length - 1].cost;
  const out: Point[] = [];
  for (let j = 0; j < k; j++) {
    const t = k === 1 || j === k - 1 ? hi : lo + ((hi - lo) * j) / (k - 1);
    const p = frontier.filter((q) => q.cost <= t).pop() as Point;
    if (out[out.length - 1] !== p) out.push(p);
  }
  return out;
}

describe('paretoFrontier is exact (against brute force)', () => {
  it('bytes: every non-dominated plan, sorted by size', () => {
    fc.assert(
      fc.property(tableArb({ maxLayers: 7, maxCandidates: 4, maxBytes: 30 }), (table) => {
        const plans = paretoFrontier(table);
        expect(pts(plans)).toEqual(frontierOf(enumerate(table)));
        for (const p of plans) {
          // Each point is a valid plan of the table, its prediction consistent, and pins respected.
          const check = validatePlan(JSON.parse(JSON.stringify(p)), table);
          expect(check.stale).toBe(false);
          expect(check.withinBudget).toBe(true);
          expect(p.budget).toEqual({ kind: 'bytes', bytes: p.predicted.bytes });
        }
      }),
      { seed: 4242, numRuns: 250 },
    );
  });

  it('latency: the frontier over summed latencies', () => {
    fc.assert(
      fc.property(tableArb({ maxLayers: 6, maxCandidates: 4, maxBytes: 30 }), (table) => {
        fc.pre(table.layers.length > 0);
        expect(pts(paretoFrontier(table, { cost: 'latency' }), 'latency')).toEqual(frontierOf(enumerate(table, 'latency')));
      }),
      { seed: 5, numRuns: 150 },
    );
  });

  it('thinned to K points: the same points from the full merge and from K exact allocations', () => {
    fc.assert(
      fc.property(tableArb({ maxLayers: 7, maxCandidates: 4, maxBytes: 30 }), fc.integer({ min: 1, max: 8 }), (table, k) => {
        const expected = thinRef(frontierOf(enumerate(table)), k);
        expect(pts(paretoFrontier(table, { points: k }))).toEqual(expected);
        // maxSize 1 forces the allocation path whenever the merge holds more than one partial plan.
        expect(pts(paretoFrontier(table, { points: k, maxSize: 1 }))).toEqual(expected);
      }),
      { seed: 77, numRuns: 200 },
    );
  });
});

describe('paretoFrontier: options and errors', () => {
  const table: SensitivityTable = {
    layers: [
      {
        name: 'fc',
        weightCount: 8,
        candidates: [
          { id: 'float', bits: 32, granularity: 'float', bytes: 32, damage: 0 },
          { id: 'int8-per-channel', bits: 8, granularity: 'per-channel', bytes: 16, damage: 1 },
          { id: 'int4-per-channel', bits: 4, granularity: 'per-channel', bytes: 12, damage: 4 },
          { id: 'int4-bad', bits: 4, granularity: 'per-channel', bytes: 16, damage: 5 }, // dominated: never on the frontier
        ],
      },
    ],
  };

  it('lists plans from smallest to least damaging; dominated candidates never appear', () => {
    expect(paretoFrontier(table).map((p) => p.layers.fc)).toEqual(['int4-per-channel', 'int8-per-channel', 'float']);
  });

  it('rejects bad options and too-large frontiers without points', () => {
    expect(() => paretoFrontier(table, { points: 0 })).toThrow(ValueError);
    expect(() => paretoFrontier(table, { points: 2.5 })).toThrow(/points must be a positive integer/);
    expect(() => paretoFrontier(table, { cost: 'latency' })).toThrow(BudgetError);
    const two: SensitivityTable = { layers: [table.layers[0], { ...table.layers[0], name: 'fc2' }] };
    expect(() => paretoFrontier(two, { maxSize: 2 })).toThrow(/outgrew options\.maxSize \(2 plans after layer 1 of 2\)/);
    // Single-candidate layers keep sets of size 1, but the back-pointers of all layers add up (cap: 50 × maxSize).
    const long: SensitivityTable = {
      layers: Array.from({ length: 60 }, (_, i) => ({ ...table.layers[0], name: `l${i}`, candidates: [table.layers[0].candidates[0]] })),
    };
    expect(() => paretoFrontier(long, { maxSize: 1 })).toThrow(/outgrew options\.maxSize \(50 plans kept over all layers after layer 51 of 60\)/);
    expect(paretoFrontier(long, { maxSize: 1, points: 3 })).toHaveLength(1);
  });
});
