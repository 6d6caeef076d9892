import type { Graph, Node } from '@qint/graph';
import type { Tensor } from '@qint/tensor';
import { foldConstant } from './fold-constant';
import { indexGraph } from './graph-index';
import { isOnnx } from './node-utils';

/** One layer static quantization can rewrite to QLinearConv / QLinearMatMul, with what is fused into it. */
export interface StaticLayer {
  /** The Conv or MatMul node. */
  node: Node;
  /** Its float activation input. */
  x: string;
  /** The float tensor the quantized layer produces: its output, or that of the fused bias Add / Relu. */
  y: string;
  /** The constant float32 weight (Conv `[M, C/g, …]`, MatMul `[K, N]`). */
  weight: Tensor;
  /** Per-output-channel float bias (Conv's B, or a following Add of a per-channel constant), if any. */
  bias?: Float32Array;
  /** Nodes folded into the layer (the bias Add, the Relu). */
  fused: Node[];
}

/**
 * Finds the layers of a (Gemm-split, see {@link splitGemm}) float graph that static QOperator quantization rewrites:
 * each Conv and each MatMul whose weight is a constant float32 (MatMul: rank 2). A Conv's sole consumer that adds a
 * per-channel constant (`[M,1,1]`, `[1,M,1,1]`, …, as mnist-8's Conv → Add) becomes its bias, and a sole Relu after
 * that is fused too: QLinearConv's uint8 output with the Relu's range (min 0, zero point 0) clamps at 0 exactly as
 * Relu does, as onnxruntime's quantizer fuses it. {@link calibrate} observes `x` and `y` of every layer.
 *
 * @param graph - the graph
 * @param opTypes - op types considered (`'Conv'`, `'MatMul'`; Gemms were already split into MatMul)
 * @returns the layers in graph order
 * @example
 * ```ts
 * staticLayers(model.graph, new Set(['Conv', 'MatMul'])).map((l) => [l.x, l.y]);
 * ```
 */
export function staticLayers(graph: Graph, opTypes: ReadonlySet<string>): StaticLayer[] {
  const { producers, consumers } = indexGraph(graph);
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  const inputNames = new Set(graph.inputs.map((v) => v.name));
  const soleConsumer = (value: string): Node | undefined => {
    const list = consumers.get(value);
    return !graphOutputs.has(value) && list && list.length === 1 ? list[0] : undefined;
  };
  const constant = (name: string): Tensor | undefined => {
    const t = !inputNames.has(name) || graph.initializers.has(name) ? foldConstant(graph, name, producers)?.tensor : undefined;
    return t && t.dtype === 'float32' ? t : undefined;
  };
  const layers: StaticLayer[] = [];
  for (const node of graph.nodes) {
    if (!isOnnx(node) || !opTypes.has(node.opType) || (node.opType !== 'Conv' && node.opType !== 'MatMul')) continue;
    const x = node.inputs[0];
    if (!x || graph.initializers.has(x) || !node.inputs[1]) continue;
    const weight = constant(node.inputs[1]);
    if (!weight) continue;
    if (node.opType === 'MatMul' && weight.rank !== 2) continue;
    if (node.opType === 'Conv' && weight.rank < 3) continue;
    const layer: StaticLayer = { node, x, y: node.outputs[0], weight, fused: [] };
    if (node.opType === 'Conv') {
      const m = weight.shape[0];
      if (node.inputs[2]) {
        const b = constant(node.inputs[2]);
        if (!b || b.size !== m) continue;
        layer.bias = b.data as Float32Array;
      } else {
        const add = soleConsumer(layer.y);
        const other = add && isOnnx(add) && add.opType === 'Add' && add.inputs.length === 2 ? add.inputs[add.inputs[0] === layer.y ? 1 : 0] : undefined;
        const c = other !== undefined && other !== layer.y ? constant(other) : undefined;
        // Right-aligned against the output [N, M, spatial…]: M at axis 1, every other dim 1.
        const rank = weight.rank;
        if (c && c.size === m && c.rank <= rank && c.rank >= rank - 1 && c.shape[c.rank - (rank - 1)] === m) {
          layer.bias = c.data as Float32Array;
          layer.fused.push(add!);
          layer.y = add!.outputs[0];
        }
      }
      const relu = soleConsumer(layer.y);
      if (relu && isOnnx(relu) && relu.opType === 'Relu') {
        layer.fused.push(relu);
        layer.y = relu.outputs[0];
      }
    }
    layers.push(layer);
  }
  return layers;
}
