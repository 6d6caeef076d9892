import type { Budget } from './budget';
import { BudgetError } from './budget-error';

const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1, byte: 1, bytes: 1,
  kb: 1e3, mb: 1e6, gb: 1e9,
  kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3,
};
const NUMBER = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*([a-z%/]*)$/i;

/**
 * Parses a budget as written on a command line or in a config.
 *
 * | input | budget |
 * |---|---|
 * | `60000`, `'60000'`, `'60000B'` | `{ kind: 'bytes', bytes: 60000 }` |
 * | `'60KB'`, `'60kB'`, `'1.5MB'`, `'2GB'` | decimal units: 1 KB = 1000 bytes, 1 MB = 10^6, 1 GB = 10^9 |
 * | `'60KiB'`, `'1.5MiB'`, `'1GiB'` | binary units: 1 KiB = 1024 bytes, 1 MiB = 2^20, 1 GiB = 2^30 |
 * | `'0.5x'`, `'50%'` | `{ kind: 'ratio', ratio: 0.5 }` — of the int8 model's weight bytes (see {@link RatioBudget}) |
 * | `'4.5bits'`, `'4.5 bit'`, `'4.5bpw'` | `{ kind: 'bits', bitsPerWeight: 4.5 }` (scales included, see {@link BitsBudget}) |
 * | `'12ms'`, `'0.012s'` | `{ kind: 'latency', ms: 12 }` |
 *
 * Units are case-insensitive, and `B` always means bytes (`'1Mb'` is one megabyte, not a megabit). Fractional byte
 * counts are floored, since a budget is an upper bound. A {@link Budget} object is checked and copied.
 *
 * @param spec - the budget text, a byte count, or a budget object
 * @returns the budget
 * @throws BudgetError for an unknown unit, a malformed number, a negative/NaN/infinite value, a zero ratio or bit count
 * @example
 * ```ts
 * parseBudget('60KB');    // { kind: 'bytes', bytes: 60000 }
 * parseBudget('0.5x');    // { kind: 'ratio', ratio: 0.5 }
 * parseBudget('4.5bits'); // { kind: 'bits', bitsPerWeight: 4.5 }
 * ```
 */
export function parseBudget(spec: string | number | Budget): Budget {
  if (typeof spec === 'number') return bytesBudget(spec, String(spec));
  if (typeof spec === 'object' && spec !== null) return checkBudgetObject(spec);
  if (typeof spec !== 'string') throw new BudgetError(`budget must be a string, a number or a budget object, got ${typeof spec}`);
  const text = spec.trim();
  const m = NUMBER.exec(text);
  if (!m) {
    throw new BudgetError(
      `budget ${JSON.stringify(spec)} is not a number with an optional unit; expected e.g. '60KB', '1.5MB', '60000', '0.5x', '50%', '4.5bits' or '12ms'`,
    );
  }
  const value = Number(m[1]);
  const unit = m[2].toLowerCase();
  if (unit in SIZE_UNITS) return bytesBudget(value * SIZE_UNITS[unit], spec);
  switch (unit) {
    case 'x':
      return positive({ kind: 'ratio', ratio: value }, value, spec);
    case '%':
      return positive({ kind: 'ratio', ratio: value / 100 }, value, spec);
    case 'bit':
    case 'bits':
    case 'bpw':
    case 'b/w':
      return positive({ kind: 'bits', bitsPerWeight: value }, value, spec);
    case 'ms':
      return latency(value, spec);
    case 's':
      return latency(value * 1000, spec);
    default:
      throw new BudgetError(
        `budget ${JSON.stringify(spec)} has unknown unit "${m[2]}"; expected B, KB, MB, GB (×1000), KiB, MiB, GiB (×1024), x or % (of the int8 model), bits (per weight), ms or s`,
      );
  }
}

function bytesBudget(bytes: number, spec: string): Budget {
  if (!Number.isFinite(bytes) || bytes < 0) throw new BudgetError(`budget ${JSON.stringify(spec)} must be a finite byte count ≥ 0`);
  const floored = Math.floor(bytes);
  if (!Number.isSafeInteger(floored)) throw new BudgetError(`budget ${JSON.stringify(spec)} exceeds 2^53 − 1 bytes`);
  return { kind: 'bytes', bytes: floored };
}

function positive(budget: Budget, value: number, spec: string): Budget {
  if (!Number.isFinite(value) || value <= 0) throw new BudgetError(`budget ${JSON.stringify(spec)} must be a finite number > 0`);
  return budget;
}

function latency(ms: number, spec: string): Budget {
  if (!Number.isFinite(ms) || ms < 0) throw new BudgetError(`budget ${JSON.stringify(spec)} must be a finite latency ≥ 0`);
  return { kind: 'latency', ms };
}

function checkBudgetObject(b: Budget): Budget {
  switch (b.kind) {
    case 'bytes':
      if (!Number.isSafeInteger(b.bytes) || b.bytes < 0) throw new BudgetError(`budget.bytes must be a non-negative integer, got ${String(b.bytes)}`);
      return { kind: 'bytes', bytes: b.bytes };
    case 'ratio':
      if (typeof b.ratio !== 'number' || !Number.isFinite(b.ratio) || b.ratio <= 0) throw new BudgetError(`budget.ratio must be a finite number > 0, got ${String(b.ratio)}`);
      return { kind: 'ratio', ratio: b.ratio };
    case 'bits':
      if (typeof b.bitsPerWeight !== 'number' || !Number.isFinite(b.bitsPerWeight) || b.bitsPerWeight <= 0) {
        throw new BudgetError(`budget.bitsPerWeight must be a finite number > 0, got ${String(b.bitsPerWeight)}`);
      }
      return { kind: 'bits', bitsPerWeight: b.bitsPerWeight };
    case 'latency':
      if (typeof b.ms !== 'number' || !Number.isFinite(b.ms) || b.ms < 0) throw new BudgetError(`budget.ms must be a finite number ≥ 0, got ${String(b.ms)}`);
      return { kind: 'latency', ms: b.ms };
    default:
      throw new BudgetError(`budget.kind must be 'bytes', 'ratio', 'bits' or 'latency', got ${JSON.stringify((b as { kind: unknown }).kind)}`);
  }
}
