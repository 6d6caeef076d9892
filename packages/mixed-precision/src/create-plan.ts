import type { Budget } from './budget';
import { parseBudget } from './parse-budget';
import type { Plan, PlanPrediction } from './plan';
import { PlanError } from './plan-error';
import type { SensitivityTable } from './sensitivity-table';
import { validateTable } from './validate-table';

/**
 * Builds a plan from a choice of candidate ids, with its prediction computed from the table. Use it for plans
 * made by hand (e.g. "everything int8 except fc3") or by another tool; {@link allocate} uses it too.
 *
 * @param table - the sensitivity table
 * @param layers - layer name → candidate id, for every layer
 * @param budget - the budget to record (any {@link parseBudget} input); default: a bytes budget equal to the plan's size
 * @returns the plan
 * @throws SensitivityTableError if the table is invalid
 * @throws PlanError if a layer is missing or unknown, a candidate id is unknown, or a pinned layer is given another candidate
 * @example
 * ```ts
 * const plan = createPlan(table, { fc1: 'int4-block32', fc2: 'int8-per-channel' });
 * plan.predicted.bytes;
 * ```
 */
export function createPlan(table: SensitivityTable, layers: Record<string, string>, budget?: string | number | Budget): Plan {
  validateTable(table);
  const issues = checkLayers(table, layers);
  if (issues.length > 0) throw new PlanError(issues);
  const predicted = predictPlan(table, layers);
  return {
    version: 1,
    budget: budget === undefined ? { kind: 'bytes', bytes: predicted.bytes } : parseBudget(budget),
    layers: Object.fromEntries(table.layers.map((l) => [l.name, layers[l.name]])),
    predicted,
  };
}

/** Problems of a layer → candidate map against a validated table, one sentence each. */
export function checkLayers(table: SensitivityTable, layers: unknown, at = 'plan.layers'): string[] {
  if (layers === null || typeof layers !== 'object' || Array.isArray(layers)) return [`${at} must be an object mapping layer names to candidate ids`];
  const map = layers as Record<string, unknown>;
  const issues: string[] = [];
  const known = new Set<string>();
  for (const layer of table.layers) {
    known.add(layer.name);
    const id = Object.hasOwn(map, layer.name) ? map[layer.name] : undefined;
    if (id === undefined) {
      issues.push(`${at} has no entry for layer "${layer.name}"`);
    } else if (typeof id !== 'string' || !layer.candidates.some((c) => c.id === id)) {
      issues.push(`${at}["${layer.name}"] is ${JSON.stringify(id)}, not a candidate of that layer (ids: ${layer.candidates.map((c) => c.id).join(', ')})`);
    } else if (layer.pinned !== undefined && id !== layer.pinned) {
      issues.push(`${at}["${layer.name}"] is "${id}", but the layer is pinned to "${layer.pinned}"`);
    }
  }
  for (const name of Object.keys(map)) if (!known.has(name)) issues.push(`${at}["${name}"] names no layer of the table`);
  return issues;
}

/** Totals of a checked choice, summed in table order. */
export function predictPlan(table: SensitivityTable, layers: Record<string, string>): PlanPrediction {
  let bytes = 0;
  let damage = 0;
  let latencyMs: number | undefined = 0;
  let weights = 0;
  for (const layer of table.layers) {
    const c = layer.candidates.find((x) => x.id === layers[layer.name]);
    if (!c) continue;
    bytes += c.bytes;
    damage += c.damage;
    weights += layer.weightCount;
    latencyMs = latencyMs === undefined || c.latencyMs === undefined ? undefined : latencyMs + c.latencyMs;
  }
  const predicted: PlanPrediction = { bytes, damage, avgBitsPerWeight: weights > 0 ? (8 * bytes) / weights : 0 };
  if (latencyMs !== undefined && table.layers.length > 0) predicted.latencyMs = latencyMs;
  return predicted;
}
