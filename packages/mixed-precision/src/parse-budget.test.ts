import { describe, expect, it } from 'vitest';
import { BudgetError } from './budget-error';
import { parseBudget } from './parse-budget';
import { resolveBudget } from './resolve-budget';
import type { SensitivityTable } from './sensitivity-table';

describe('parseBudget', () => {
  it.each([
    ['60000', { kind: 'bytes', bytes: 60000 }],
    [60000, { kind: 'bytes', bytes: 60000 }],
    ['60000B', { kind: 'bytes', bytes: 60000 }],
    ['60KB', { kind: 'bytes', bytes: 60000 }],
    ['60 kB', { kind: 'bytes', bytes: 60000 }],
    ['1.5MB', { kind: 'bytes', bytes: 1_500_000 }],
    ['2GB', { kind: 'bytes', bytes: 2e9 }],
    ['60KiB', { kind: 'bytes', bytes: 61440 }],
    ['1.5MiB', { kind: 'bytes', bytes: 1_572_864 }],
    ['1.0005KB', { kind: 'bytes', bytes: 1000 }], // floored: a budget is an upper bound
    ['0.5x', { kind: 'ratio', ratio: 0.5 }],
    ['50%', { kind: 'ratio', ratio: 0.5 }],
    ['4.5bits', { kind: 'bits', bitsPerWeight: 4.5 }],
    ['4.5 bit', { kind: 'bits', bitsPerWeight: 4.5 }],
    ['3bpw', { kind: 'bits', bitsPerWeight: 3 }],
    ['12ms', { kind: 'latency', ms: 12 }],
    ['0.5s', { kind: 'latency', ms: 500 }],
    [' 1e3 ', { kind: 'bytes', bytes: 1000 }],
    [{ kind: 'ratio', ratio: 0.25 }, { kind: 'ratio', ratio: 0.25 }],
  ])('%j → %j', (input, expected) => {
    expect(parseBudget(input as Parameters<typeof parseBudget>[0])).toEqual(expected);
  });

  it.each([
    ['', /not a number with an optional unit/],
    ['KB', /not a number/],
    ['60 furlongs', /unknown unit "furlongs"/],
    ['-5KB', /finite byte count ≥ 0/],
    ['0x', /finite number > 0/],
    ['0bits', /finite number > 0/],
    [Number.NaN, /finite byte count/],
    [Number.POSITIVE_INFINITY, /finite byte count/],
    [{ kind: 'bytes', bytes: 1.5 }, /budget\.bytes must be a non-negative integer/],
    [{ kind: 'speed', x: 1 }, /budget\.kind must be/],
  ])('rejects %j', (input, message) => {
    expect(() => parseBudget(input as Parameters<typeof parseBudget>[0])).toThrow(BudgetError);
    expect(() => parseBudget(input as Parameters<typeof parseBudget>[0])).toThrow(message);
  });
});

describe('resolveBudget', () => {
  const table: SensitivityTable = {
    layers: [
      {
        name: 'a',
        weightCount: 1000,
        candidates: [
          { id: 'float', bits: 32, granularity: 'float', bytes: 4000, damage: 0, latencyMs: 2 },
          { id: 'int8-per-channel', bits: 8, granularity: 'per-channel', bytes: 1040, damage: 1, latencyMs: 1 },
          { id: 'int8-per-tensor', bits: 8, granularity: 'per-tensor', bytes: 1004, damage: 2, latencyMs: 1 },
        ],
      },
      {
        name: 'b',
        weightCount: 600,
        pinned: 'int8-per-channel',
        candidates: [
          { id: 'float', bits: 32, granularity: 'float', bytes: 2400, damage: 0, latencyMs: 1.5 },
          { id: 'int8-per-channel', bits: 8, granularity: 'per-channel', bytes: 640, damage: 1, latencyMs: 0.5 },
        ],
      },
    ],
  };

  it('ratio: of the int8 model = smallest 8-bit candidate per layer, pins ignored', () => {
    const r = resolveBudget('0.5x', table);
    expect(r.int8Bytes).toBe(1004 + 640);
    expect(r.limit).toBe(Math.floor(0.5 * 1644));
    expect([r.minReachable, r.maxReachable]).toEqual([1004 + 640, 4000 + 640]); // pin respected in the range
  });

  it('bits: floor(bits × weights / 8); latency: sum of latencyMs', () => {
    expect(resolveBudget('5bits', table)).toMatchObject({ cost: 'bytes', limit: 1000, totalWeights: 1600 });
    expect(resolveBudget('2ms', table)).toMatchObject({ cost: 'latency', limit: 2, minReachable: 1.5, maxReachable: 2.5 });
  });
});
