// Outer-scope references of subgraphs (If branches, Loop and Scan bodies). ONNX lets a subgraph read any value of an
// enclosing graph that is defined before the node holding it; these helpers find which names a subgraph reads from
// outside itself, at any nesting depth.
import type { Graph, Node } from './ir';

/**
 * The graph-valued attributes of a node, in attribute order.
 *
 * @param node - any node
 * @returns `[attributeName, graph]` pairs (empty for nodes without subgraphs)
 * @example
 * ```ts
 * subgraphsOf(ifNode).map(([name]) => name); // ['else_branch', 'then_branch']
 * ```
 */
export function subgraphsOf(node: Node): [string, Graph][] {
  const out: [string, Graph][] = [];
  for (const key of Object.keys(node.attributes)) {
    const a = node.attributes[key];
    if (a.type === 'graph') out.push([key, a.value]);
  }
  return out;
}

/** Names a graph defines itself: inputs, initializers and node outputs. */
export function localNames(graph: Graph): Set<string> {
  const names = new Set<string>();
  for (const vi of graph.inputs) names.add(vi.name);
  for (const name of graph.initializers.keys()) names.add(name);
  for (const n of graph.nodes) for (const o of n.outputs) if (o !== '') names.add(o);
  return names;
}

const cache = new WeakMap<Graph, readonly string[]>();

/**
 * The names a graph reads without defining them (node inputs and graph outputs, including those of its own nested
 * subgraphs), in order of first use: for a subgraph, the outer-scope values it needs.
 *
 * @param graph - a (sub)graph
 * @returns the free names, first use first
 * @example
 * ```ts
 * freeVariables(thenBranch); // ['x', 'weight'] — values of the enclosing graph
 * ```
 */
export function freeVariables(graph: Graph): readonly string[] {
  const hit = cache.get(graph);
  if (hit) return hit;
  const local = localNames(graph);
  const seen = new Set<string>();
  const out: string[] = [];
  const use = (name: string): void => {
    if (name === '' || local.has(name) || seen.has(name)) return;
    seen.add(name);
    out.push(name);
  };
  for (const n of graph.nodes) {
    for (const i of n.inputs) use(i);
    for (const [, g] of subgraphsOf(n)) for (const name of freeVariables(g)) use(name);
  }
  for (const o of graph.outputs) use(o.name);
  const frozen = Object.freeze(out);
  cache.set(graph, frozen);
  return frozen;
}

/**
 * Every subgraph of a graph at any depth, each with the chain of node names leading to it (for messages).
 *
 * @param graph - the main graph
 * @returns `{ graph, path }` for each nested subgraph, outermost first
 */
export function allSubgraphs(graph: Graph): { graph: Graph; path: string }[] {
  const out: { graph: Graph; path: string }[] = [];
  const walk = (g: Graph, prefix: string): void => {
    g.nodes.forEach((n, i) => {
      for (const [attr, sub] of subgraphsOf(n)) {
        const path = `${prefix}${n.opType} "${n.name || `#${i}`}".${attr}`;
        out.push({ graph: sub, path });
        walk(sub, `${path} > `);
      }
    });
  };
  walk(graph, '');
  return out;
}
