// ai.qint DynamicLSTM / DynamicGRU / DynamicRNN → what onnxruntime runs: com.microsoft DynamicQuantizeLSTM for 8-bit
// per-channel (or per-tensor) LSTMs; otherwise the float op with its integer weights dequantized in the graph (weight-only).
import { MS_DOMAIN, unpack3Bit, type Attribute, type Node } from '@qint/graph';
import { Tensor } from '@qint/tensor';

/** What the exporter lends the recurrent rewrite. */
export interface RecurrentExportContext {
  input(i: number): Tensor | undefined;
  addInit(base: string, t: Tensor): string;
  mk(base: string, opType: string, inputs: string[], outputs: string[], attributes?: Record<string, Attribute>, domain?: string): Node;
  fresh(base: string): string;
  fail(why: string): never;
}

const GATES: Record<string, number> = { DynamicLSTM: 4, DynamicGRU: 3, DynamicRNN: 1 };

/** Whether the op type is one of qint's dynamic recurrent ops. */
export const isDynamicRecurrent = (opType: string): boolean => opType in GATES;

/**
 * The ONNX form of one dynamic recurrent node. An 8-bit LSTM with per-channel (or per-direction) scales becomes
 * com.microsoft `DynamicQuantizeLSTM` (W and R transposed to `[dirs, K, 4H]`, int8 with zero points), which
 * onnxruntime runs with activations quantized at run time. onnxruntime has no quantized GRU or RNN, nor sub-byte
 * LSTM: those become the float op with `W` and `R` stored as int8 and dequantized by Cast → Sub → Mul per output
 * channel — weight-only quantization (int8 storage, sub-byte values widened), float activations in onnxruntime.
 *
 * @param node - the ai.qint node
 * @param c - the exporter's helpers
 * @returns the replacement nodes and whether they use com.microsoft
 */
