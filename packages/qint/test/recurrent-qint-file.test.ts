// Quantized recurrent models in the .qint file: int8, 4-bit per block and 3-bit LSTMs (ai.qint DynamicLSTM) and a
// GRU survive serialize → load with bit-identical outputs, and shrink the weights as the bit width says.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InferenceSession, Tensor, loadModel, quantizeDynamic, serializeModel, type QuantizeDynamicOptions } from '../src/index';

const DIR = join(__dirname, '..', '..', 'dynamic', 'test', '__fixtures__', 'recurrent');
const anchor = JSON.parse(readFileSync(join(DIR, 'recurrent-anchor.json'), 'utf8')) as { cases: { name: string; x_shape: number[]; x: number[] }[] };

describe('recurrent layers in .qint files', () => {
  const variants: [string, string, QuantizeDynamicOptions][] = [
    ['lstm_bidirectional_2layer', 'int8 per channel', {}],
    ['lstm_bidirectional_2layer', 'int4 per block of 8', { bits: 4, granularity: 'per_block', blockSize: 8 }],
    ['lstm_bidirectional_2layer', '3-bit per channel', { bits: 3 }],
    ['gru', 'int2 per tensor, affine', { bits: 2, granularity: 'per_tensor', symmetric: false }],
  ];
  for (const [name, label, options] of variants) {
    it(`${name}, ${label}: same outputs after a .qint round trip`, async () => {
      const c = anchor.cases.find((k) => k.name === name)!;
      const float = await loadModel(join(DIR, `${name}.onnx`));
      const { model: q, report } = quantizeDynamic(float, options);
      expect(report.quantized.every((r) => r.as.startsWith('Dynamic'))).toBe(true);
      const bytes = await serializeModel(q);
      const back = await loadModel(bytes);
      expect(back.graph.nodes.filter((n) => n.domain === 'ai.qint').map((n) => n.opType)).toEqual(q.graph.nodes.filter((n) => n.domain === 'ai.qint').map((n) => n.opType));
      const x = Tensor.from('float32', c.x_shape, c.x);
      const a = InferenceSession.create(q).run({ x }).y.data as Float32Array;
      const b = InferenceSession.create(back).run({ x }).y.data as Float32Array;
      expect(Array.from(b)).toEqual(Array.from(a));
      // Bytes per quantized node, exactly: packed values of W and R, float32 scales per group, packed zero points.
      const bits = options.bits ?? 8;
      const rec = float.graph.nodes.filter((n) => ['LSTM', 'GRU'].includes(n.opType));
      rec.forEach((node, i) => {
        const [dirs, n, input] = float.graph.initializers.get(node.inputs[1])!.shape;
        const hidden = float.graph.initializers.get(node.inputs[2])!.shape[2];
        // Zero points are stored only when not all 0 (the quantized node's zero-point inputs say which).
        const qNode = q.graph.nodes.filter((m) => m.domain === 'ai.qint')[i];
        const at = node.opType === 'LSTM' ? 8 : 6;
        let expected = 0;
        for (const [j, k] of [input, hidden].entries()) {
          const hasZp = (qNode.inputs[at + 2 * j + 1] ?? '') !== '';
          const groups = options.granularity === 'per_tensor' ? dirs : options.granularity === 'per_block' ? dirs * n * Math.ceil(k / options.blockSize!) : dirs * n;
          expected += Math.ceil((bits * dirs * n * k) / 8) + 4 * groups + (hasZp ? Math.ceil((bits * groups) / 8) : 0);
        }
        expect(report.quantized[i].weightBytesBefore).toBe(4 * dirs * n * (input + hidden));
        expect(report.quantized[i].weightBytesAfter).toBe(expected);
      });
    });
  }
});
