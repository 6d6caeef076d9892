// Per-node operator versions: resolve each node's schema version once, at import, so that later changes to the
// model's opset imports (a quantizer raising ai.onnx to 11 for DynamicQuantizeLinear) never change an existing node.
import { DEFAULT_OPSETS, type Attribute, type Graph, type Model, type Node } from './ir';
import { ONNX_SCHEMA_VERSIONS } from './onnx-schema-versions';

function normalize(domain: string): string {
  return domain === 'ai.onnx' ? '' : domain;
}

/**
 * The since-version of the ai.onnx schema of `opType` that applies at opset `opset` (the largest schema version ≤
 * `opset`). For other domains, and for ai.onnx ops this table does not know, `opset` itself.
 *
 * @param domain - the node's domain (`''` or `'ai.onnx'` for ONNX)
 * @param opType - the operator
 * @param opset - the model's opset version for `domain`
 * @returns the schema version, or undefined when the op did not exist yet at `opset`
 * @example
 * ```ts
 * schemaSinceVersion('', 'Slice', 9); // 1
 * schemaSinceVersion('', 'Slice', 12); // 11
 * ```
 */
export function schemaSinceVersion(domain: string, opType: string, opset: number): number | undefined {
  if (normalize(domain) !== '') return opset;
  const versions = Object.prototype.hasOwnProperty.call(ONNX_SCHEMA_VERSIONS, opType) ? ONNX_SCHEMA_VERSIONS[opType] : undefined;
  if (versions === undefined) return opset;
  let since: number | undefined;
  for (const v of versions) if (v <= opset) since = v;
  return since;
}

/**
 * The opset version a node is run under: its pinned {@link Node.sinceVersion}, else the model's version for its domain.
 *
 * @param node - the node
 * @param opsets - the model's opset imports (domains normalized: `''` for ai.onnx)
 * @returns the version to resolve the node's implementation with
 */
export function nodeOpset(node: Node, opsets: Readonly<Record<string, number>>): number {
  if (node.sinceVersion !== undefined) return node.sinceVersion;
  const domain = normalize(node.domain);
  return opsets[domain] ?? (domain === '' ? DEFAULT_OPSETS[''] : 1);
}

function pinGraph(graph: Graph, opsets: Readonly<Record<string, number>>): Graph {
  let changed = false;
  const nodes = graph.nodes.map((node) => {
    let attributes = node.attributes;
    for (const [key, a] of Object.entries(node.attributes)) {
      if (a.type !== 'graph') continue;
      const g = pinGraph(a.value, opsets);
      if (g === a.value) continue;
      if (attributes === node.attributes) attributes = Object.assign(Object.create(null) as Record<string, Attribute>, node.attributes);
      (attributes as Record<string, Attribute>)[key] = { type: 'graph', value: g };
    }
    if (node.sinceVersion !== undefined && attributes === node.attributes) return node;
    changed = true;
    const domain = normalize(node.domain);
    const opset = opsets[domain] ?? (domain === '' ? DEFAULT_OPSETS[''] : 1);
    // An op newer than the model's opset has no schema there; leave it unpinned so the session reports it as unsupported.
    const since = node.sinceVersion ?? schemaSinceVersion(domain, node.opType, opset);
    return since === undefined ? { ...node, attributes } : { ...node, attributes, sinceVersion: since };
  });
  return changed ? { ...graph, nodes } : graph;
}

/**
 * Pins every node without a {@link Node.sinceVersion} (subgraphs included) to the schema version that applies under
 * the model's opset imports. Nodes already pinned keep their version. Done by the ONNX and `.qint` readers.
 *
 * @param model - the model
 * @returns the model with every node pinned (the same object when nothing changed)
 * @example
 * ```ts
 * const pinned = pinOpVersions(model); // a Slice at opset 9 gets sinceVersion 1
 * ```
 */
export function pinOpVersions(model: Model): Model {
  const opsets: Record<string, number> = {};
  for (const [k, v] of Object.entries(model.opsetImports)) opsets[normalize(k)] = v;
  const graph = pinGraph(model.graph, opsets);
  return graph === model.graph ? model : { ...model, graph };
}
