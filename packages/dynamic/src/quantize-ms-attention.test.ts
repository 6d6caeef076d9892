import { createSession } from '@qint/graph';
import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { makeModel, randomData } from '../test/__fixtures__/models';
import { quantizeDynamic } from './quantize-dynamic';

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
    const deq = attentionModel();
    deq.graph.initializers.set('W', Tensor.from('float32', [H, 3 * H], wd));
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
