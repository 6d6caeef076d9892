import { allowedCandidates } from '../resolve-budget';
import type { SensitivityTable } from '../sensitivity-table';
import { solverLayer, type SolverLayer } from './pareto-merge';

/** The solver's view of a validated table for one cost (bytes or latency); pinned layers have a single option. */
export function tableSolverLayers(table: SensitivityTable, cost: 'bytes' | 'latency'): SolverLayer[] {
  return table.layers.map((layer) => {
    const allowed = allowedCandidates(layer).map((c) => layer.candidates.indexOf(c));
    const costs = layer.candidates.map((c) => (cost === 'bytes' ? c.bytes : (c.latencyMs ?? Number.NaN)));
    const damages = layer.candidates.map((c) => c.damage);
    return solverLayer(costs, damages, allowed);
  });
}
