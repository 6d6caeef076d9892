// Brings every pinned ai.onnx node up to the schema version its model's opset import selects, so that an exported
// .onnx file means what the qint model meant (a quantizer raising ai.onnx 9 → 11 must not turn Slice-1 into Slice-11).
import { inferShapes, nodeLabel, schemaSinceVersion, ONNX_SCHEMA_VERSIONS, type Attribute, type Graph, type Model, type Node, type ValueInfo } from '@qint/graph';
import type { DType, Tensor } from '@qint/tensor';
import { ONNX_STEP_ADAPTERS } from './onnx-step-adapters';
import { OpsetConversionError } from './opset-conversion-error';
import { STEP_ADAPTERS, type StepContext } from './step-adapters';

function allNames(graph: Graph, into: Set<string>): void {
  for (const v of graph.inputs) into.add(v.name);
  for (const k of graph.initializers.keys()) into.add(k);
  for (const n of graph.nodes) {
    for (const o of n.outputs) into.add(o);
    into.add(n.name);
    for (const a of Object.values(n.attributes)) if (a.type === 'graph') allNames(a.value, into);
  }
}

interface Shared {
  readonly opset: number;
  readonly taken: Set<string>;
  types: Map<string, ValueInfo> | undefined;
  readonly model: Model;
}

function fresh(shared: Shared, hint: string): string {
  let name = hint;
  for (let i = 1; shared.taken.has(name); i++) name = `${hint}_${i}`;
  shared.taken.add(name);
  return name;
}

function usedNames(graph: Graph): Set<string> {
  const used = new Set<string>(graph.outputs.map((o) => o.name));
  const visit = (g: Graph): void => {
    for (const n of g.nodes) {
      for (const i of n.inputs) used.add(i);
      for (const a of Object.values(n.attributes)) if (a.type === 'graph') visit(a.value);
    }
  };
  visit(graph);
  return used;
}

function convertGraph(graph: Graph, shared: Shared): Graph {
  let changed = false;
  const initializers = new Map<string, Tensor>(graph.initializers);
  const used = usedNames(graph);
  const nodes: Node[] = [];
  graph.nodes.forEach((original, index) => {
    let node = original;
    // Subgraphs first: their nodes are pinned like any other.
    let attributes: Record<string, Attribute> | undefined;
    for (const [key, a] of Object.entries(node.attributes)) {
      if (a.type !== 'graph') continue;
      const g = convertGraph(a.value, shared);
      if (g === a.value) continue;
      attributes ??= { ...node.attributes };
      attributes[key] = { type: 'graph', value: g };
    }
    if (attributes) {
      node = { ...node, attributes };
      changed = true;
    }
    const domain = node.domain === 'ai.onnx' ? '' : node.domain;
    if (domain !== '' || node.sinceVersion === undefined || !Object.prototype.hasOwnProperty.call(ONNX_SCHEMA_VERSIONS, node.opType)) {
      nodes.push(node);
      return;
    }
    const label = nodeLabel(original, index);
    let since = node.sinceVersion;
    let target = schemaSinceVersion('', node.opType, shared.opset);
    const fail = (reason: string, to: number): never => {
      throw new OpsetConversionError(`${label}: cannot convert ${node.opType}-${since} to opset ${shared.opset} (${node.opType}-${to}): ${reason}`, {
        node: original.name || `#${index}`,
        opType: original.opType,
        fromVersion: original.sinceVersion ?? since,
        toVersion: to,
      });
    };
    if (target === since) {
      nodes.push(node);
      return;
    }
    if (target === undefined || target < since) {
      fail(`the node is newer than the model's ai.onnx opset ${shared.opset}`, target ?? 0);
    }
    changed = true;
    const ctx = (to: number): StepContext => ({
      label,
      constant: (hint, tensor) => {
        const name = fresh(shared, hint);
        initializers.set(name, tensor);
        return name;
      },
      addNode: (n) => {
        nodes.push({ ...n, name: n.name === '' ? '' : fresh(shared, n.name) });
      },
      freshName: (hint) => fresh(shared, hint),
      dtypeOf: (name) => typeOf(shared, graph, name)?.dtype,
      rankOf: (name) => typeOf(shared, graph, name)?.shape?.length,
      isUsed: (name) => used.has(name),
      fail: (reason) => fail(reason, to),
    });
    for (;;) {
      const versions = ONNX_SCHEMA_VERSIONS[node.opType] ?? [];
      const next = versions.find((v) => v > since && v <= (target as number));
      if (next === undefined) break;
      const adapterName = ONNX_STEP_ADAPTERS[`${node.opType}-${next}`];
      const adapter = adapterName === undefined ? undefined : STEP_ADAPTERS[adapterName];
      if (adapter === undefined) {
        return fail(adapterName === undefined ? `ONNX defines no conversion from ${node.opType}-${since} to ${node.opType}-${next}` : `qint does not implement the conversion ${adapterName}`, next);
      }
      const result = adapter(node, ctx(next));
      if (result.opType !== node.opType) {
        if (result.sinceVersion === undefined) {
          node = result;
          nodes.push(node);
          return;
        }
        node = result;
        since = result.sinceVersion;
        target = schemaSinceVersion('', node.opType, shared.opset);
        if (target === undefined || target < since) fail(`${node.opType}-${since} is not in opset ${shared.opset}`, target ?? 0);
        continue;
      }
      node = { ...result, sinceVersion: next };
      since = next;
    }
    nodes.push(node);
  });
  return changed ? { ...graph, nodes, initializers } : graph;
}

function typeOf(shared: Shared, graph: Graph, name: string): { dtype?: DType; shape?: readonly unknown[] } | undefined {
  const init = graph.initializers.get(name);
  if (init) return { dtype: init.dtype, shape: init.shape };
  shared.types ??= inferShapes(shared.model, { maxFoldElements: 0 });
  return shared.types.get(name);
}

/**
 * Rewrites every node pinned to an older ai.onnx schema version ({@link Node.sinceVersion}) into the form of the
 * version the model's ai.onnx opset selects, as onnx's version converter does (Slice-1 → 10: attributes become inputs;
 * Pad-2 → 11, Clip-6 → 11, Upsample → Resize, axes attributes → inputs, TopK k, Dropout ratio, (Log)Softmax-1 → 13 …).
 * Constants the new forms need become initializers. Called by the ONNX encoder, so exported files keep each node's
 * meaning when a quantizer raised the opset.
 *
 * @param model - the model
 * @returns the model with every ai.onnx node at its opset's schema version (the same object when none needed it)
 * @throws {@link OpsetConversionError} for a node that cannot be converted (the message names it, its op, the versions
 *   and what is missing)
 * @example
 * ```ts
 * const converted = convertOpsets({ ...model, opsetImports: { '': 13 } }); // Slice-1 nodes now read starts/ends inputs
 * ```
 */
export function convertOpsets(model: Model): Model {
  const opset = model.opsetImports[''] ?? model.opsetImports['ai.onnx'];
  if (opset === undefined) return model;
  const taken = new Set<string>();
  allNames(model.graph, taken);
  const graph = convertGraph(model.graph, { opset, taken, types: undefined, model });
  return graph === model.graph ? model : { ...model, graph };
}
