// A load-time rewrite, as onnxruntime does: Conv (or ai.qint DynamicConv) → Add(per-channel constant) → Relu becomes
// one node. The Add turns into the conv's bias; the Relu into its `activation` attribute, applied in place on the
// conv's output. Mobile nets and MNIST-style CNNs export exactly this chain, and each Add/Relu otherwise costs an
// allocation and a full pass over the feature map. A BatchNormalization after the Relu (PyTorch's Conv → ReLU →
// BatchNorm blocks) joins the same pass as `post_scale`/`post_shift` attributes (see conv-epilogue.ts).
import type { Tensor } from '@qint/tensor';
import { batchNormAffine } from './fold-batch-norm';
import { consumersOf, graphConstants, isOnnx, rewriteNodes } from './graph-rewrite';
import type { Attribute, Graph, Node } from './ir';
import { dynamicConvWeightShape } from './ops/qint/dynamic-conv-weight';
import { QINT_DOMAIN } from './ops/qint/qint-domain';

/** Where a conv-like op keeps its weight and bias inputs. */
function convSlots(node: Node): { weight: number; bias: number } | undefined {
  if (node.opType === 'DynamicConv' && node.domain === QINT_DOMAIN) return { weight: 1, bias: 4 };
  if (isOnnx(node, 'Conv')) return { weight: 1, bias: 2 };
  return undefined;
}

/**
 * Whether adding `c` to a conv output `[N, M, ...spatial]` is a per-channel bias add: M values laid out as
 * `[M, 1, 1]` or `[1, M, 1, 1]` for a 2-D conv (`[M, 1]` for 1-D): the channel dim right before the spatial dims,
 * every other dim 1.
 */
function isPerChannel(c: Tensor, channels: number, spatialRank: number): boolean {
  if (c.dtype !== 'float32' || c.size !== channels) return false;
  const shape = c.shape;
  const channelAxis = shape.length - 1 - spatialRank;
  if (channelAxis < 0 || shape.length > spatialRank + 2 || shape[channelAxis] !== channels) return false;
  return shape.every((d, i) => i === channelAxis || d === 1);
}

/**
 * Fuses `Conv/DynamicConv → Add(constant per-channel bias) → Relu → BatchNormalization(constant statistics) →
 * MaxPool(no padding, dilation or ceil mode)` chains (any non-empty subsequence in this order after the conv; a BatchNormalization directly after a float Conv with constant weights is
 * usually folded into the weights before, by {@link foldBatchNorm}). A conv is only rewritten when its output
 * feeds nothing else and is not a graph output, and a bias is only folded into a conv that has none (so the float
 * arithmetic is the same as the unfused graph's: one addition of the same bias). The fused conv reads the bias by its
 * original name, so an initializer that is also a graph input (as IR < 4 models list them) can still be overridden.
 *
 * @param graph - a graph in topological order
 * @returns a new graph (the input is not changed), or the same graph when nothing fuses, and the values fused away
 */
