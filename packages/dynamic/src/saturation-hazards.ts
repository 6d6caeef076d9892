import { MS_DOMAIN, type Graph, type Model, type Node } from '@qint/graph';
import type { Tensor } from '@qint/tensor';
import { foldConstant } from './fold-constant';
import { indexGraph } from './graph-index';

/**
 * The largest |w| of an int8 weight that cannot saturate onnxruntime's u8 × s8 kernels: they add two u8·s8 products
 * in int16 (`vpmaddubsw`) on x86 CPUs without AVX-512 VNNI / AVX-VNNI, and 2 · 255 · 64 = 32,640 ≤ 32,767.
 */
export const SATURATION_FREE_INT8 = 64;

/** One integer op that onnxruntime may compute wrong on x86 CPUs without VNNI. */
export interface SaturationHazard {
  /** The node's name (or its first output when unnamed). */
  node: string;
  /** `domain::opType` when not ai.onnx, else the op type. */
  opType: string;
  /** The int8 weight initializer (or constant) multiplied with uint8 activations. */
  weight: string;
  /** Its largest |value|; above {@link SATURATION_FREE_INT8} a pair of products can leave int16. */
  maxAbs: number;
}

/** Integer ops and the input index of the weight that multiplies a uint8 activation. */
const ONNX_WEIGHT_INPUT: Record<string, number> = { MatMulInteger: 1, ConvInteger: 1, QLinearConv: 3, QLinearMatMul: 3 };
const MS_WEIGHT_INPUTS: Record<string, number[]> = { DynamicQuantizeMatMul: [1], MatMulIntegerToFloat: [1], QAttention: [1], DynamicQuantizeLSTM: [1, 2], QGemm: [3] };
/** The activation operand of the ONNX ops above: when it is provably int8 the product is s8 × s8, which does not saturate. */
const ACTIVATION_INPUT: Record<string, number> = { MatMulInteger: 0, ConvInteger: 0, QLinearConv: 0, QLinearMatMul: 0 };

function maxAbs(t: Tensor): number {
  let m = 0;
  for (const v of t.values() as Iterable<number>) m = Math.max(m, Math.abs(v));
  return m;
}

/** Whether a value is provably int8: an int8 graph input or the output of a QuantizeLinear with an int8 zero point. */
function isInt8(graph: Graph, value: string, producers: Map<string, Node>): boolean {
  const input = graph.inputs.find((i) => i.name === value);
  if (input) return input.dtype === 'int8';
  const p = producers.get(value);
  if (p && p.opType === 'QuantizeLinear' && (p.domain === '' || p.domain === 'ai.onnx') && p.inputs[2]) {
    const zp = foldConstant(graph, p.inputs[2], producers);
    return zp?.tensor.dtype === 'int8';
  }
  return false;
}

/**
 * Lists the integer ops of an ONNX-form model that onnxruntime may compute **wrong** on x86 CPUs without AVX-512 VNNI
 * or AVX-VNNI: a uint8 activation times an int8 constant weight whose |values| exceed {@link SATURATION_FREE_INT8}
 * (MatMulInteger, ConvInteger, QLinearConv, QLinearMatMul, the QDQ form of those, and com.microsoft
 * DynamicQuantizeMatMul, MatMulIntegerToFloat, QAttention, DynamicQuantizeLSTM, QGemm). Those kernels multiply with
 * `vpmaddubsw`, which saturates the sum of two products to int16. uint8 × uint8 and int8 × int8 products are exact
 * there; so are int8 weights within ±64 (PyTorch's and onnxruntime's `reduce_range`). Ops whose weight is not a
 * constant are not judged. qint's own kernels are exact on every CPU: this is about the exported file only.
 *
 * @param model - a model in ONNX form (e.g. from `toOnnxModel` or `quantizeStatic`, or an imported quantized model)
 * @returns the hazards, in graph order (empty when onnxruntime computes the model exactly on every CPU)
 * @example
 * ```ts
 * const hazards = saturationHazards(toOnnxModel(q, { matMulWeightType: 'int8' }));
 * if (hazards.length) console.warn(`${hazards.length} ops saturate in onnxruntime on non-VNNI x86`);
 * ```
 */
export function saturationHazards(model: Model): SaturationHazard[] {
  const graph = model.graph;
  const { producers } = indexGraph(graph);
  const hazards: SaturationHazard[] = [];
  const check = (node: Node, opType: string, weight: string | undefined): void => {
    if (!weight) return;
    const folded = foldConstant(graph, weight, producers);
    if (!folded || folded.tensor.dtype !== 'int8') return;
    const m = maxAbs(folded.tensor);
    if (m > SATURATION_FREE_INT8) hazards.push({ node: node.name || node.outputs[0], opType, weight, maxAbs: m });
  };
  for (const node of graph.nodes) {
    const onnx = node.domain === '' || node.domain === 'ai.onnx';
    if (onnx && ONNX_WEIGHT_INPUT[node.opType] !== undefined) {
      if (isInt8(graph, node.inputs[ACTIVATION_INPUT[node.opType]], producers)) continue;
      check(node, node.opType, node.inputs[ONNX_WEIGHT_INPUT[node.opType]]);
    } else if (node.domain === MS_DOMAIN && MS_WEIGHT_INPUTS[node.opType]) {
      for (const i of MS_WEIGHT_INPUTS[node.opType]) check(node, `${MS_DOMAIN}::${node.opType}`, node.inputs[i]);
    } else if (onnx && (node.opType === 'MatMul' || node.opType === 'Gemm' || node.opType === 'Conv')) {
      // QDQ: onnxruntime fuses DequantizeLinear(uint8 x) · DequantizeLinear(int8 W) into its integer kernels.
      const [x, w] = node.inputs.map((v) => producers.get(v));
      const isDq = (n: Node | undefined): n is Node => !!n && n.opType === 'DequantizeLinear' && (n.domain === '' || n.domain === 'ai.onnx');
      if (!isDq(x) || !isDq(w)) continue;
      const xq = foldConstant(graph, x.inputs[0], producers);
      if (xq?.tensor.dtype === 'int8' || isInt8(graph, x.inputs[0], producers)) continue;
      check(node, `${node.opType} (QDQ)`, w.inputs[0]);
    }
  }
  return hazards;
}
