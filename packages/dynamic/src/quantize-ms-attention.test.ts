import { createSession } from '@qint/graph';
import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { makeModel, randomData } from '../test/__fixtures__/models';
import { quantizeDynamic } from './quantize-dynamic';
import { toOnnxModel } from './to-onnx-model';

const [B, S, H, N] = [2, 6, 32, 4];

/** One com.microsoft Attention node (packed QKV weight [H, 3H] and bias), a raw key mask and a second MatMul. */
function attentionModel() {
  const w = Tensor.from('float32', [H, 3 * H], randomData(H * 3 * H, 11).map((v) => v * 0.3));
  const b = Tensor.from('float32', [3 * H], randomData(3 * H, 12).map((v) => v * 0.1));
  const m = makeModel(
    [
      { name: 'attn', opType: 'Attention', domain: 'com.microsoft', inputs: ['x', 'W', 'bias', 'mask'], outputs: ['y'], attributes: { num_heads: { type: 'int', value: N } } },
    ],
    { W: w, bias: b },
    [{ name: 'x', shape: [B, S, H] }, { name: 'mask', shape: [B, S] }],
    ['y'],
  );
  const mask = m.graph.inputs.find((v) => v.name === 'mask')!;
  return { ...m, opsetImports: { ...m.opsetImports, 'com.microsoft': 1 }, graph: { ...m.graph, inputs: m.graph.inputs.map((v) => (v === mask ? { ...v, dtype: 'int32' as const } : v)) } };
}

const feeds = () => ({
  x: Tensor.from('float32', [B, S, H], randomData(B * S * H, 13)),
  mask: Tensor.from('int32', [B, S], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]),
});

describe('quantizeDynamic: com.microsoft Attention', () => {
  it('quantizes the packed QKV weight to int8 (DynamicQuantizeLinear + QAttention): 4x smaller, within int8 error', () => {
    const model = attentionModel();
    const { model: q, report } = quantizeDynamic(model);
    expect(q.graph.nodes.map((n) => `${n.domain}::${n.opType}`)).toEqual(['::DynamicQuantizeLinear', 'com.microsoft::QAttention']);
    expect(report.quantized).toEqual([expect.objectContaining({ node: 'attn', opType: 'Attention', as: 'DynamicQuantizeLinear+QAttention', bits: 8, granularity: 'per_channel' })]);
    // int8 weight + 3H float scales + the float bias, against the float weight + bias.
    expect(report.weightBytesBefore).toBe((H * 3 * H + 3 * H) * 4);
    expect(report.weightBytesAfter).toBe(H * 3 * H + 3 * H * 4 + 3 * H * 4);
    const f = createSession(model).run(feeds()).y.data as Float32Array;
    const y = createSession(q).run(feeds()).y.data as Float32Array;
    let err = 0;
    let ref = 0;
    for (let i = 0; i < f.length; i++) {
      err = Math.max(err, Math.abs(y[i] - f[i]));
      ref = Math.max(ref, Math.abs(f[i]));
    }
    // uint8 activations in [−1, 1) and int8 weights of |w| ≤ 0.3 over K = 32: projection errors of ~1e-2, softmax-averaged.
    expect(err).toBeGreaterThan(0);
    expect(err).toBeLessThan(0.02 * ref);
  });

  it('the integer path is exact: equals float Attention on the dequantized input and weight', () => {
    const model = attentionModel();
    const { model: q } = quantizeDynamic(model, { granularity: 'per_tensor', symmetric: false });
    const qa = q.graph.nodes[1];
    const wq = q.graph.initializers.get(qa.inputs[1])!;
    const ws = q.graph.initializers.get(qa.inputs[4])!.values()[0];
    const wz = qa.inputs[7] ? q.graph.initializers.get(qa.inputs[7])!.values()[0] : 0;
    expect(q.graph.initializers.get(qa.inputs[4])!.size).toBe(1);
    // Dequantized weight, and the input as DynamicQuantizeLinear sees it: both exactly representable products.
    const wd = Float32Array.from(wq.values(), (v) => (v - wz) * ws);
    const x = feeds().x.data as Float32Array;
    let lo = 0;
    let hi = 0;
    for (const v of x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    const xs = Math.fround((hi - lo) / 255);
    const xz = Math.min(255, Math.max(0, Math.round(-lo / xs)));
    const rhe = (v: number) => { const r = Math.round(v); return Math.abs(v - Math.trunc(v)) === 0.5 && r % 2 !== 0 ? r - 1 : r; };
    const xd = Float32Array.from(x, (v) => (Math.min(255, Math.max(0, rhe(v / xs) + xz)) - xz) * xs);
    const m0 = attentionModel();
    const deq = { ...m0, graph: { ...m0.graph, initializers: new Map([...m0.graph.initializers, ['W', Tensor.from('float32', [H, 3 * H], wd)]]) } };
    const expected = createSession(deq).run({ ...feeds(), x: Tensor.from('float32', [B, S, H], xd) }).y.data as Float32Array;
    const y = createSession(q).run(feeds()).y.data as Float32Array;
    for (let i = 0; i < y.length; i++) expect(Math.abs(y[i] - expected[i])).toBeLessThan(1e-5 + 1e-4 * Math.abs(expected[i]));
  });

  it('other bit widths and GPTQ leave it float, with the reason', () => {
    const model = attentionModel();
    expect(() => quantizeDynamic(model, { bits: 4 })).toThrow(/QAttention, whose weight is 8-bit; 4 bits requested/);
    expect(() => quantizeDynamic(model, { granularity: 'per_block' })).toThrow(/not per block/);
  });
});

describe('quantizeDynamic: a BERT layer in onnxruntime-optimized form', () => {
  it('quantizes Attention and the three MatMuls, keeps the fused norms/activations, and stays within int8 error of onnxruntime', async () => {
    const { loadTestCase } = await import('@qint/onnx');
    const { join } = await import('node:path');
    // EmbedLayerNormalization → Attention → MatMul → SkipLayerNormalization → MatMul → BiasGelu → MatMul →
    // SkipLayerNormalization; the expected output is onnxruntime-node's float result (see @qint/onnx's ms-ops fixtures).
    const tc = loadTestCase(join(__dirname, '..', '..', 'onnx', 'test', '__fixtures__', 'ms-ops', 'ms_bert_fused_layer'));
    const { model: q, report } = quantizeDynamic(tc.model);
    expect(report.quantized.map((r) => [r.node, r.as])).toEqual([
      ['attention', 'DynamicQuantizeLinear+QAttention'],
      ['attention_output', 'DynamicLinear'],
      ['ffn_in', 'DynamicLinear'],
      ['ffn_out', 'DynamicLinear'],
    ]);
    expect(report.weightBytesAfter).toBeLessThan(0.5 * report.weightBytesBefore);
    const feeds = Object.fromEntries(tc.dataSets[0].inputs.map((i) => [i.name, i.tensor!]));
    const y = createSession(q).run(feeds).y.data as Float32Array;
    const ref = tc.dataSets[0].outputs[0].tensor!.data as Float32Array;
    let err = 0;
    for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(y[i] - ref[i]));
    // LayerNorm outputs of order 1: int8 weights and uint8 activations through four products give errors of a few 1e-2.
    expect(err).toBeGreaterThan(0);
    expect(err).toBeLessThan(0.1);
  });
});

