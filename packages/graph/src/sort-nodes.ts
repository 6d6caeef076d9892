// Topological sort of a graph's nodes. ONNX requires producers before consumers, but onnxruntime sorts and real
// exporters (and hand-edited files) get it wrong; qint sorts at import, keeping the given order wherever it is valid.
import { GraphError } from './graph-error';
import type { Graph, Node } from './ir';
import { nodeLabel } from './node-label';


/** Every value name a node reads: its inputs and, for control-flow nodes, what its subgraphs read from outside. */
function readsOf(node: Node): string[] {
  const names = node.inputs.filter((n) => n !== '');
  for (const a of Object.values(node.attributes)) if (a.type === 'graph') names.push(...outerReads(a.value));
  return names;
}

/** The names a subgraph reads that none of its own inputs, initializers or nodes define. */
function outerReads(graph: Graph): string[] {
  const local = new Set<string>([...graph.inputs.map((v) => v.name), ...graph.initializers.keys()]);
  const out: string[] = [];
  for (const node of graph.nodes) {
    for (const n of readsOf(node)) if (!local.has(n)) out.push(n);
    for (const o of node.outputs) if (o !== '') local.add(o);
  }
  for (const o of graph.outputs) if (!local.has(o.name)) out.push(o.name);
  return out;
}

/** A binary min-heap of node indices: Kahn's algorithm always takes the earliest ready node, so sorting is stable. */
class IndexHeap {
  private readonly items: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(v: number): void {
    const a = this.items;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p] <= a[i]) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): number {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l] < a[m]) m = l;
        if (r < a.length && a[r] < a[m]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}

/**
 * Orders a graph's nodes so that every value is produced before it is read (subgraph reads of outer values count),
 * keeping the given order where it is already valid: among the nodes that are ready, the earliest one comes first,
 * so a sorted graph is returned unchanged. Subgraphs are sorted too.
 *
 * @param graph - the graph
 * @returns the sorted graph (the same object when the order was already valid everywhere)
 * @throws {@link GraphError} when the nodes form a cycle (the message names the nodes on it)
 * @example
 * ```ts
 * const sorted = sortNodes(graph); // a graph whose Relu came before the MatMul producing its input
 * ```
 */
export function sortNodes(graph: Graph): Graph {
  let subChanged = false;
  const withSorted = graph.nodes.map((node) => {
    let attributes = node.attributes;
    for (const [key, a] of Object.entries(node.attributes)) {
      if (a.type !== 'graph') continue;
      const g = sortNodes(a.value);
      if (g === a.value) continue;
      if (attributes === node.attributes) attributes = { ...node.attributes };
      (attributes as Record<string, typeof a>)[key] = { type: 'graph', value: g };
    }
    if (attributes === node.attributes) return node;
    subChanged = true;
    return { ...node, attributes };
  });
  const nodes = withSorted;
  const producer = new Map<string, number>();
  nodes.forEach((node, i) => {
    for (const o of node.outputs) if (o !== '' && !producer.has(o)) producer.set(o, i);
  });
  const deps = nodes.map((node, i) => {
    const d = new Set<number>();
    for (const n of readsOf(node)) {
      const p = producer.get(n);
      if (p !== undefined && p !== i) d.add(p);
    }
    return d;
  });
  if (deps.every((d, i) => [...d].every((p) => p < i))) return subChanged ? { ...graph, nodes } : graph;

  const consumers: number[][] = nodes.map(() => []);
  const pending = Int32Array.from(deps, (d) => d.size);
  deps.forEach((d, i) => {
    for (const p of d) consumers[p].push(i);
  });
  const ready = new IndexHeap();
  pending.forEach((n, i) => {
    if (n === 0) ready.push(i);
  });
  const order: number[] = [];
  while (ready.size > 0) {
    const i = ready.pop();
    order.push(i);
    for (const c of consumers[i]) if (--pending[c] === 0) ready.push(c);
  }
  if (order.length < nodes.length) throw new GraphError(cycleMessage(nodes, deps, pending), { node: nodes[pending.findIndex((n) => n > 0)].name });
  return { ...graph, nodes: order.map((i) => nodes[i]) };
}

/** Walks back from a node left unsorted until a node repeats: that loop is a cycle. */
function cycleMessage(nodes: readonly Node[], deps: readonly Set<number>[], pending: Int32Array): string {
  let at = pending.findIndex((n) => n > 0);
  const seen = new Map<number, number>();
  const path: number[] = [];
  while (!seen.has(at)) {
    seen.set(at, path.length);
    path.push(at);
    at = [...deps[at]].find((p) => pending[p] > 0)!;
  }
  const cycle = path.slice(seen.get(at)!).reverse();
  cycle.push(cycle[0]);
  const stuck = pending.reduce((s, n) => s + (n > 0 ? 1 : 0), 0);
  return `nodes form a cycle (each reads the output of the one before): ${cycle.map((i) => nodeLabel(nodes[i], i)).join(' → ')}; ${stuck} node(s) cannot be ordered`;
}
