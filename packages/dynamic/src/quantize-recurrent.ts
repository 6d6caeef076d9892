// LSTM / GRU / RNN → ai.qint DynamicLSTM / DynamicGRU / DynamicRNN: W and R of every direction quantized as linear
// weights (output-major [G·H, K] per direction, the layout ONNX already uses), activations quantized per step at run time.
import { QINT_DOMAIN, pack3Bit, type Graph, type Node } from '@qint/graph';
import { Tensor, formatShape } from '@qint/tensor';
import { foldConstant, type FoldedConstant } from './fold-constant';
import { intAttr as int } from './node-utils';
import { QuantizeError } from './quantize-error';
import type { QuantizedNodeInfo } from './quantize-dynamic-options';
import { quantizeWeight, type QuantizedWeight, type WeightQuantSettings } from './quantize-weight';

const GATES: Record<string, number> = { LSTM: 4, GRU: 3, RNN: 1 };

/** Whether the quantizer treats an op type as a recurrent layer. */
export const isRecurrentOp = (opType: string): boolean => opType in GATES;

/** What quantizing one recurrent node produced. */
export interface QuantizedRecurrent {
  node: Node;
  initializers: Map<string, Tensor>;
  info: QuantizedNodeInfo;
  folded: Node[];
  warnings: string[];
}

/** `[dirs, n, k]` float → the per-direction quantized weights (values `[dirs, n, k]`, scales `[dirs, groups]`). */
function quantizeDirections(w: Float32Array, dirs: number, n: number, k: number, settings: WeightQuantSettings, label: string): QuantizedWeight[] {
  return Array.from({ length: dirs }, (_, d) => quantizeWeight(w.subarray(d * n * k, (d + 1) * n * k), n, k, settings, label));
}

/** One field of every direction's quantized weight, concatenated (direction-major). */
function stacked(qs: QuantizedWeight[], what: 'values' | 'scales' | 'zeroPoints'): number[] {
  const out: number[] = [];
  for (const q of qs) {
    const v = what === 'values' ? q.values : what === 'scales' ? q.scales : q.zeroPoints;
    if (v) for (let i = 0; i < v.length; i++) out.push(v[i]);
  }
  return out;
}

function weightStorage(qs: QuantizedWeight[], shape: number[]): Tensor {
  const values = stacked(qs, 'values');
  const bits = qs[0].bits;
  if (bits === 8) return Tensor.from('int8', shape, Int8Array.from(values));
  if (bits === 4) return Tensor.from('int4', shape, values);
  if (bits === 2) return Tensor.from('int2', shape, values);
  const bytes = pack3Bit(values);
  return Tensor.from('uint8', [bytes.length], bytes);
}

function finite(t: Tensor, what: string, label: string): void {
  const d = t.data as Float32Array;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i])) throw new QuantizeError(`node "${label}": weight "${what}" ${formatShape(t.shape)} element ${i} is ${d[i]}; weights must be finite to be quantized`, { node: label });
  }
}

/**
 * Quantizes one ONNX LSTM / GRU / RNN node whose W and R are constants into `ai.qint::Dynamic<Op>`: W
 * `[dirs, G·H, input]` and R `[dirs, G·H, H]` per direction with the node's settings (8/4/3/2 bits, per tensor of each
 * direction, per channel or per block); B, P and every attribute carried over.
 *
 * @param graph - the graph (for folding W and R)
 * @param node - the recurrent node
 * @param label - its name for messages
 * @param settings - weight settings (bits, granularity, ...)
 * @param producers - value → producing node
 * @param fresh - a unique-name generator
 * @returns the replacement, or a reason to skip it
 * @throws {@link QuantizeError} when a weight holds NaN or Inf
 */
