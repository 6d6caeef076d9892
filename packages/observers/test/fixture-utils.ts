import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '@qint/tensor';

/** A fixture input: shape and batches of float32 values (shortest decimals that round to the float32). */
export interface FixtureInput {
  shape: number[];
  batches: (number | string)[][];
}

/** One recorded case. */
export interface FixtureCase {
  kind: string;
  options: Record<string, unknown>;
  input: string;
  batches?: number[];
  expected: Record<string, (number | string)[] | number>;
}

/** A fixture file. */
export interface Fixture {
  inputs: Record<string, FixtureInput>;
  cases: FixtureCase[];
}

/**
 * Loads a fixture from test/__fixtures__.
 *
 * @param name - file name
 * @returns the parsed fixture
 */
export function loadFixture(name: string): Fixture {
  return JSON.parse(readFileSync(join(__dirname, '__fixtures__', name), 'utf8')) as Fixture;
}

/** Decodes a fixture number ('inf', '-inf', 'nan' are strings). */
export function num(v: number | string): number {
  if (typeof v === 'number') return v;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return NaN;
}

/** The batches of an input as float32 tensors. */
export function batchesOf(input: FixtureInput): Tensor<'float32'>[] {
  return input.batches.map((b) => Tensor.from('float32', input.shape, Float32Array.from(b, num)));
}

/** Relative difference `|a − b| / max(|b|, tiny)`. */
export function relDiff(a: number, b: number): number {
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-38);
}
