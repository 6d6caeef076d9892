// The float model's first output on each calibration batch, computed once, and the mean damage of a variant's output
// against it: what measureSensitivity measures per (layer, candidate) and allocateMeasured per plan.
import { InferenceSession, type Model } from '@qint/graph';
import type { KernelBackend } from '@qint/kernels';
import type { Tensor } from '@qint/tensor';
import { outputDamage, type DamageMetric } from '../output-damage';

/**
 * @param model - the float model (run once per batch, here)
 * @param batches - calibration feeds, one entry per batch
 * @param metric - the damage metric on the first output
 * @param backend - kernel backend for every run (default: the selected one)
 * @returns the mean damage per row of a variant model on all batches (one run per batch; 0 without rows)
 */
export function createDamageMeter(
  model: Model,
  batches: readonly Readonly<Record<string, Tensor>>[],
  metric: DamageMetric,
  backend?: KernelBackend,
): (variant: Model) => number {
  const floatSession = InferenceSession.create(model, { backend });
  const outputName = floatSession.outputNames[0];
  const references = batches.map((feeds) => floatSession.run(feeds)[outputName]);
  return (variant) => {
    const session = InferenceSession.create(variant, { backend });
    let sum = 0;
    let rows = 0;
    batches.forEach((feeds, i) => {
      const d = outputDamage(references[i], session.run(feeds)[outputName], metric);
      sum += d.sum;
      rows += d.rows;
    });
    return rows > 0 ? sum / rows : 0;
  };
}
