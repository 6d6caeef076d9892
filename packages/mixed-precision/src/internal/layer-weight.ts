// Where a quantizable layer's weight lives, and the weight as the quantizer sees it (output-major [n, k]).
import { foldConstant } from '@qint/dynamic';
import type { Model, Node } from '@qint/graph';
import type { Tensor } from '@qint/tensor';

/** Ops that keep the element order of their data input, so an initializer behind them can be edited in place. */
const ORDER_PRESERVING = new Set(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity']);

/** A layer's weight: `[n, k]` output-major, and the initializer it can be written back to (when it can). */
export interface LayerWeight {
  w: Float32Array;
  n: number;
  k: number;
  /**
   * The initializer holding the weight's elements in the folded tensor's order, when only order-preserving ops
   * lie between it and the layer and nothing else reads it; `transposed` when the folded tensor is `[k, n]`.
   */
  source?: { initializer: string; transposed: boolean };
}

/** The node that outputs each value. */
export function producersOf(model: Model): Map<string, Node> {
  const producers = new Map<string, Node>();
  for (const node of model.graph.nodes) for (const o of node.outputs) producers.set(o, node);
  return producers;
}

/** How many node inputs and graph outputs read each value. */
export function readers(model: Model): Map<string, number> {
  const count = new Map<string, number>();
  for (const node of model.graph.nodes) for (const i of node.inputs) if (i !== '') count.set(i, (count.get(i) ?? 0) + 1);
  for (const o of model.graph.outputs) count.set(o.name, (count.get(o.name) ?? 0) + 1);
  return count;
}

/**
 * The layer's float weight as an output-major `[n, k]` matrix, as the quantizer sees it (Conv: `[n, C/g·kh·kw]`;
 * MatMul and Gemm without transB: the transposed `[k, n]` weight).
 */
export function layerWeight(model: Model, node: Node, producers: ReadonlyMap<string, Node>, counts: ReadonlyMap<string, number>): LayerWeight | undefined {
  const folded = foldConstant(model.graph, node.inputs[1] ?? '', producers);
  if (!folded || folded.tensor.dtype !== 'float32') return undefined;
  const t = folded.tensor as Tensor<'float32'>;
  let source: string | undefined;
  if (folded.folded.every((f) => ORDER_PRESERVING.has(f.opType))) {
    // Walk back through the single-reader chain to the initializer.
    let value: string | undefined = node.inputs[1];
    while (value !== undefined && !model.graph.initializers.has(value)) {
      if ((counts.get(value) ?? 0) !== 1) break;
      value = producers.get(value)?.inputs[0];
    }
    if (value !== undefined && model.graph.initializers.has(value) && (counts.get(value) ?? 0) === 1) source = value;
  }
  if (node.opType === 'Conv') {
    const n = t.shape[0];
    return { w: t.data, n, k: t.size / n, ...(source ? { source: { initializer: source, transposed: false } } : {}) };
  }
  if (t.rank !== 2) return undefined;
  const transB = node.opType === 'Gemm' && node.attributes.transB?.type === 'int' && node.attributes.transB.value !== 0;
  if (transB) return { w: t.data, n: t.shape[0], k: t.shape[1], ...(source ? { source: { initializer: source, transposed: false } } : {}) };
  const [k, n] = t.shape;
  return { w: t.transpose([1, 0]).data as Float32Array, n, k, ...(source ? { source: { initializer: source, transposed: true } } : {}) };
}

/** Gates per recurrent op: LSTM i, o, f, c; GRU z, r, h; RNN one. */
const RECURRENT_GATES: Record<string, number> = { LSTM: 4, GRU: 3, RNN: 1 };

/**
 * The weight matrices of a recurrent layer (LSTM, GRU, RNN) as the quantizer sees them: W `[G·H, input]` and R
 * `[G·H, H]` of each direction, output-major; undefined for another op or non-constant weights.
 */
export function recurrentWeights(model: Model, node: Node, producers: ReadonlyMap<string, Node>): LayerWeight[] | undefined {
  if (!(node.opType in RECURRENT_GATES)) return undefined;
  const parts: LayerWeight[] = [];
  for (const input of [node.inputs[1], node.inputs[2]]) {
    const folded = foldConstant(model.graph, input ?? '', producers);
    if (!folded || folded.tensor.dtype !== 'float32' || folded.tensor.rank !== 3) return undefined;
    const [dirs, n, k] = folded.tensor.shape;
    const data = folded.tensor.data as Float32Array;
    for (let d = 0; d < dirs; d++) parts.push({ w: data.subarray(d * n * k, (d + 1) * n * k), n, k });
  }
  return parts;
}
