// toOnnxModel inside If branches and Loop/Scan bodies: each subgraph's ai.qint layers become standard ONNX (or
// com.microsoft) nodes in that subgraph, deepest first, then the main graph's. The model's opsets are the union.
import { localNames, subgraphsOf, type Attribute, type Graph, type Model, type Node } from '@qint/graph';

/** One graph's conversion, as toOnnxModel does it for the main graph. */
export type GraphConverter<O> = (model: Model, options: O) => Model;

function mergeOpsets(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(from)) into[k] = Math.max(into[k] ?? 0, v);
}

function convertBodies<O>(model: Model, graph: Graph, outerNames: ReadonlySet<string>, options: O, convert: GraphConverter<O>, opsets: Record<string, number>): Graph {
  const scope = new Set([...outerNames, ...localNames(graph)]);
  let changed = false;
  const nodes = graph.nodes.map((node): Node => {
    const subs = subgraphsOf(node);
    if (subs.length === 0) return node;
    const attributes: Record<string, Attribute> = Object.create(null) as Record<string, Attribute>;
    Object.assign(attributes, node.attributes);
    for (const [attr, body] of subs) {
      const inner = convertBodies(model, body, scope, options, convert, opsets);
      // The outer names ride along as inputs, so that the names the converter makes never shadow one.
      const local = localNames(inner);
      const extra = [...scope].filter((n) => !local.has(n)).map((name) => ({ name }));
      const converted = convert({ ...model, graph: { ...inner, inputs: [...inner.inputs, ...extra] } }, options);
      mergeOpsets(opsets, converted.opsetImports);
      attributes[attr] = { type: 'graph', value: { ...converted.graph, inputs: converted.graph.inputs.slice(0, body.inputs.length) } };
    }
    changed = true;
    return { ...node, attributes };
  });
  return changed ? { ...graph, nodes } : graph;
}

/**
 * Converts a model's main graph and all its subgraphs with `convert` (toOnnxModel's single-graph pass).
 *
 * @param model - a qint model, possibly with If/Loop/Scan subgraphs holding ai.qint layers
 * @param options - the converter's options
 * @param convert - converts one graph
 * @returns the converted model
 * @throws the converter's errors
 */
export function toOnnxWithSubgraphs<O>(model: Model, options: O, convert: GraphConverter<O>): Model {
  if (!model?.graph?.nodes?.some((n) => subgraphsOf(n).length > 0)) return convert(model, options);
  const opsets: Record<string, number> = {};
  const graph = convertBodies(model, model.graph, new Set(), options, convert, opsets);
  const main = convert({ ...model, graph }, options);
  const merged = { ...main.opsetImports };
  mergeOpsets(merged, opsets);
  return { ...main, opsetImports: merged };
}
