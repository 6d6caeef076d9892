import type { SensitivityTable } from './sensitivity-table';
import { SensitivityTableError } from './sensitivity-table-error';

const GRANULARITIES = new Set(['per-tensor', 'per-channel', 'per-block', 'float']);
const MAX_CANDIDATES = 65_535;

/**
 * Checks a sensitivity table before any allocation: structure, unique names and ids, non-negative finite numbers,
 * integer byte counts, pins naming a candidate. Every problem is collected, then thrown together.
 *
 * @param table - the table to check (any value: tables are often read from JSON)
 * @throws SensitivityTableError listing every problem (duplicate layer names, a layer without candidates, duplicate
 *   candidate ids, negative/NaN/infinite/fractional `bytes`, negative/NaN/infinite `damage` or `latencyMs`, bad
 *   `bits`/`granularity`/`blockSize`, a `pinned` id that names no candidate)
 * @example
 * ```ts
 * validateTable({ layers: [{ name: 'fc', weightCount: 4, candidates: [{ id: 'float', bits: 32,
 *   granularity: 'float', bytes: 16, damage: 0 }] }] }); // ok
 * ```
 */
export function validateTable(table: unknown): asserts table is SensitivityTable {
  const issues: string[] = [];
  if (table === null || typeof table !== 'object' || !Array.isArray((table as SensitivityTable).layers)) {
    throw new SensitivityTableError(['table must be an object with a "layers" array']);
  }
  const { layers, metric } = table as SensitivityTable;
  if (metric !== undefined && typeof metric !== 'string') issues.push(`table.metric must be a string, got ${typeof metric}`);
  const names = new Map<string, number>();
  layers.forEach((layer, li) => {
    const at = `table.layers[${li}]`;
    if (layer === null || typeof layer !== 'object') {
      issues.push(`${at} must be an object`);
      return;
    }
    if (typeof layer.name !== 'string' || layer.name === '') {
      issues.push(`${at}.name must be a non-empty string, got ${JSON.stringify(layer.name)}`);
    } else if (names.has(layer.name)) {
      issues.push(`${at}.name "${layer.name}" duplicates table.layers[${names.get(layer.name)}].name`);
    } else {
      names.set(layer.name, li);
    }
    if (!Number.isSafeInteger(layer.weightCount) || layer.weightCount < 0) {
      issues.push(`${at}.weightCount must be a non-negative integer, got ${String(layer.weightCount)}`);
    }
    if (!Array.isArray(layer.candidates) || layer.candidates.length === 0) {
      issues.push(`${at}.candidates must be a non-empty array`);
      return;
    }
    if (layer.candidates.length > MAX_CANDIDATES) issues.push(`${at}.candidates has ${layer.candidates.length} entries, at most ${MAX_CANDIDATES} allowed`);
    const ids = new Map<string, number>();
    layer.candidates.forEach((c, ci) => {
      const cat = `${at}.candidates[${ci}]`;
      if (c === null || typeof c !== 'object') {
        issues.push(`${cat} must be an object`);
        return;
      }
      if (typeof c.id !== 'string' || c.id === '') issues.push(`${cat}.id must be a non-empty string, got ${JSON.stringify(c.id)}`);
      else if (ids.has(c.id)) issues.push(`${cat}.id "${c.id}" duplicates ${at}.candidates[${ids.get(c.id)}].id`);
      else ids.set(c.id, ci);
      if (!Number.isSafeInteger(c.bytes) || c.bytes < 0) issues.push(`${cat}.bytes must be a non-negative integer, got ${String(c.bytes)}`);
      if (typeof c.damage !== 'number' || !Number.isFinite(c.damage) || c.damage < 0) {
        issues.push(`${cat}.damage must be a finite number ≥ 0, got ${String(c.damage)}`);
      }
      if (c.latencyMs !== undefined && (typeof c.latencyMs !== 'number' || !Number.isFinite(c.latencyMs) || c.latencyMs < 0)) {
        issues.push(`${cat}.latencyMs must be a finite number ≥ 0 when present, got ${String(c.latencyMs)}`);
      }
      if (typeof c.bits !== 'number' || !(c.bits > 0) || !Number.isFinite(c.bits)) issues.push(`${cat}.bits must be a positive number, got ${String(c.bits)}`);
      if (!GRANULARITIES.has(c.granularity)) {
        issues.push(`${cat}.granularity must be 'per-tensor', 'per-channel', 'per-block' or 'float', got ${JSON.stringify(c.granularity)}`);
      } else if (c.granularity === 'per-block' && (!Number.isSafeInteger(c.blockSize) || (c.blockSize as number) < 1)) {
        issues.push(`${cat}.blockSize must be a positive integer for per-block candidates, got ${String(c.blockSize)}`);
      }
      if (c.clip !== undefined && c.clip !== 'mse') issues.push(`${cat}.clip must be 'mse' when present, got ${JSON.stringify(c.clip)}`);
      if (c.rounding !== undefined && c.rounding !== 'nearest' && c.rounding !== 'gptq') {
        issues.push(`${cat}.rounding must be 'nearest' or 'gptq' when present, got ${JSON.stringify(c.rounding)}`);
      }
    });
    if (layer.pinned !== undefined && !ids.has(layer.pinned)) {
      issues.push(`${at}.pinned "${String(layer.pinned)}" is not a candidate id of layer "${String(layer.name)}" (ids: ${[...ids.keys()].join(', ')})`);
    }
  });
  if (issues.length > 0) throw new SensitivityTableError(issues);
}
