// An If whose condition is known at load (an initializer, or a Constant node) is replaced by the branch it takes:
// the branch's nodes and initializers move into the enclosing graph and Identity nodes hand its outputs to the If's
// outputs. Exporters write such Ifs for shape checks and `torch.jit.script` flags; inlining them lets the branch's
// nodes join the load-time fusions and shape memo, and costs no subgraph call per run.
import type { Tensor } from '@qint/tensor';
import type { Attribute, Graph, Node } from './ir';
import { freeVariables, localNames, subgraphsOf } from './subgraph-scope';

/** Every name a graph or its nested subgraphs define or read (what an inlined name must not collide with). */
function allNames(graph: Graph, into: Set<string>): Set<string> {
  for (const n of localNames(graph)) into.add(n);
  for (const node of graph.nodes) {
    for (const i of node.inputs) if (i !== '') into.add(i);
    for (const [, g] of subgraphsOf(node)) allNames(g, into);
  }
  for (const o of graph.outputs) into.add(o.name);
  return into;
}

/** Renames references to outer names inside a subgraph (names it defines itself shadow the map). */
function renameFree(graph: Graph, map: ReadonlyMap<string, string>): Graph {
  if (map.size === 0 || !freeVariables(graph).some((n) => map.has(n))) return graph;
  const local = localNames(graph);
  const r = (n: string): string => (local.has(n) ? n : (map.get(n) ?? n));
  return {
    ...graph,
    nodes: graph.nodes.map((node) => renameNode(node, r, map, local)),
    outputs: graph.outputs.map((o) => (r(o.name) === o.name ? o : { ...o, name: r(o.name) })),
  };
}

function renameNode(node: Node, r: (n: string) => string, map: ReadonlyMap<string, string>, shadow?: ReadonlySet<string>): Node {
  let attributes = node.attributes;
  const subs = subgraphsOf(node);
  if (subs.length > 0) {
    const inner = shadow ? new Map([...map].filter(([k]) => !shadow.has(k))) : map;
    const copy: Record<string, Attribute> = Object.create(null) as Record<string, Attribute>;
    Object.assign(copy, node.attributes);
    for (const [key, g] of subs) copy[key] = { type: 'graph', value: renameFree(g, inner) };
    attributes = copy;
  }
  return { ...node, inputs: node.inputs.map((i) => (i === '' ? i : r(i))), outputs: node.outputs.map((o) => (o === '' ? o : r(o))), attributes };
}

/** The boolean value of a load-time constant condition, or undefined. */
function constantCondition(name: string, constant: (name: string) => Tensor | undefined): boolean | undefined {
  const t = constant(name);
  if (t === undefined || t.size !== 1) return undefined;
  return Number(t.values()[0]) !== 0;
}

/**
 * Inlines every If whose condition is a constant (an initializer that is not a graph input, or a `Constant` node's
 * `value`), repeatedly, so that Ifs exposed by an inlined branch fold too. Names the branch defines are renamed where
 * they would collide with a name of the enclosing graph.
 *
 * @param graph - a graph (its subgraphs are left to the sessions that run them)
 * @returns the graph with those Ifs replaced, and how many were folded
 * @example
 * ```ts
 * const { graph: flat, folded } = foldConstantIf(graph);
 * ```
 */
export function foldConstantIf(graph: Graph): { graph: Graph; folded: number } {
  let folded = 0;
  let current = graph;
  for (let round = 0; round < 64; round++) {
    const inputs = new Set(current.inputs.map((v) => v.name));
    const constantNodes = new Map<string, Tensor>();
    for (const n of current.nodes) {
      const v = n.attributes.value;
      if (n.opType === 'Constant' && (n.domain === '' || n.domain === 'ai.onnx') && v?.type === 'tensor' && n.outputs[0]) constantNodes.set(n.outputs[0], v.value);
    }
    const constant = (name: string): Tensor | undefined => (inputs.has(name) ? undefined : (current.initializers.get(name) ?? constantNodes.get(name)));
    const index = current.nodes.findIndex(
      (n) => n.opType === 'If' && (n.domain === '' || n.domain === 'ai.onnx') && constantCondition(n.inputs[0] ?? '', constant) !== undefined &&
        n.attributes.then_branch?.type === 'graph' && n.attributes.else_branch?.type === 'graph',
    );
    if (index < 0) break;
    const node = current.nodes[index];
    const take = constantCondition(node.inputs[0], constant) ? 'then_branch' : 'else_branch';
    const branch = (node.attributes[take] as { value: Graph }).value;
    if (branch.outputs.length !== node.outputs.length) break; // the session reports the mismatch
    const taken = allNames(current, new Set<string>());
    const rename = new Map<string, string>();
    const fresh = (name: string): string => {
      let k = 1;
      let candidate = `${name}__if${k}`;
      while (taken.has(candidate)) candidate = `${name}__if${++k}`;
      taken.add(candidate);
      return candidate;
    };
    const outer = allNames(current, new Set<string>());
    for (const name of localNames(branch)) if (outer.has(name)) rename.set(name, fresh(name));
    const r = (n: string): string => rename.get(n) ?? n;
    const initializers = new Map(current.initializers);
    for (const [name, t] of branch.initializers) initializers.set(r(name), t);
    const label = node.name || `If#${index}`;
    const inlined = branch.nodes.map((n) => renameNode(n, r, rename));
    const handOff: Node[] = node.outputs.map((out, i) => ({
      name: `${label}/${take}/out${i}`,
      opType: 'Identity',
      domain: '',
      inputs: [r(branch.outputs[i].name)],
      outputs: [out],
      attributes: {},
    }));
    current = {
      ...current,
      initializers,
      nodes: [...current.nodes.slice(0, index), ...inlined, ...handOff.filter((n) => n.outputs[0] !== ''), ...current.nodes.slice(index + 1)],
    };
    folded++;
  }
  return { graph: current, folded };
}
