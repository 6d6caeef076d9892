import type { Graph, Node } from '@qint/graph';

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
    for (const i of n.inputs) {
      if (i === '') continue;
      const list = consumers.get(i);
      if (list) list.push(n);
      else consumers.set(i, [n]);
    }
  }
  return { producers, consumers };
}