export function fuseConvBiasActivation(graph: Graph): { graph: Graph; fusedAway: Map<string, string> } {
  const consumers = consumersOf(graph.nodes);
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const soleConsumer = (value: string): Node | undefined => {
    const users = consumers.get(value);
    return users && users.length === 1 && !outputs.has(value) ? users[0] : undefined;
  };
  const constant = graphConstants(graph);
  const removed = new Set<Node>();
  // Intermediate values that no longer exist, with the node that now computes past them (for error messages).
  const fusedAway = new Map<string, string>();
  const replaced = new Map<Node, Node>();

  for (const node of graph.nodes) {
    const slots = convSlots(node);
    if (!slots || node.outputs.length !== 1) continue;
    const weight = graph.initializers.get(node.inputs[slots.weight] ?? '');
    if (!weight) continue;
    // A 3-bit DynamicConv weight is a flat stream; its shape is an attribute.
    const weightShape = node.domain === QINT_DOMAIN ? dynamicConvWeightShape(node, weight) : weight.shape;
    if (weightShape.length < 3) continue;
    const channels = weightShape[0];
    const spatialRank = weightShape.length - 2;
    let fused: Node = node;
    let next = soleConsumer(node.outputs[0]);
    if (isOnnx(next, 'Add') && !(node.inputs[slots.bias] ?? '')) {
      const other = next.inputs[0] === node.outputs[0] ? next.inputs[1] : next.inputs[0];
      const constant = other ? graph.initializers.get(other) : undefined;
      if (constant && next.inputs.length === 2 && isPerChannel(constant, channels, spatialRank)) {
        const inputs = node.inputs.slice();
        while (inputs.length <= slots.bias) inputs.push('');
        inputs[slots.bias] = other;
        fusedAway.set(node.outputs[0], node.name);
        fused = { ...fused, inputs, outputs: next.outputs };
        removed.add(next);
        next = soleConsumer(next.outputs[0]);
      }
    }
    if (isOnnx(next, 'Relu') && fused.attributes.activation === undefined) {
      const activation: Attribute = { type: 'string', value: 'Relu' };
      fusedAway.set(fused.outputs[0], node.name);
      fused = { ...fused, outputs: next.outputs, attributes: { ...fused.attributes, activation } };
      removed.add(next);
      next = soleConsumer(next.outputs[0]);
    }
    // A BatchNormalization left after the conv (behind the Relu, or with weights that are not constants, so it was
    // not folded into them): its per-channel affine map runs in the same pass as the Relu, with the op's float64
    // arithmetic (bit-identical with the unfused node).
    const affine = isOnnx(next, 'BatchNormalization') && next.inputs[0] === fused.outputs[0] && fused.attributes.post_scale === undefined
      ? batchNormAffine(next, constant, channels)
      : undefined;
    if (next && affine) {
      fusedAway.set(fused.outputs[0], node.name);
      const postScale: Attribute = { type: 'floats', value: Array.from(affine.scale) };
      const postShift: Attribute = { type: 'floats', value: Array.from(affine.shift) };
      fused = { ...fused, outputs: [next.outputs[0]], attributes: { ...fused.attributes, post_scale: postScale, post_shift: postShift } };
      removed.add(next);
      next = soleConsumer(next.outputs[0]);
    }
    // A MaxPool without padding, dilation or ceil mode on a 2-D conv's output: pooled while the output is still in
    // the conv kernel's memory, so only a quarter of it (2×2) is written out; the same bits as the node.
    const pool = spatialRank === 2 && next && next.inputs[0] === fused.outputs[0] && fused.attributes.pool === undefined ? fusablePool(next) : undefined;
    if (next && pool) {
      fusedAway.set(fused.outputs[0], node.name);
      fused = { ...fused, outputs: [next.outputs[0]], attributes: { ...fused.attributes, pool: { type: 'ints', value: pool } } };
      removed.add(next);
    }
    if (fused !== node) replaced.set(node, fused);
  }
  if (replaced.size === 0) return { graph, fusedAway };
  return { graph: rewriteNodes(graph, removed, replaced), fusedAway };
}

/**
 * `[kh, kw, sh, sw]` of a 2-D MaxPool the conv kernels can apply themselves: Y only (no Indices), no padding
 * (explicit zeros, NOTSET or VALID), dilation 1, floor mode.
 */
function fusablePool(n: Node): number[] | undefined {
  if (!isOnnx(n, 'MaxPool') || n.outputs.slice(1).some((o) => o !== '')) return undefined;
  const a = n.attributes;
  const ints = (name: string): readonly number[] | undefined => (a[name]?.type === 'ints' ? (a[name].value as readonly number[]) : undefined);
  const kernel = ints('kernel_shape');
  if (!kernel || kernel.length !== 2) return undefined;
  const autoPad = a.auto_pad?.type === 'string' ? (a.auto_pad.value as string) : 'NOTSET';
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') return undefined;
  if ((ints('pads') ?? []).some((v) => v !== 0) || (ints('dilations') ?? []).some((v) => v !== 1)) return undefined;
  if (a.ceil_mode !== undefined && !(a.ceil_mode.type === 'int' && a.ceil_mode.value === 0)) return undefined;
  const strides = ints('strides') ?? [1, 1];
  if (strides.length !== 2 || ![...kernel, ...strides].every((v) => Number.isInteger(v) && v >= 1)) return undefined;
  return [kernel[0], kernel[1], strides[0], strides[1]];
}

/** A per-channel bias as the conv kernels take it: `[M]` (a fused bias may arrive as `[M, 1, 1]`; reshaping is a view). */
export function asBiasVector(bias: Tensor | undefined): Tensor | undefined {
  return bias && bias.rank !== 1 ? bias.reshape([bias.size]) : bias;
}
