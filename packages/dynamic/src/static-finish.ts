import type { Graph, Model, Node } from '@qint/graph';
import type { Tensor } from '@qint/tensor';
import type { QuantizeReport, QuantizedNodeInfo, SkippedNodeInfo } from './quantize-dynamic-options';
import { pruneUnused } from './graph-index';
import { QuantizeError } from './quantize-error';

/** What a static rewrite produced, before clean-up. */
export interface StaticRewrite {
  nodes: Node[];
  initializers: Map<string, Tensor>;
  quantized: QuantizedNodeInfo[];
  skipped: SkippedNodeInfo[];
  warnings: string[];
}

const FOLDING = new Set(['Reshape', 'Transpose', 'Identity', 'Squeeze', 'Unsqueeze', 'Flatten', 'Constant']);

/**
 * Finishes a static rewrite: fails when nothing was quantized, drops nodes whose outputs nothing uses (weight-folding
 * nodes, float weights, DequantizeLinear of an output that feeds only quantized layers), unused initializers, and
 * raises the ai.onnx opset to what the new ops need.
 *
 * @param model - the float model the rewrite started from
 * @param rw - the rewrite
 * @param minOpset - opset the emitted ops need
 * @param why - what needs that opset (for the warning)
 * @returns the quantized model and its report
 * @throws {@link QuantizeError} when nothing was quantized
 * @example
 * ```ts
 * return finishStatic(model, { nodes, initializers, quantized, skipped, warnings: [] }, 13, 'per-axis DequantizeLinear');
 * ```
 */
export function finishStatic(model: Model, rw: StaticRewrite, minOpset: number, why: string): { model: Model; report: QuantizeReport } {
  const graph = model.graph;
  const { quantized, skipped, initializers } = rw;
  if (quantized.length === 0) throw new QuantizeError(`quantizeStatic: nothing to quantize${skipped.length ? ` — ${skipped.map((s) => `${s.opType} "${s.node}": ${s.reason}`).join('; ')}` : ''}`);
  const removable = (nd: Node): boolean => FOLDING.has(nd.opType) || (nd.opType === 'DequantizeLinear' && nd.domain === '');
  const nodes = pruneUnused(rw.nodes, graph.outputs.map((o) => o.name), removable, initializers);
  const inputs = graph.inputs.filter((v) => !graph.initializers.has(v.name) || initializers.has(v.name));
  const g: Graph = { ...graph, nodes, inputs, initializers };
  const opset = Math.max(model.opsetImports[''] ?? 1, minOpset);
  let before = 0;
  for (const t of graph.initializers.values()) before += t.data.byteLength;
  let after = 0;
  for (const t of initializers.values()) after += t.data.byteLength;
  const warnings = [...rw.warnings];
  if (opset !== model.opsetImports['']) warnings.push(`the ai.onnx opset was raised to ${minOpset} for ${why}`);
  return {
    model: { ...model, opsetImports: { ...model.opsetImports, '': opset }, graph: g },
    report: { quantized, skipped, warnings, weightBytesBefore: before, weightBytesAfter: after },
  };
}
