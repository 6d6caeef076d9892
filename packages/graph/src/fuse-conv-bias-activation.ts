// A load-time rewrite, as onnxruntime does: Conv (or ai.qint DynamicConv) → Add(per-channel constant) → Relu becomes
// one node. The Add turns into the conv's bias; the Relu into its `activation` attribute, applied in place on the
// conv's output. Mobile nets and MNIST-style CNNs export exactly this chain, and each Add/Relu otherwise costs an
// allocation and a full pass over the feature map.
import { Tensor } from '@qint/tensor';
import type { Attribute, Graph, Node } from './ir';

const QINT = 'ai.qint';

/** Where a conv-like op keeps its weight and bias inputs. */
function convSlots(node: Node): { weight: number; bias: number } | undefined {
  if (node.opType === 'Conv' && (node.domain === '' || node.domain === 'ai.onnx')) return { weight: 1, bias: 2 };
  if (node.opType === 'DynamicConv' && node.domain === QINT) return { weight: 1, bias: 4 };
  return undefined;
}

/** The per-channel values of `c` when adding it to a conv output `[N, M, ...spatial]` is a bias add; else undefined. */
function perChannel(c: Tensor, channels: number, spatialRank: number): Float32Array | undefined {
  if (c.dtype !== 'float32') return undefined;
  const values = c.data as Float32Array;
  if (c.size === 1 && c.rank <= spatialRank + 2) return new Float32Array(channels).fill(values[0]);
  if (c.size !== channels) return undefined;
  // The channel dim must sit right before the spatial dims, every other dim being 1: [M,1,1] or [1,M,1,1].
  const shape = c.shape;
  const channelAxis = shape.length - 1 - spatialRank;
  if (channelAxis < 0 || shape[channelAxis] !== channels) return undefined;
  if (shape.some((d, i) => i !== channelAxis && d !== 1) || shape.length > spatialRank + 2) return undefined;
  return values;
}

/**
 * Fuses `Conv/DynamicConv → Add(constant per-channel bias) → Relu` chains. A conv is only rewritten when its output
 * feeds nothing else and is not a graph output, and a bias is only folded into a conv that has none (so the float
 * arithmetic is the same as the unfused graph's: one addition of the same bias).
 *
 * @param graph - a graph in topological order
 * @returns a new graph (the input is not changed), or the same graph when nothing fuses, and the values fused away
 */
export function fuseConvBiasActivation(graph: Graph): { graph: Graph; fusedAway: Map<string, string> } {
  const consumers = new Map<string, Node[]>();
  for (const node of graph.nodes) for (const input of node.inputs) if (input) consumers.set(input, [...(consumers.get(input) ?? []), node]);
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const graphInputs = new Set(graph.inputs.map((i) => i.name));
  const soleConsumer = (value: string): Node | undefined => {
    const users = consumers.get(value);
    return users && users.length === 1 && !outputs.has(value) ? users[0] : undefined;
  };
  const removed = new Set<Node>();
  // Intermediate values that no longer exist, with the node that now computes past them (for error messages).
  const fusedAway = new Map<string, string>();
  const replaced = new Map<Node, Node>();
  const initializers = new Map(graph.initializers);

  for (const node of graph.nodes) {
    const slots = convSlots(node);
    if (!slots || node.outputs.length !== 1) continue;
    const weight = graph.initializers.get(node.inputs[slots.weight] ?? '');
    if (!weight || weight.rank < 3) continue;
    const channels = weight.shape[0];
    const spatialRank = weight.rank - 2;
    let fused: Node = node;
    let next = soleConsumer(node.outputs[0]);
    if (next && next.opType === 'Add' && next.domain === '' && !(node.inputs[slots.bias] ?? '')) {
      const other = next.inputs[0] === node.outputs[0] ? next.inputs[1] : next.inputs[0];
      const constant = other && !graphInputs.has(other) ? graph.initializers.get(other) : undefined;
      const bias = constant ? perChannel(constant, channels, spatialRank) : undefined;
      if (bias && next.inputs.length === 2) {
        const biasName = `${node.outputs[0]}__fused_bias`;
        initializers.set(biasName, Tensor.from('float32', [channels], Float32Array.from(bias)));
        const inputs = node.inputs.slice();
        while (inputs.length <= slots.bias) inputs.push('');
        inputs[slots.bias] = biasName;
        fusedAway.set(node.outputs[0], node.name);
        fused = { ...fused, inputs, outputs: next.outputs };
        removed.add(next);
        next = soleConsumer(next.outputs[0]);
      }
    }
    if (next && next.opType === 'Relu' && next.domain === '' && fused.attributes.activation === undefined) {
      const activation: Attribute = { type: 'string', value: 'Relu' };
      fusedAway.set(fused.outputs[0], node.name);
      fused = { ...fused, outputs: next.outputs, attributes: { ...fused.attributes, activation } };
      removed.add(next);
    }
    if (fused !== node) replaced.set(node, fused);
  }
  if (replaced.size === 0) return { graph, fusedAway };
  return {
    graph: { ...graph, nodes: graph.nodes.filter((n) => !removed.has(n)).map((n) => replaced.get(n) ?? n), initializers },
    fusedAway,
  };
}

/** Applies a fused `activation` attribute in place (only `'Relu'` is produced by {@link fuseConvBiasActivation}). */
export function applyFusedActivation(data: Float32Array, activation: string | undefined): void {
  if (activation !== 'Relu') return;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    data[i] = v > 0 ? v : 0;
  }
}
