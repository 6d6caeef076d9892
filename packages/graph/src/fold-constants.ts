// Constant folding of weight chains: Constant nodes, and data-movement ops applied to constants (Identity of a shared
// initializer, Slice/Split of a packed Q/K/V projection, Transpose, Cast, Reshape, Unsqueeze …), become initializers,
// so that every layer whose weight is a constant sees an initializer (for quantizers, size reports and inspection).
import type { Tensor } from '@qint/tensor';
import { createDefaultRegistry } from './default-registry';
import type { Graph, Model, Node } from './ir';
import { AttributeReader } from './ops/attribute-reader';
import type { OpBuildContext } from './ops/op-definition';
import type { OpRegistry } from './op-registry';
import { nodeOpset } from './pin-op-versions';

/** Ops evaluated on constant inputs. None creates data beyond what its inputs hold (ConstantOfShape, Tile, Expand are left alone). */
const FOLDABLE = new Set([
  'Constant', 'Identity', 'Slice', 'Split', 'Transpose', 'Cast', 'Reshape', 'Unsqueeze', 'Squeeze', 'Flatten', 'Concat',
  'Gather', 'Shape', 'Size', 'Add', 'Sub', 'Mul', 'Div', 'Neg', 'Abs', 'Sqrt',
]);

/** Options of {@link foldConstants}. */
export interface FoldConstantsOptions {
  /** The op implementations to evaluate with (default: the default registry). */
  readonly registry?: OpRegistry;
  /** Largest constant (elements) to produce (default 64 M). */
  readonly maxElements?: number;
  /** Opset imports when folding a bare graph (default: the model's). */
  readonly opsetImports?: Readonly<Record<string, number>>;
}

/**
 * Folds constant chains into initializers: a `Constant` node's value, and any of Identity, Slice, Split, Transpose,
 * Cast, Reshape, (Un)Squeeze, Flatten, Concat, Gather, Shape/Size and elementwise arithmetic whose inputs are all
 * constants (initializers that are not graph inputs, or folded values), evaluated with the executor's own kernels —
 * so the result is what running the graph would compute. An Identity of a constant becomes an alias (no copy); folded
 * nodes and initializers nothing reads any more are dropped. Graph outputs keep their producers' names. Nodes whose
 * output would be larger than their inputs together are left alone, as are subgraphs.
 *
 * @param source - a model (its opsets apply) or a graph
 * @param options - {@link FoldConstantsOptions}
 * @returns the folded model or graph (the same object when nothing folds)
 * @example
 * ```ts
 * const folded = foldConstants(model); // nn.MultiheadAttention's sliced in_proj_weight → three initializers
 * ```
 */
