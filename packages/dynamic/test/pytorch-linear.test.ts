// One nn.Linear against torch.ao.quantization.quantize_dynamic (qnnpack), recorded by scripts/generate-linear-fixture.py.
import { createSession } from '@qint/graph';
import { Tensor } from '@qint/tensor';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { quantizeDynamic } from '../src';
import { makeModel, op } from './__fixtures__/models';

interface Fixture {
  in_features: number;
  out_features: number;
  rows: number;
  weight: number[];
  bias: number[];
  x: number[];
  weight_int8: number[];
  weight_scale: number;
  weight_zero_point: number;
  y: number[];
}

const fx = JSON.parse(readFileSync(new URL('./__fixtures__/pytorch-linear.json', import.meta.url), 'utf8')) as Fixture;
const { in_features: k, out_features: n, rows } = fx;

// PyTorch exports nn.Linear as Gemm(x, W [out, in], b, transB = 1).
const float = makeModel(
  [op('Gemm', ['x', 'W', 'b'], ['y'], { transB: { type: 'int', value: 1 } }, 'fc')],
  { W: Tensor.from('float32', [n, k], fx.weight), b: Tensor.from('float32', [n], fx.bias) },
  [{ name: 'x', shape: [rows, k] }],
  ['y'],
);

describe('single Linear vs PyTorch quantize_dynamic (qnnpack)', () => {
  const { model: q, report } = quantizeDynamic(float, { granularity: 'per_tensor', symmetric: true, convention: 'pytorch' });

  it('has PyTorch’s int8 weight values and scale exactly', () => {
    expect(report.quantized).toHaveLength(1);
    const wq = [...q.graph.initializers.entries()].find(([name]) => name.includes('W_q8'))![1];
    const scale = [...q.graph.initializers.entries()].find(([name]) => name.includes('W_scale'))![1];
    expect(Array.from(wq.data as Int8Array)).toEqual(fx.weight_int8);
    expect((scale.data as Float32Array)[0]).toBe(Math.fround(fx.weight_scale));
    expect(fx.weight_zero_point).toBe(0);
    expect([...q.graph.initializers.keys()].some((name) => name.includes('zero_point'))).toBe(false);
  });

  it('outputs are within one activation quantization step of PyTorch’s', () => {
    const x = Tensor.from('float32', [rows, k], fx.x);
    const y = createSession(q).run({ x }).y.data as Float32Array;
    let lo = 0;
    let hi = 0;
    for (const v of fx.x) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    const step = (hi - lo) / 255;
    let maxDiff = 0;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < n; c++) {
        // One activation step moves output c by at most step · Σ|w_deq[c, :]|.
        let sumAbs = 0;
        for (let j = 0; j < k; j++) sumAbs += Math.abs(fx.weight_int8[c * k + j] * fx.weight_scale);
        const d = Math.abs(y[r * n + c] - fx.y[r * n + c]);
        maxDiff = Math.max(maxDiff, d / (step * sumAbs));
        expect(d).toBeLessThanOrEqual(step * sumAbs);
      }
    }
    // Observed with torch 1.13 / qnnpack: the outputs are identical (maxDiff 0), not merely within a step.
    expect(maxDiff).toBeLessThan(1e-6);
  });
});
