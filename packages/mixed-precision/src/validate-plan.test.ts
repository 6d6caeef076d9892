import { ValueError } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { allocate } from './allocate';
import { createPlan } from './create-plan';
import { PlanError } from './plan-error';
import type { SensitivityTable } from './sensitivity-table';
import { validatePlan } from './validate-plan';

const table: SensitivityTable = {
  metric: 'weight-error',
  layers: [
    {
      name: 'fc1',
      weightCount: 100,
      candidates: [
        { id: 'float', bits: 32, granularity: 'float', bytes: 400, damage: 0 },
        { id: 'int8-per-channel', bits: 8, granularity: 'per-channel', bytes: 140, damage: 0.5 },
        { id: 'int4-block32', bits: 4, granularity: 'per-block', blockSize: 32, bytes: 66, damage: 2 },
      ],
    },
    {
      name: 'fc2',
      weightCount: 50,
      pinned: 'int8-per-channel',
      candidates: [
        { id: 'float', bits: 32, granularity: 'float', bytes: 200, damage: 0 },
        { id: 'int8-per-channel', bits: 8, granularity: 'per-channel', bytes: 70, damage: 0.25 },
      ],
    },
  ],
};

describe('createPlan / validatePlan', () => {
  it('a saved plan round-trips through JSON and validates', () => {
    const plan = allocate(table, 250);
    expect(plan).toEqual({
      version: 1,
      budget: { kind: 'bytes', bytes: 250 },
      layers: { fc1: 'int8-per-channel', fc2: 'int8-per-channel' },
      predicted: { bytes: 210, damage: 0.75, avgBitsPerWeight: (8 * 210) / 150 },
    });
    const check = validatePlan(JSON.parse(JSON.stringify(plan)), table);
    expect(check).toMatchObject({ plan, stale: false, withinBudget: true });
    expect(check.budget.limit).toBe(250);
  });

  it('a hand edit is accepted and its prediction recomputed; going over budget is reported, not thrown', () => {
    const plan = allocate(table, 250);
    const edited = { ...plan, layers: { ...plan.layers, fc1: 'float' } };
    const check = validatePlan(edited, table);
    expect(check.stale).toBe(true);
    expect(check.withinBudget).toBe(false);
    expect(check.plan.predicted).toEqual({ bytes: 470, damage: 0.25, avgBitsPerWeight: (8 * 470) / 150 });
  });

  it('createPlan builds a plan from ids (budget defaults to its own size)', () => {
    expect(createPlan(table, { fc2: 'int8-per-channel', fc1: 'int4-block32' })).toEqual({
      version: 1,
      budget: { kind: 'bytes', bytes: 136 },
      layers: { fc1: 'int4-block32', fc2: 'int8-per-channel' },
      predicted: { bytes: 136, damage: 2.25, avgBitsPerWeight: (8 * 136) / 150 },
    });
    expect(createPlan(table, { fc1: 'float', fc2: 'int8-per-channel' }, '0.5x').budget).toEqual({ kind: 'ratio', ratio: 0.5 });
    expect(() => createPlan(table, { fc1: 'int3' } as Record<string, string>)).toThrow(PlanError);
  });

  it('lists every problem of a broken plan', () => {
    const broken = {
      version: 2,
      budget: { kind: 'bytes', bytes: -3 },
      layers: { fc1: 'int3-block64', fc2: 'float', fc9: 'float' },
      predicted: { bytes: 'many', damage: 0, avgBitsPerWeight: 1 },
    };
    let err: PlanError | undefined;
    try {
      validatePlan(broken, table);
    } catch (e) {
      err = e as PlanError;
    }
    expect(err).toBeInstanceOf(PlanError);
    expect(err).toBeInstanceOf(ValueError);
    expect(err?.code).toBe('ERR_VALUE');
    expect(err?.issues).toEqual([
      'plan.version must be 1, got 2',
      'plan.budget: budget.bytes must be a non-negative integer, got -3',
      'plan.layers["fc1"] is "int3-block64", not a candidate of that layer (ids: float, int8-per-channel, int4-block32)',
      'plan.layers["fc2"] is "float", but the layer is pinned to "int8-per-channel"',
      'plan.layers["fc9"] names no layer of the table',
      'plan.predicted.bytes must be a finite number ≥ 0, got many',
    ]);
    expect(err?.message).toMatch(/^invalid plan \(6 problems\): plan\.version must be 1, got 2; .*; … and 1 more$/);
  });

  it('missing layers, non-object plans and unresolvable budgets', () => {
    const plan = allocate(table, 250);
    expect(() => validatePlan({ ...plan, layers: { fc1: 'float' } }, table)).toThrow(/plan\.layers has no entry for layer "fc2"/);
    expect(() => validatePlan('plan', table)).toThrow(/plan must be an object/);
    expect(() => validatePlan({ ...plan, budget: { kind: 'latency', ms: 3 } }, table)).toThrow(/needs latencyMs on every candidate/);
  });
});
