// A copy of a model whose chosen layers' float weights are clipped (clipWeight) before quantization. The quantizer's
// min-max then stores exactly the clipped ranges, so clipped candidates need nothing from @qint/dynamic but its
// ordinary path, and mix freely with min-max layers in one model.
import type { WeightQuantSettings } from '@qint/dynamic';
import type { Model } from '@qint/graph';
import { Tensor, ValueError } from '@qint/tensor';
import { clipWeight } from '../clip-weight';
import type { QuantScheme } from '../sensitivity-table';
import { layerWeight, producersOf, readers, type LayerWeight } from './layer-weight';

/**
 * @param model - the float model
 * @param clips - layer (node) name → the scheme whose clipping to apply (only entries with `clip` set are used)
 * @param convention - the quantizer's scale arithmetic
 * @returns the model with those weights clipped (the input model is not changed; unchanged when nothing is clipped)
 * @throws ValueError when a layer's weight cannot be edited in place (shared, or behind a reordering op)
 */
export function withClippedWeights(model: Model, clips: ReadonlyMap<string, QuantScheme>, convention?: WeightQuantSettings['convention']): Model {
  const wanted = [...clips].filter(([, s]) => s.clip !== undefined);
  if (wanted.length === 0) return model;
  const producers = producersOf(model);
  const counts = readers(model);
  const byName = new Map(model.graph.nodes.map((n) => [n.name, n]));
  return withLayerWeights(
    model,
    wanted.map(([name, scheme]) => {
      const node = byName.get(name);
      const weight = node ? layerWeight(model, node, producers, counts) : undefined;
      if (!weight?.source) {
        throw new ValueError(`layer "${name}": its weight is shared or reordered before the layer, so it cannot be clipped in place; use a candidate without clip`);
      }
      return { weight, data: clipWeight(weight.w, [weight.n, weight.k], scheme, convention ? { convention } : {}).weights };
    }),
  );
}

/**
 * @param model - the float model
 * @param edits - layer weights that can be written back (`source` set) and their new `[n, k]` output-major values
 * @returns a copy of the model with each new weight written to its initializer, in the initializer's own layout
 */
export function withLayerWeights(model: Model, edits: readonly { weight: LayerWeight; data: Float32Array }[]): Model {
  const initializers = new Map(model.graph.initializers);
  for (const { weight, data } of edits) {
    const source = weight.source!;
    const original = model.graph.initializers.get(source.initializer)!;
    const stored = source.transposed ? (Tensor.from('float32', [weight.n, weight.k], data).transpose([1, 0]).data as Float32Array) : data;
    initializers.set(source.initializer, Tensor.from('float32', original.shape, stored));
  }
  return { ...model, graph: { ...model.graph, initializers } };
}
