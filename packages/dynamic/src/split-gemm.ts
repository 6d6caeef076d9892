import type { Graph, Model, Node } from '@qint/graph';
import { Tensor } from '@qint/tensor';
import { foldConstant } from './fold-constant';
import { indexGraph } from './graph-index';
import { isOnnx, numAttr } from './node-utils';
import { graphNamer } from './unique-namer';

/** A Gemm rewritten by {@link splitGemm}: the MatMul that replaced it and the original node. */
export interface SplitGemmResult {
  /** The rewritten model (the input is not modified). */
  model: Model;
  /** Each new MatMul node → the Gemm it came from (for names in reports and `exclude`). */
  origin: Map<Node, Node>;
}

/**
 * Rewrites each `Gemm(x, B, C)` with a constant float32 B and `transA = 0` into `MatMul(x, alpha·B[ᵀ]) → Add(·, beta·C)`,
 * so that static quantization in QOperator form sees (and calibration observes) the product x·W apart from the bias:
 * ONNX's QLinearMatMul has no bias input, and its output range is that of the product alone. The MatMul output is
 * named `<Gemm output>_MatMul` (made unique), the same on every call, so {@link calibrate} and {@link quantizeStatic}
 * agree on it. Gemms named (or typed) in `skip` are kept.
 *
 * @param model - a float model
 * @param skip - node names or op types left alone
 * @returns the rewritten model and the origin of each new MatMul
 * @example
 * ```ts
 * const { model: m } = splitGemm(model); // Gemm(x, W[N,K], b, transB=1) → MatMul(x, Wᵀ) → Add(b)
 * ```
 */
export function splitGemm(model: Model, skip: ReadonlySet<string> = new Set()): SplitGemmResult {
  const graph = model.graph;
  const origin = new Map<Node, Node>();
  if (!graph.nodes.some((n) => n.opType === 'Gemm')) return { model, origin };
  const { producers } = indexGraph(graph);
  const initializers = new Map(graph.initializers);
  const fresh = graphNamer(graph);
  const nodes: Node[] = [];
  for (const node of graph.nodes) {
    if (!isOnnx(node) || node.opType !== 'Gemm' || skip.has(node.name) || skip.has('Gemm') || numAttr(node, 'transA', 0) !== 0) {
      nodes.push(node);
      continue;
    }
    const folded = foldConstant(graph, node.inputs[1], producers);
    if (!folded || folded.tensor.dtype !== 'float32' || folded.tensor.rank !== 2) {
      nodes.push(node);
      continue;
    }
    const alpha = numAttr(node, 'alpha', 1);
    const beta = numAttr(node, 'beta', 1);
    const c = node.inputs[2] ? foldConstant(graph, node.inputs[2], producers) : undefined;
    if (node.inputs[2] && (!c || c.tensor.dtype !== 'float32')) {
      nodes.push(node);
      continue;
    }
    let w = numAttr(node, 'transB', 0) === 1 ? folded.tensor.transpose() : folded.tensor;
    if (alpha !== 1) w = Tensor.from('float32', w.shape, Float32Array.from(w.data as Float32Array, (v) => Math.fround(v * alpha)));
    const base = node.name || node.outputs[0];
    const wName = fresh(`${base}_W`);
    initializers.set(wName, w);
    const y = node.outputs[0];
    const mm: Node = { name: fresh(`${base}_MatMul`), opType: 'MatMul', domain: '', inputs: [node.inputs[0], wName], outputs: [c ? fresh(`${y}_MatMul`) : y], attributes: {} };
    origin.set(mm, node);
    nodes.push(mm);
    if (c) {
      const cName = fresh(`${base}_C`);
      const ct = beta === 1 ? c.tensor : Tensor.from('float32', c.tensor.shape, Float32Array.from(c.tensor.data as Float32Array, (v) => Math.fround(v * beta)));
      initializers.set(cName, ct);
      nodes.push({ name: fresh(`${base}_Add`), opType: 'Add', domain: '', inputs: [mm.outputs[0], cName], outputs: [y], attributes: {} });
    }
  }
  const g: Graph = { ...graph, nodes, initializers };
  return { model: { ...model, graph: g }, origin };
}