export function quantizeRecurrent(
  graph: Graph,
  node: Node,
  label: string,
  settings: WeightQuantSettings,
  producers: ReadonlyMap<string, Node>,
  fresh: (base: string) => string,
): QuantizedRecurrent | string {
  const G = GATES[node.opType];
  const wf: FoldedConstant | undefined = foldConstant(graph, node.inputs[1] ?? '', producers);
  const rf: FoldedConstant | undefined = foldConstant(graph, node.inputs[2] ?? '', producers);
  if (!wf || !rf) return 'weights W and R are not both constants';
  const w = wf.tensor;
  const r = rf.tensor;
  if (w.dtype !== 'float32' || r.dtype !== 'float32') return `weights are ${w.dtype}/${r.dtype}, not float32`;
  if (w.rank !== 3 || r.rank !== 3 || r.shape[1] !== G * r.shape[2] || w.shape[1] !== r.shape[1] || w.shape[0] !== r.shape[0]) {
    return `W ${formatShape(w.shape)} and R ${formatShape(r.shape)} are not [dirs, ${G}·H, input] and [dirs, ${G}·H, H]`;
  }
  finite(w, node.inputs[1], label);
  finite(r, node.inputs[2], label);
  const [dirs, n, inputSize] = w.shape as [number, number, number];
  const hidden = r.shape[2];
  const warnings: string[] = [];
  const s = { ...settings };
  if (s.granularity === 'per_block' && (s.blockSize >= inputSize || s.blockSize >= hidden)) {
    warnings.push(`node "${label}": block size ${s.blockSize} ≥ K (input ${inputSize}, hidden ${hidden}); quantized per channel instead`);
    s.granularity = 'per_channel';
  }
  const wq = quantizeDirections(w.data as Float32Array, dirs, n, inputSize, s, label);
  const rq = quantizeDirections(r.data as Float32Array, dirs, n, hidden, s, label);
  const blockSize = wq[0].blockSize;
  const scaleShape = (k: number): number[] => (s.granularity === 'per_tensor' ? [dirs] : blockSize > 0 ? [dirs, n, Math.ceil(k / blockSize)] : [dirs, n]);
  const base = node.name || node.outputs.find((o) => o !== '') || node.opType;
  const initializers = new Map<string, Tensor>();
  const names: string[] = [];
  let after = 0;
  for (const [what, qs, k] of [['W', wq, inputSize], ['R', rq, hidden]] as const) {
    const storage = weightStorage(qs, [dirs, n, k]);
    const scales = Tensor.from('float32', scaleShape(k), stacked(qs, 'scales'));
    const zpValues = qs[0].zeroPoints ? stacked(qs, 'zeroPoints') : undefined;
    const zp = zpValues ? Tensor.from(qs[0].bits === 4 ? 'int4' : qs[0].bits === 2 ? 'int2' : 'int8', scaleShape(k), zpValues) : undefined;
    const wName = fresh(`${base}_${what}_q${qs[0].bits}`);
    const sName = fresh(`${base}_${what}_scale`);
    initializers.set(wName, storage);
    initializers.set(sName, scales);
    let zName = '';
    if (zp) initializers.set((zName = fresh(`${base}_${what}_zero_point`)), zp);
    names.push(wName, sName, zName);
    after += storage.data.byteLength + scales.data.byteLength + (zp ? zp.data.byteLength : 0);
  }
  const [wName, wsName, wzName, rName, rsName, rzName] = names;
  const slots = node.opType === 'LSTM' ? 8 : 6;
  const inputs = [node.inputs[0], wName, rName, ...Array.from({ length: slots - 3 }, (_, i) => node.inputs[3 + i] ?? ''), wsName, wzName, rsName, rzName];
  while (inputs[inputs.length - 1] === '') inputs.pop();
  const q: Node = {
    name: fresh(`${base}_dynamic`),
    opType: `Dynamic${node.opType}`,
    domain: QINT_DOMAIN,
    inputs,
    outputs: node.outputs.slice(),
    attributes: { ...node.attributes, hidden_size: int(hidden), bits: int(wq[0].bits), block_size: int(blockSize), input_size: int(inputSize) },
  };
  return {
    node: q,
    initializers,
    folded: [...wf.folded, ...rf.folded],
    warnings,
    info: {
      node: label,
      opType: node.opType,
      as: q.opType,
      bits: wq[0].bits,
      granularity: s.granularity,
      blockSize,
      symmetric: s.symmetric,
      perRow: true,
      rounding: 'nearest',
      weightBytesBefore: (w.size + r.size) * 4,
      weightBytesAfter: after,
    },
  };
}