export function recurrentToOnnx(node: Node, c: RecurrentExportContext): { nodes: Node[]; usesMs: boolean } {
  const attr = (name: string, fallback: number): number => {
    const a = node.attributes[name];
    return a && a.type === 'int' ? a.value : fallback;
  };
  const kind = node.opType.slice('Dynamic'.length);
  const G = GATES[node.opType];
  const bits = attr('bits', 8);
  const blockSize = attr('block_size', 0);
  const hidden = attr('hidden_size', 0);
  const inputSize = attr('input_size', 0);
  const dirs = node.attributes.direction?.type === 'string' && node.attributes.direction.value === 'bidirectional' ? 2 : 1;
  const n = G * hidden;
  if (blockSize > 0) c.fail(`per-block weights (block ${blockSize}) have no onnxruntime form for ${kind}; quantize recurrent layers per channel`);
  const scaleAt = kind === 'LSTM' ? 8 : 6;
  const attributes: Record<string, Attribute> = { ...node.attributes };
  for (const k of ['bits', 'block_size', 'input_size']) delete attributes[k];
  const base = node.name || node.outputs.find((o) => o !== '') || kind;
  /** Signed values [dirs, n, k], per-group scales and zero points (expanded to [dirs, n]). */
  const matrix = (at: number, sAt: number, k: number, what: string): { values: Int8Array; scales: Float32Array; zps: Int32Array } => {
    const w = c.input(at);
    const s = c.input(sAt);
    if (!w || !s) c.fail(`${what} and its scales must be initializers`);
    const count = dirs * n * k;
    const raw = bits === 3 && w!.dtype === 'uint8' ? unpack3Bit(w!.data as Uint8Array, count) : w!.values();
    const values = raw instanceof Int8Array ? raw : Int8Array.from(raw as ArrayLike<number>);
    const sv = Float32Array.from(s!.values() as ArrayLike<number>);
    const zpT = c.input(sAt + 1);
    const zv = zpT ? Int32Array.from(zpT.dtype === 'uint8' && bits === 3 ? unpack3Bit(zpT.data as Uint8Array, sv.length) : (zpT.values() as ArrayLike<number>)) : new Int32Array(sv.length);
    const scales = new Float32Array(dirs * n);
    const zps = new Int32Array(dirs * n);
    for (let d = 0; d < dirs; d++) {
      for (let j = 0; j < n; j++) {
        const g = sv.length === dirs ? d : d * n + j;
        scales[d * n + j] = sv[g];
        zps[d * n + j] = zv[g];
      }
    }
    return { values, scales, zps };
  };
  const w = matrix(1, scaleAt, inputSize, 'W');
  const r = matrix(2, scaleAt + 2, hidden, 'R');
  const rest = node.inputs.slice(3, scaleAt);

  if (kind === 'LSTM' && bits === 8) {
    if (attr('layout', 0) !== 0) c.fail('com.microsoft DynamicQuantizeLSTM has no layout attribute (layout 1); transpose X outside the LSTM');
    delete attributes.layout;
    const transposed = (m: { values: Int8Array }, k: number): Int8Array => {
      const out = new Int8Array(dirs * k * n);
      for (let d = 0; d < dirs; d++) for (let j = 0; j < n; j++) for (let kk = 0; kk < k; kk++) out[(d * k + kk) * n + j] = m.values[(d * n + j) * k + kk];
      return out;
    };
    const inputs = [
      node.inputs[0],
      c.addInit(`${base}_W_t`, Tensor.from('int8', [dirs, inputSize, n], transposed(w, inputSize))),
      c.addInit(`${base}_R_t`, Tensor.from('int8', [dirs, hidden, n], transposed(r, hidden))),
      ...Array.from({ length: 5 }, (_, i) => rest[i] ?? ''),
      c.addInit(`${base}_W_scale`, Tensor.from('float32', [dirs, n], w.scales)),
      c.addInit(`${base}_W_zero_point`, Tensor.from('int8', [dirs, n], Int8Array.from(w.zps))),
      c.addInit(`${base}_R_scale`, Tensor.from('float32', [dirs, n], r.scales)),
      c.addInit(`${base}_R_zero_point`, Tensor.from('int8', [dirs, n], Int8Array.from(r.zps))),
    ];
    return { nodes: [c.mk(base, 'DynamicQuantizeLSTM', inputs, node.outputs.slice(), attributes, MS_DOMAIN)], usesMs: true };
  }

  // Weight-only form: int8 storage (sub-byte values widened), dequantized by Cast → Sub → Mul with the per-row zero
  // points and scales [dirs, G·H, 1] (the arithmetic of DequantizeLinear, in ops of every opset; onnxruntime folds
  // them at load).
  const dequantized = (m: { values: Int8Array; scales: Float32Array; zps: Int32Array }, k: number, what: string): { nodes: Node[]; name: string } => {
    const q = c.addInit(`${base}_${what}_q`, Tensor.from('int8', [dirs, n, k], m.values));
    const s = c.addInit(`${base}_${what}_scale`, Tensor.from('float32', [dirs, n, 1], m.scales));
    const z = c.addInit(`${base}_${what}_zero_point`, Tensor.from('float32', [dirs, n, 1], Float32Array.from(m.zps)));
    const [f, centred, out] = ['float', 'centred', 'dequantized'].map((v) => c.fresh(`${base}_${what}_${v}`));
    return {
      nodes: [c.mk(base, 'Cast', [q], [f], { to: { type: 'int', value: 1 } }), c.mk(base, 'Sub', [f, z], [centred]), c.mk(base, 'Mul', [centred, s], [out])],
      name: out,
    };
  };
  const wd = dequantized(w, inputSize, 'W');
  const rd = dequantized(r, hidden, 'R');
  const inputs = [node.inputs[0], wd.name, rd.name, ...rest];
  while (inputs.length > 3 && inputs[inputs.length - 1] === '') inputs.pop();
  return { nodes: [...wd.nodes, ...rd.nodes, c.mk(base, kind, inputs, node.outputs.slice(), attributes)], usesMs: false };
}
