import fc from 'fast-check';
import { QintError } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { bestWithin, dpByCost, enumerate } from '../test/brute-force';
import { tableArb } from '../test/arbitraries';
import { allocate } from './allocate';
import { BudgetError } from './budget-error';
import type { SensitivityTable } from './sensitivity-table';
import { SensitivityTableError } from './sensitivity-table-error';

function reachable(table: SensitivityTable, cost: 'bytes' | 'latency'): [number, number] {
  let lo = 0;
  let hi = 0;
  for (const l of table.layers) {
    const cs = l.candidates.filter((c) => l.pinned === undefined || c.id === l.pinned).map((c) => (cost === 'bytes' ? c.bytes : (c.latencyMs as number)));
    lo += Math.min(...cs);
    hi += Math.max(...cs);
  }
  return [lo, hi];
}

function checkPlan(table: SensitivityTable, plan: ReturnType<typeof allocate>): void {
  for (const l of table.layers) {
    expect(l.candidates.some((c) => c.id === plan.layers[l.name])).toBe(true);
    if (l.pinned !== undefined) expect(plan.layers[l.name]).toBe(l.pinned);
  }
  expect(Object.keys(plan.layers)).toHaveLength(table.layers.length);
}

describe('allocate is exact (against brute force)', () => {
  it('bytes budgets: up to 7 layers × 4 candidates, ties, pins, zero damage, out-of-range budgets', () => {
    fc.assert(
      fc.property(tableArb({ maxLayers: 7, maxCandidates: 4, maxBytes: 30 }), fc.array(fc.double({ min: -0.1, max: 1.1, noNaN: true }), { minLength: 1, maxLength: 6 }), (table, fractions) => {
        const points = enumerate(table);
        const [lo, hi] = reachable(table, 'bytes');
        for (const f of fractions) {
          const budget = Math.max(0, Math.floor(lo + f * (hi - lo)));
          if (budget < lo || budget > hi) {
            expect(() => allocate(table, budget)).toThrow(BudgetError);
            continue;
          }
          const expected = bestWithin(points, budget);
          const plan = allocate(table, budget);
          checkPlan(table, plan);
          expect(plan.predicted.damage).toBe(expected?.damage);
          expect(plan.predicted.bytes).toBe(expected?.cost);
          expect(plan.budget).toEqual({ kind: 'bytes', bytes: budget });
        }
      }),
      { seed: 20261125, numRuns: 300 },
    );
  });

  it('latency budgets: non-integer costs summed in table order', () => {
    fc.assert(
      fc.property(tableArb({ maxLayers: 6, maxCandidates: 4, maxBytes: 30 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 4 }), (table, fractions) => {
        const points = enumerate(table, 'latency');
        const [lo, hi] = reachable(table, 'latency');
        for (const f of fractions) {
          const ms = f === 1 ? hi : lo + f * (hi - lo);
          if (ms < lo || ms > hi) continue; // rounding at the ends
          const expected = bestWithin(points, ms);
          const plan = allocate(table, { kind: 'latency', ms });
          checkPlan(table, plan);
          expect(plan.predicted.damage).toBe(expected?.damage);
          expect(plan.predicted.latencyMs).toBe(table.layers.length === 0 ? undefined : expected?.cost);
        }
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it('larger tables (40 layers × 6 candidates) match a dynamic program over every exact byte count', () => {
    fc.assert(
      fc.property(tableArb({ maxLayers: 40, maxCandidates: 6, maxBytes: 50 }), fc.double({ min: 0, max: 1, noNaN: true }), (table, f) => {
        const dp = dpByCost(table);
        const [lo, hi] = reachable(table, 'bytes');
        const budget = Math.floor(lo + f * (hi - lo));
        let bestCost = -1;
        for (let c = 0; c <= budget; c++) if (dp[c] < (bestCost < 0 ? Infinity : dp[bestCost])) bestCost = c;
        const plan = allocate(table, budget);
        checkPlan(table, plan);
        expect(plan.predicted.damage).toBe(dp[bestCost]);
        expect(plan.predicted.bytes).toBe(bestCost);
      }),
      { seed: 99, numRuns: 60 },
    );
  });
});

describe('allocate: budgets and errors', () => {
  const layer = (name: string, pinned?: string) => ({
    name,
    weightCount: 1000,
    ...(pinned ? { pinned } : {}),
    candidates: [
      { id: 'float', bits: 32, granularity: 'float' as const, bytes: 4000, damage: 0 },
      { id: 'int8-per-channel', bits: 8, granularity: 'per-channel' as const, bytes: 1040, damage: 0.01 },
      { id: 'int4-block32', bits: 4, granularity: 'per-block' as const, blockSize: 32, bytes: 628, damage: 0.2 },
      { id: 'int2-block32', bits: 2, granularity: 'per-block' as const, blockSize: 32, bytes: 378, damage: 3 },
    ],
  });
  const table: SensitivityTable = { layers: [layer('a'), layer('b'), layer('c', 'int8-per-channel')] };

  it('accepts every budget form and resolves ratio/bits against the table', () => {
    // Hand-solved: c is pinned at 1040 bytes. int8 model = 3 × 1040 = 3120 bytes, so 0.8x = 2496 bytes and a + b
    // get 1456: int8+int4 (1668) does not fit, int4+int4 (1256, damage 0.4) does.
    expect(allocate(table, '0.8x').layers).toEqual({ a: 'int4-block32', b: 'int4-block32', c: 'int8-per-channel' });
    // 3000 weights: 7 bits = 2625 bytes → 1585 for a + b → int4+int4 again; 6 bits = 2250 → 1210 → int4+int2.
    expect(allocate(table, '7bits').layers).toEqual({ a: 'int4-block32', b: 'int4-block32', c: 'int8-per-channel' });
    expect(allocate(table, '6bits').predicted.damage).toBe(0.2 + 3 + 0.01);
    expect(allocate(table, { kind: 'bytes', bytes: 1796 }).predicted.damage).toBe(3 + 3 + 0.01);
    expect(allocate(table, '2.3KB').predicted).toEqual({ bytes: 2296, damage: 0.41000000000000003, avgBitsPerWeight: (8 * 2296) / 3000 });
    expect(allocate(table, 9040).layers).toEqual({ a: 'float', b: 'float', c: 'int8-per-channel' });
  });

  it('rejects a budget below the smallest model with the reachable range', () => {
    let err: unknown;
    try {
      allocate(table, '1KB');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BudgetError);
    expect(err).toBeInstanceOf(QintError);
    expect((err as BudgetError).code).toBe('ERR_BUDGET');
    expect((err as Error).message).toBe(
      'budget 1KB (1,000 bytes) is below the smallest reachable size 1.8 KB (1,796 bytes: all layers at their smallest allowed candidate); reachable: 1.8 KB – 9.0 KB',
    );
  });

  it('rejects a budget above the largest model (all float) with the reachable range', () => {
    expect(() => allocate(table, '1MiB')).toThrow(
      'budget 1MiB (1,048,576 bytes) is above the largest reachable size 9.0 KB (9,040 bytes: all layers at their largest allowed candidate, e.g. float); reachable: 1.8 KB – 9.0 KB',
    );
    expect(() => allocate(table, '1bits')).toThrow(/reachable: 1\.8 KB – 9\.0 KB \(4\.79 – 24\.11 bits\/weight\)/);
    expect(() => allocate(table, '0.1x')).toThrow(/of the int8 model/);
  });

  it('rejects latency budgets without latencies and ratio budgets without 8-bit candidates', () => {
    expect(() => allocate(table, '5ms')).toThrow(/needs latencyMs on every candidate, but layer "a" candidate "float" has none/);
    const no8: SensitivityTable = { layers: [{ ...layer('x'), candidates: layer('x').candidates.filter((c) => c.bits !== 8) }] };
    expect(() => allocate(no8, '0.5x')).toThrow(/layer "x" has no 8-bit candidate/);
  });

  it('rejects invalid tables with every problem listed', () => {
    const bad = {
      layers: [
        layer('a'),
        { ...layer('a'), candidates: [{ ...layer('a').candidates[0], damage: Number.NaN }, { ...layer('a').candidates[1], bytes: -1 }] },
        { ...layer('b'), pinned: 'int5', candidates: [{ ...layer('b').candidates[0], bytes: 1.5 }, layer('b').candidates[0]] },
        { name: 'c', weightCount: 1, candidates: [] },
      ],
    } as SensitivityTable;
    let err: SensitivityTableError | undefined;
    try {
      allocate(bad, '5KB');
    } catch (e) {
      err = e as SensitivityTableError;
    }
    expect(err).toBeInstanceOf(SensitivityTableError);
    expect(err?.code).toBe('ERR_VALUE');
    expect(err?.issues).toEqual([
      'table.layers[1].name "a" duplicates table.layers[0].name',
      'table.layers[1].candidates[0].damage must be a finite number ≥ 0, got NaN',
      'table.layers[1].candidates[1].bytes must be a non-negative integer, got -1',
      'table.layers[2].candidates[0].bytes must be a non-negative integer, got 1.5',
      'table.layers[2].candidates[1].id "float" duplicates table.layers[2].candidates[0].id',
      'table.layers[2].pinned "int5" is not a candidate id of layer "b" (ids: float)',
      'table.layers[3].candidates must be a non-empty array',
    ]);
    expect(() => allocate({ layers: [{ ...layer('a'), candidates: [{ ...layer('a').candidates[0], damage: -1 }] }] }, '5KB')).toThrow(
      /damage must be a finite number ≥ 0, got -1/,
    );
    expect(() => allocate(null as unknown as SensitivityTable, 1)).toThrow(SensitivityTableError);
  });

  it('an empty table takes a zero budget', () => {
    expect(allocate({ layers: [] }, 0)).toEqual({
      version: 1,
      budget: { kind: 'bytes', bytes: 0 },
      layers: {},
      predicted: { bytes: 0, damage: 0, avgBitsPerWeight: 0 },
    });
  });
});

describe('allocate at scale is exact', () => {
  // Realistic structure (cost grows with bits, damage falls with bits, per-layer sensitivity spread over decades),
  // where variable fixing and bounding prune hardest; small byte counts keep the reference DP affordable.
  function realisticTable(layers: number, seed: number): SensitivityTable {
    let s = seed;
    const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const schemes = [
      ['float', 32],
      ['int8-per-channel', 8],
      ['int4-block32', 4],
      ['int4-block128', 4],
      ['int3-block64', 3],
      ['int2-block32', 2],
    ] as const;
    return {
      layers: Array.from({ length: layers }, (_, i) => {
        const size = 4 + Math.floor(rand() * 36);
        const sens = Math.exp(6 * (rand() - 0.5));
        return {
          name: `l${i}`,
          weightCount: size * 8,
          candidates: schemes.map(([id, bits], j) => ({
            id,
            bits,
            granularity: bits === 32 ? ('float' as const) : ('per-channel' as const),
            bytes: bits === 32 ? 4 * size : Math.ceil((size * bits) / 8) + 1 + (j === 3 ? 0 : 1),
            damage: bits === 32 ? 0 : sens * size * 4 ** -bits * (0.7 + 0.6 * rand()),
          })),
        };
      }),
    };
  }

  it('300 layers × 6 candidates at 9 budgets match the dynamic program', () => {
    const table = realisticTable(300, 12345);
    const dp = dpByCost(table);
    const [lo, hi] = reachable(table, 'bytes');
    for (let j = 0; j <= 8; j++) {
      const budget = Math.floor(lo + ((hi - lo) * j) / 8);
      let best = -1;
      for (let c = 0; c <= budget; c++) if (dp[c] < (best < 0 ? Infinity : dp[best])) best = c;
      const plan = allocate(table, budget);
      expect([plan.predicted.bytes, plan.predicted.damage]).toEqual([best, dp[best]]);
    }
  });
});
