// What the load-time fusions (fuse-conv-bias-activation.ts, fuse-transformer-patterns.ts) share: matching an ONNX op,
// who reads each value, which values are constants, and the rewritten node list.
import type { Tensor } from '@qint/tensor';
import type { Graph, Node } from './ir';
import { freeVariables, subgraphsOf } from './subgraph-scope';

/** Whether `n` is the ONNX op `opType` (domain `''` or its alias `'ai.onnx'`, as the session accepts both). */
export const isOnnx = (n: Node | undefined, opType: string): n is Node =>
  n !== undefined && n.opType === opType && (n.domain === '' || n.domain === 'ai.onnx');

/**
 * The nodes reading each value, in graph order (a node that reads a value twice is listed twice). A node holding
 * subgraphs (If, Loop, Scan) reads every outer value its subgraphs read, so no fusion removes one of those.
 */
export function consumersOf(nodes: readonly Node[]): Map<string, Node[]> {
  const consumers = new Map<string, Node[]>();
  const add = (input: string, node: Node): void => {
    if (!input) return;
    const users = consumers.get(input);
    if (users) users.push(node);
    else consumers.set(input, [node]);
  };
  for (const node of nodes) {
    for (const input of node.inputs) add(input, node);
    for (const [, g] of subgraphsOf(node)) for (const input of freeVariables(g)) add(input, node);
  }
  return consumers;
}

/** The constants of `graph`: initializers that are not also graph inputs (a feed could override those). */
export function graphConstants(graph: Graph): (name: string) => Tensor | undefined {
  const inputs = new Set(graph.inputs.map((i) => i.name));
  return (name) => (name && !inputs.has(name) ? graph.initializers.get(name) : undefined);
}

/** `graph` with the `removed` nodes dropped and each key of `replaced` swapped for its value, order kept. */
export function rewriteNodes(graph: Graph, removed: ReadonlySet<Node>, replaced: ReadonlyMap<Node, Node>): Graph {
  return { ...graph, nodes: graph.nodes.filter((n) => !removed.has(n)).map((n) => replaced.get(n) ?? n) };
}
