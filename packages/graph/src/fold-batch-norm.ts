// A load-time rewrite, as onnxruntime's ConvBNFusion: Conv → BatchNormalization (inference form, constant statistics)
// becomes one Conv whose weights and bias absorb the normalization. BatchNormalization is a per-channel affine map
// y = x·k + (β − μ·k) with k = γ / √(σ² + ε), so Conv(x, W, b) followed by it is Conv(x, W·k, b·k + β − μ·k).
// This changes float rounding (the products W·k are rounded to float32 once, at load, instead of scaling each
// output), like onnxruntime's fold; `createSession(model, { foldBatchNorm: false })` keeps the exact unfused order.
import { Tensor } from '@qint/tensor';
import { consumersOf, graphConstants, isOnnx, rewriteNodes } from './graph-rewrite';
import { freeVariables, subgraphsOf } from './subgraph-scope';
import type { Graph, Node } from './ir';
import { batchNormCoefficients } from './ops/normalization-ops';

/** A BatchNormalization as a per-channel `x·scale + shift`, computed in float64 as the op computes it. */
export interface BatchNormAffine {
  readonly scale: Float64Array;
  readonly shift: Float64Array;
}

/**
 * The affine map of an inference BatchNormalization node whose statistics are constants, or undefined when the node
 * is in a training form, has extra outputs, or reads a parameter that is not a constant of `channels` float32 values.
 *
 * @param bn - a BatchNormalization node
 * @param constant - the constant tensor of a value name (an initializer no feed can override), else undefined
 * @param channels - the channel count the parameters must have
 * @returns `k = γ / √(σ² + ε)` and `β − μ·k` per channel (float64, as the BatchNormalization op computes them)
 */
export function batchNormAffine(bn: Node, constant: (name: string) => Tensor | undefined, channels: number): BatchNormAffine | undefined {
  const a = bn.attributes;
  const int = (name: string): number | undefined => (a[name]?.type === 'int' ? (a[name].value as number) : undefined);
  if ((int('training_mode') ?? 0) !== 0 || (int('spatial') ?? 1) !== 1 || int('is_test') === 0) return undefined;
  if (bn.inputs.length !== 5 || bn.outputs.slice(1).some((o) => o !== '')) return undefined;
  const params = bn.inputs.slice(1).map((name) => constant(name));
  if (params.some((t) => !t || t.dtype !== 'float32' || t.size !== channels)) return undefined;
  const [gamma, beta, mean, variance] = params.map((t) => t!.data as Float32Array);
  const eps = a.epsilon?.type === 'float' ? (a.epsilon.value as number) : 1e-5;
  return batchNormCoefficients(gamma, beta, mean, variance, eps);
}

/**
 * Folds every `Conv → BatchNormalization` pair whose conv weights (and bias, if any) and normalization statistics
 * are float32 constants into the conv. The conv's output must feed only the BatchNormalization and not be a graph
 * output. New weight and bias initializers are added; the replaced ones are dropped when nothing else reads them.
 *
 * @param graph - a graph in topological order
 * @returns a new graph (the input is not changed), or the same graph when nothing folds, and the values folded away
 */
export function foldBatchNorm(graph: Graph): { graph: Graph; fusedAway: Map<string, string> } {
  const consumers = consumersOf(graph.nodes);
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const constant = graphConstants(graph);
  const fusedAway = new Map<string, string>();
  const removed = new Set<Node>();
  const replaced = new Map<Node, Node>();
  const initializers = new Map(graph.initializers);
  const taken = new Set<string>([...graph.initializers.keys(), ...graph.inputs.map((i) => i.name)]);
  for (const n of graph.nodes) for (const o of n.outputs) taken.add(o);
  const fresh = (base: string): string => {
    let name = base;
    for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
    taken.add(name);
    return name;
  };
  const dropped = new Set<string>();

  for (const node of graph.nodes) {
    if (!isOnnx(node, 'Conv') || node.outputs.length !== 1 || node.inputs.length < 2) continue;
    const w = constant(node.inputs[1]);
    if (!w || w.dtype !== 'float32' || w.rank < 3) continue;
    const m = w.shape[0];
    const biasName = node.inputs[2] ?? '';
    const b = biasName ? constant(biasName) : undefined;
    if (biasName && (!b || b.dtype !== 'float32' || b.size !== m)) continue;
    const users = consumers.get(node.outputs[0]);
    const bn = users && users.length === 1 && !outputs.has(node.outputs[0]) ? users[0] : undefined;
    if (!isOnnx(bn, 'BatchNormalization') || bn.inputs[0] !== node.outputs[0]) continue;
    const affine = batchNormAffine(bn, constant, m);
    if (!affine) continue;
    const wd = w.data as Float32Array;
    const per = w.size / m;
    const folded = new Float32Array(w.size);
    for (let c = 0; c < m; c++) {
      const k = affine.scale[c];
      for (let i = c * per; i < (c + 1) * per; i++) folded[i] = wd[i] * k;
    }
    const bias = new Float32Array(m);
    const bd = b?.data as Float32Array | undefined;
    for (let c = 0; c < m; c++) bias[c] = (bd ? bd[c] : 0) * affine.scale[c] + affine.shift[c];
    const wName = fresh(`${node.inputs[1]}/bn_folded`);
    const bName = fresh(`${biasName || node.outputs[0]}/bn_folded_bias`);
    initializers.set(wName, Tensor.from('float32', w.shape, folded));
    initializers.set(bName, Tensor.from('float32', [m], bias));
    for (const name of [node.inputs[1], biasName, ...bn.inputs.slice(1)]) if (name) dropped.add(name);
    fusedAway.set(node.outputs[0], node.name);
    replaced.set(node, { ...node, inputs: [node.inputs[0], wName, bName], outputs: [bn.outputs[0]] });
    removed.add(bn);
  }
  if (replaced.size === 0) return { graph, fusedAway };
  const rewritten = rewriteNodes(graph, removed, replaced);
  // Drop the replaced constants nothing reads any more (they would only hold memory).
  const read = new Set<string>(graph.outputs.map((o) => o.name));
  for (const n of rewritten.nodes) {
    for (const i of n.inputs) read.add(i);
    for (const [, g] of subgraphsOf(n)) for (const i of freeVariables(g)) read.add(i);
  }
  for (const name of dropped) if (!read.has(name) && constant(name)) initializers.delete(name);
  return { graph: { ...rewritten, initializers }, fusedAway };
}