describe('toOnnxModel: QAttention for onnxruntime', () => {
  it("stores the int8 QKV weight as uint8 (+128, zero point +128) by default, 'int8' keeps it; both run as the qint model does", async () => {
    const { model: q } = quantizeDynamic(attentionModel());
    const u8 = toOnnxModel(q);
    const qa = u8.graph.nodes.find((n) => n.opType === 'QAttention')!;
    const w8 = q.graph.initializers.get(q.graph.nodes[1].inputs[1])!;
    const wu = u8.graph.initializers.get(qa.inputs[1])!;
    expect(wu.dtype).toBe('uint8');
    expect(Array.from(wu.data as Uint8Array)).toEqual(Array.from(w8.data as Int8Array, (v) => v + 128));
    expect(u8.graph.initializers.get(qa.inputs[7])!.toArray()).toEqual([128]);
    expect(u8.graph.initializers.has(q.graph.nodes[1].inputs[1])).toBe(false);
    const i8 = toOnnxModel(q, { matMulWeightType: 'int8' });
    expect(i8.graph.initializers.get(i8.graph.nodes[1].inputs[1])!.dtype).toBe('int8');
    const want = createSession(q).run(feeds()).y.data as Float32Array;
    for (const m of [u8, i8]) expect(Array.from(createSession(m).run(feeds()).y.data as Float32Array)).toEqual(Array.from(want));
    // onnxruntime multiplies u8 × u8 exactly on every CPU: its output equals qint's to float rounding.
    const ort = await import('onnxruntime-node');
    const { encodeModel } = await import('@qint/onnx');
    const session = await ort.InferenceSession.create(encodeModel(u8));
    const f = feeds();
    const out = await session.run({ x: new ort.Tensor('float32', f.x.data as Float32Array, [...f.x.shape]), mask: new ort.Tensor('int32', f.mask.data as Int32Array, [...f.mask.shape]) });
    const got = out.y.data as Float32Array;
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-5 + 1e-5 * Math.abs(want[i]));
  });
});
