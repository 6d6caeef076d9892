import { createSession, type Model } from '@qint/graph';
import type { Tensor } from '@qint/tensor';

/**
 * Runs the float model on each batch of feeds and hands the requested intermediate tensors to `visit`: the one
 * calibration loop that {@link calibrateState} (activation observers) and {@link layerGrams} (GPTQ's Gram matrices)
 * share. The session is unfused so the inputs of every node stay requestable.
 *
 * @param model - the float model
 * @param batches - feeds, one object per run; any iterable (a generator streams)
 * @param names - value names to capture
 * @param visit - called once per batch with the captured tensors by name, and the 1-based batch number
 * @returns the number of batches run
 */
export function captureActivations(
  model: Model,
  batches: Iterable<Readonly<Record<string, Tensor>>>,
  names: readonly string[],
  visit: (values: Map<string, Tensor>, batch: number) => void,
): number {
  const session = createSession(model, { fuse: false });
  let count = 0;
  for (const feeds of batches) {
    const out = session.run(feeds, { outputs: [...names] });
    count++;
    visit(new Map(names.map((n) => [n, out[n]])), count);
  }
  return count;
}
