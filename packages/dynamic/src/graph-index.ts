import { freeVariables, subgraphsOf, type Graph, type Node } from '@qint/graph';
import type { Tensor } from '@qint/tensor';

/** Who makes and who reads each value of a graph. */
export interface GraphIndex {
  /** Value name → the node that outputs it. */
  producers: Map<string, Node>;
  /** Value name → the nodes that read it, in graph order (a node reading a value twice is listed twice). */
  consumers: Map<string, Node[]>;
}

/**
 * Indexes a graph's values by producer and consumers (empty optional inputs/outputs `''` are left out); the graph
 * rewrites of this package match their patterns through it.
 *
 * @param graph - the graph
 * @returns the producer and consumer maps
 * @example
 * ```ts
 * const { producers, consumers } = indexGraph(model.graph);
 * foldConstant(model.graph, node.inputs[1], producers);
 * ```
 */
export function indexGraph(graph: Graph): GraphIndex {
  const producers = new Map<string, Node>();
  const consumers = new Map<string, Node[]>();
  for (const n of graph.nodes) {
    for (const o of n.outputs) if (o !== '') producers.set(o, n);
    // A node with subgraphs (If, Loop, Scan) also reads the outer values its subgraphs read.
    const reads = subgraphsOf(n).length === 0 ? n.inputs : [...n.inputs, ...subgraphsOf(n).flatMap(([, g]) => freeVariables(g))];
    for (const i of reads) {
      if (i === '') continue;
      const list = consumers.get(i);
      if (list) list.push(n);
      else consumers.set(i, [n]);
    }
  }
  return { producers, consumers };
}

/**
 * The clean-up after a rewrite: drops, until none is left, each `removable` node whose outputs nothing reads (not a
 * node, not a graph output), then deletes from `initializers` (in place) those nothing reads, except names in `keep`.
 *
 * @param nodes - the rewritten nodes, in order
 * @param outputs - the graph's output names
 * @param removable - which nodes may go when unused (weight-folding nodes, DequantizeLinear, …)
 * @param initializers - the rewrite's own initializer map, pruned in place
 * @param keep - initializer names kept even when unused
 * @returns the nodes kept, in order
 * @example
 * ```ts
 * const kept = pruneUnused(out, graph.outputs.map((o) => o.name), (n) => folded.has(n), initializers);
 * ```
 */
export function pruneUnused(nodes: Node[], outputs: readonly string[], removable: (n: Node) => boolean, initializers: Map<string, Tensor>, keep: ReadonlySet<string> = new Set()): Node[] {
  const reads = (list: Node[]): Set<string> => {
    const refs = new Set<string>(outputs);
    for (const n of list) {
      for (const i of n.inputs) refs.add(i);
      for (const [, g] of subgraphsOf(n)) for (const i of freeVariables(g)) refs.add(i);
    }
    return refs;
  };
  for (let changed = true; changed; ) {
    const refs = reads(nodes);
    const kept = nodes.filter((n) => !removable(n) || n.outputs.some((o) => refs.has(o)));
    changed = kept.length !== nodes.length;
    nodes = kept;
  }
  const refs = reads(nodes);
  for (const name of [...initializers.keys()]) if (!refs.has(name) && !keep.has(name)) initializers.delete(name);
  return nodes;
}
