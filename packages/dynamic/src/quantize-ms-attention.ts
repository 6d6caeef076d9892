// com.microsoft Attention as a quantizable layer: its packed QKV projection weight `[hidden, 3·hidden]` is quantized to
// int8 (per tensor or per output column) and the node becomes DynamicQuantizeLinear(input) → com.microsoft
// QAttention, as onnxruntime's own dynamic quantizer rewrites it — both ops that qint's executor and onnxruntime run.
import { Tensor, formatShape } from '@qint/tensor';
import type { Graph, Node } from '@qint/graph';
import { foldConstant } from './fold-constant';
import type { QuantizedNodeInfo, WeightRounding } from './quantize-dynamic-options';
import { quantizeWeight, type WeightQuantSettings } from './quantize-weight';

/** What {@link quantizeMsAttention} made of one node: replacement nodes, new initializers and the report line. */
export interface MsAttentionRewrite {
  nodes: Node[];
  initializers: [string, Tensor][];
  folded: Node[];
  info: QuantizedNodeInfo;
}

/** Whether a node is com.microsoft Attention. */
export const isMsAttention = (n: Node): boolean => n.domain === 'com.microsoft' && n.opType === 'Attention';

/**
 * Rewrites one com.microsoft Attention node to DynamicQuantizeLinear + QAttention with an int8 weight, or says why
 * it cannot (a string: the skip reason).
 *
 * @param graph - the float graph
 * @param node - the Attention node
 * @param label - the node's name for reports
 * @param base - a prefix for the names of new values
 * @param settings - the weight settings (8 bits, per tensor or per channel)
 * @param rounding - the node's rounding (GPTQ is not supported here)
 * @param producers - value → producing node
 * @param fresh - a unique namer
 * @returns the rewrite, or a skip reason
 */
export function quantizeMsAttention(
  graph: Graph, node: Node, label: string, base: string, settings: WeightQuantSettings, rounding: WeightRounding,
  producers: ReadonlyMap<string, Node>, fresh: (b: string) => string,
): MsAttentionRewrite | string {
  if (settings.bits !== 8) return `com.microsoft Attention becomes QAttention, whose weight is 8-bit; ${settings.bits} bits requested`;
  if (settings.granularity === 'per_block') return 'com.microsoft Attention (QAttention) has per-tensor or per-column weight scales, not per block';
  if (rounding === 'gptq') return "rounding 'gptq' is not supported for com.microsoft Attention";
  const at = node.attributes;
  for (const key of ['qkv_hidden_sizes', 'past_present_share_buffer', 'do_rotary']) {
    const a = at[key];
    if (key === 'qkv_hidden_sizes' && a?.type === 'ints' && new Set(a.value).size > 1) return 'unequal qkv_hidden_sizes have no QAttention form';
    if (key !== 'qkv_hidden_sizes' && a?.type === 'int' && a.value !== 0) return `attribute ${key} = ${a.value} has no QAttention form`;
  }
  if ((node.inputs[5] ?? '') !== '' || (node.inputs[6] ?? '') !== '') return 'attention_bias / past_sequence_length inputs have no QAttention form';
  const folded = foldConstant(graph, node.inputs[1] ?? '', producers);
  if (!folded) return 'weights are not a constant';
  const w = folded.tensor;
  if (w.dtype !== 'float32' || w.rank !== 2) return `weights must be a float32 [hidden, 3·hidden] matrix, got ${w.dtype} ${formatShape(w.shape)}`;
  const [k, n] = w.shape as [number, number];
  const wd = w.data as Float32Array;
  for (let i = 0; i < wd.length; i++) if (!Number.isFinite(wd[i])) return `weight element ${i} is ${wd[i]}; weights must be finite to be quantized`;
  const q = quantizeWeight(w.transpose().data as Float32Array, n, k, settings, label);
  // QAttention wants the weight as [K, N]; the quantizer works on [N, K].
  const values = new Int8Array(k * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < k; c++) values[c * n + r] = q.values[r * k + c];
  const perTensor = q.scales.length === 1;
  const inits: [string, Tensor][] = [];
  const put = (name: string, t: Tensor): string => {
    const v = fresh(`${base}_${name}`);
    inits.push([v, t]);
    return v;
  };
  const wName = put('W_q8', Tensor.from('int8', [k, n], values));
  const sName = put('W_scale', Tensor.from('float32', perTensor ? [] : [n], q.scales));
  const zName = q.zeroPoints ? put('W_zero_point', Tensor.from('int8', perTensor ? [] : [n], Array.from(q.zeroPoints))) : '';
  let biasName = node.inputs[2] ?? '';
  let biasBytes = 0;
  let bias: Tensor | undefined;
  if (biasName !== '') {
    const b = foldConstant(graph, biasName, producers);
    bias = b?.tensor;
    if (bias) biasBytes = bias.data.byteLength;
  } else {
    // QAttention requires a bias.
    biasName = put('bias', (bias = Tensor.from('float32', [n], new Float32Array(n))));
  }
  const v = (s: string): string => fresh(`${base}_${s}`);
  const [xq, xs, xz] = [v('input_q'), v('input_scale'), v('input_zp')];
  const dql: Node = { name: fresh(`${base}_DynamicQuantizeLinear`), opType: 'DynamicQuantizeLinear', domain: '', inputs: [node.inputs[0]], outputs: [xq, xs, xz], attributes: {} };
  const attributes: Record<string, Node['attributes'][string]> = {};
  for (const key of ['num_heads', 'unidirectional', 'mask_filter_value', 'scale']) if (at[key]) attributes[key] = at[key];
  const qa: Node = {
    name: fresh(`${base}_QAttention`),
    opType: 'QAttention',
    domain: 'com.microsoft',
    inputs: [xq, wName, biasName, xs, sName, node.inputs[3] ?? '', xz, zName, node.inputs[4] ?? ''],
    outputs: node.outputs.slice(),
    attributes,
  };
  const after = values.byteLength + q.scales.byteLength + (q.zeroPoints ? q.zeroPoints.length : 0) + biasBytes;
  return {
    nodes: [dql, qa],
    initializers: inits,
    folded: folded.folded,
    info: {
      node: label,
      opType: 'Attention',
      as: 'DynamicQuantizeLinear+QAttention',
      bits: 8,
      granularity: perTensor ? 'per_tensor' : 'per_channel',
      blockSize: 0,
      symmetric: settings.symmetric,
      perRow: false,
      rounding: 'nearest',
      weightBytesBefore: w.size * 4 + biasBytes,
      weightBytesAfter: after,
    },
  };
}