export function foldConstants<T extends Model | Graph>(source: T, options: FoldConstantsOptions = {}): T {
  const isModel = (source as Model).graph !== undefined && (source as Model).opsetImports !== undefined;
  const graph = isModel ? (source as Model).graph : (source as Graph);
  const opsets: Record<string, number> = {};
  for (const [k, v] of Object.entries(options.opsetImports ?? (isModel ? (source as Model).opsetImports : {}))) opsets[k === 'ai.onnx' ? '' : k] = v;
  const registry = options.registry ?? createDefaultRegistry();
  const maxElements = options.maxElements ?? 64 * 1024 * 1024;
  const inputNames = new Set(graph.inputs.map((v) => v.name));
  const outputNames = new Set(graph.outputs.map((v) => v.name));
  // Values known to be constant: initializers (not overridable inputs) and what folded nodes produce.
  const constants = new Map<string, Tensor>();
  for (const [k, t] of graph.initializers) if (!inputNames.has(k)) constants.set(k, t);
  const alias = new Map<string, string>();
  const resolve = (name: string): string => alias.get(name) ?? name;
  const folded = new Set<Node>();
  const seen = new Map<string, Node>();
  graph.nodes.forEach((node, index) => {
    if (node.domain !== '' && node.domain !== 'ai.onnx') return;
    if (!FOLDABLE.has(node.opType)) return;
    if (node.outputs.some((o) => o !== '' && outputNames.has(o))) return;
    const inputs = node.inputs.map((n) => (n === '' ? undefined : constants.get(resolve(n))));
    if (node.inputs.some((n, i) => n !== '' && inputs[i] === undefined)) return;
    if (node.opType === 'Identity') {
      alias.set(node.outputs[0], resolve(node.inputs[0]));
      constants.set(node.outputs[0], inputs[0]!);
      folded.add(node);
      return;
    }
    // The same op on the same constants (layers sharing one weight through Identity nodes, each with its own
    // Transpose) gives one value: alias it, so shared weights stay shared.
    const key = cseKey(node, nodeOpset(node, opsets), resolve);
    const same = key === undefined ? undefined : seen.get(key);
    if (same) {
      node.outputs.forEach((o, i) => {
        if (o === '' || same.outputs[i] === '') return;
        alias.set(o, resolve(same.outputs[i]));
        constants.set(o, constants.get(same.outputs[i])!);
      });
      folded.add(node);
      return;
    }
    const def = registry.resolve(node.domain === 'ai.onnx' ? '' : node.domain, node.opType, nodeOpset(node, opsets));
    if (!def) return;
    const label = node.name ? `${node.opType} "${node.name}"` : `${node.opType} (node #${index})`;
    const ctx: OpBuildContext = {
      node,
      label,
      opset: nodeOpset(node, opsets),
      attrs: new AttributeReader(node, label),
      constant: (i: number) => inputs[i],
    };
    let outputs: readonly Tensor[];
    try {
      outputs = def.build(ctx)(inputs);
    } catch {
      // A node that fails on its constants is left for the session, which reports it with its full context.
      return;
    }
    const inSize = inputs.reduce((s, t) => s + (t?.size ?? 0), 0);
    const outSize = outputs.reduce((s, t) => s + t.size, 0);
    const growthOk = node.opType === 'Constant' || node.opType === 'Shape' || node.opType === 'Size' || outSize <= Math.max(inSize, 64);
    if (!growthOk || outSize > maxElements || outputs.length < node.outputs.filter((o) => o !== '').length) return;
    node.outputs.forEach((o, i) => {
      if (o !== '') constants.set(o, outputs[i]);
    });
    if (key !== undefined && node.outputs.every((o) => o !== '')) seen.set(key, node);
    folded.add(node);
  });
  if (folded.size === 0) return source;

  const nodes: Node[] = [];
  const read = new Set<string>(graph.outputs.map((o) => o.name));
  for (const node of graph.nodes) {
    if (folded.has(node)) continue;
    const inputs = node.inputs.map((n) => (n === '' ? n : resolve(n)));
    for (const n of inputs) read.add(n);
    for (const a of Object.values(node.attributes)) {
      if (a.type !== 'graph') continue;
      for (const n of outerNames(a.value)) {
        read.add(n);
        read.add(resolve(n));
      }
    }
    nodes.push(inputs.every((n, i) => n === node.inputs[i]) ? node : { ...node, inputs });
  }
  const initializers = new Map<string, Tensor>();
  for (const [k, t] of graph.initializers) if (read.has(k) || inputNames.has(k)) initializers.set(k, t);
  for (const [k, t] of constants) if (read.has(k) && !initializers.has(k)) initializers.set(k, t);
  // Subgraphs may read a folded value by its old (aliased) name: keep it reachable.
  for (const [from, to] of alias) if (read.has(from) && !initializers.has(from)) initializers.set(from, constants.get(to)!);
  const quantParams = graph.quantParams ? new Map([...graph.quantParams].filter(([k]) => initializers.has(k))) : undefined;
  const out: Graph = { ...graph, nodes, initializers, ...(quantParams ? { quantParams } : {}) };
  return (isModel ? { ...(source as Model), graph: out } : out) as T;
}

/** Every name a subgraph reads (a superset of its outer-scope reads; enough to keep values alive). */
function outerNames(g: Graph): string[] {
  const names: string[] = [];
  for (const n of g.nodes) {
    names.push(...n.inputs);
    for (const a of Object.values(n.attributes)) if (a.type === 'graph') names.push(...outerNames(a.value));
  }
  names.push(...g.outputs.map((o) => o.name));
  return names;
}

/** Identity of a node's computation (op, version, attributes, resolved inputs); undefined for tensor or graph attributes. */
function cseKey(node: Node, opset: number, resolve: (name: string) => string): string | undefined {
  const value = node.opType === 'Constant' ? node.attributes.value : undefined;
  // Small constants (shapes, slice bounds) repeat per layer; equal ones are one value. Weights are never compared.
  if (value?.type === 'tensor' && value.value.size <= 64 && Object.keys(node.attributes).length === 1) {
    return `Constant(${value.value.dtype}[${value.value.shape.join(',')}]:${Array.from(value.value.data as ArrayLike<number | bigint>, String).join(',')})`;
  }
  const attrs: string[] = [];
  for (const k of Object.keys(node.attributes).sort()) {
    const a = node.attributes[k];
    if (a.type === 'tensor' || a.type === 'tensors' || a.type === 'graph') return undefined;
    attrs.push(`${k}=${JSON.stringify(a)}`);
  }
  return `${node.opType}@${opset}(${node.inputs.map((n) => (n === '' ? '' : resolve(n))).join(',')})[${attrs.join(';')}]#${node.outputs.length}`;
}
