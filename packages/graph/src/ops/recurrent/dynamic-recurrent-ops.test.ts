import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { A, f32, graph, model, node, vi } from '../../__fixtures__/graph-builder';
import { createSession } from '../../inference-session';

const f = Math.fround;

/** uint8 dynamic quantization of one row, as ONNX DynamicQuantizeLinear (range with 0, ties to even). */
function quantRow(x: number[]): { q: number[]; scale: number; zp: number } {
  const lo = Math.min(0, ...x);
  const hi = Math.max(0, ...x);
  const scale = f((hi - lo) / 255);
  const even = (v: number) => (Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : Math.round(v));
  const zp = Math.min(255, Math.max(0, even(f(-lo / scale))));
  return { q: x.map((v) => Math.min(255, Math.max(0, even(f(v / scale)) + zp))), scale, zp };
}

/** `x · Wᵀ` with x quantized per row and int8 weights with one scale per output row: the kernel's float steps. */
function dynamicProduct(x: number[], w: number[][], wScale: number[]): number[] {
  const { q, scale, zp } = quantRow(x);
  return w.map((row, n) => {
    let acc = 0;
    for (let k = 0; k < row.length; k++) acc += (q[k] - zp) * row[k];
    return f(f(acc) * f(scale * wScale[n]));
  });
}

describe('ai.qint DynamicRNN: the float recurrence with each product quantized per row', () => {
  // Two units, three inputs; int8 weights, per-channel scales; bias.
  const W = [[40, -90, 127], [-128, 17, 5]];
  const R = [[100, -30], [-7, 127]];
  const wScale = [0.004, 0.0035];
  const rScale = [0.006, 0.005];
  const B = [0.1, -0.05, 0.02, 0.03];
  const X = [[0.7, -1.2, 0.4], [1.5, 0.25, -0.9], [-0.3, 0.8, 1.1]];

  it('DynamicRNN (tanh), 3 steps: h_t = tanh(q(x_t)·Wᵀ + q(h_{t−1})·Rᵀ + Wb + Rb)', () => {
    const init = {
      W: Tensor.from('int8', [1, 2, 3], W.flat()),
      R: Tensor.from('int8', [1, 2, 2], R.flat()),
      B: f32([1, 4], B),
      W_scale: f32([1, 2], wScale),
      R_scale: f32([1, 2], rScale),
    };
    const m = model(graph({
      nodes: [node('DynamicRNN', ['X', 'W', 'R', 'B', '', '', 'W_scale', '', 'R_scale'], ['Y', 'Y_h'], { hidden_size: A.int(2) }, { domain: 'ai.qint', name: 'q' })],
      inputs: [vi('X', 'float32', [3, 1, 3])],
      outputs: [vi('Y'), vi('Y_h')],
      initializers: init,
    }));
    (m.opsetImports as Record<string, number>)['ai.qint'] = 1;
    const y = createSession(m).run({ X: f32([3, 1, 3], X.flat()) }).Y.data as Float32Array;
    let h = [0, 0];
    const want: number[] = [];
    for (const x of X) {
      const xp = dynamicProduct(x, W, wScale).map((v, j) => f(v + f(B[j] + B[2 + j])));
      // h₀ = 0 quantizes to scale 0: the product is exactly 0.
      const rp = h.every((v) => v === 0) ? [0, 0] : dynamicProduct(h, R, rScale);
      h = xp.map((v, j) => f(Math.tanh(v + rp[j])));
      want.push(...h);
    }
    expect(y.length).toBe(6);
    expect(Math.max(...Array.from(y, (v, i) => Math.abs(v - want[i])))).toBeLessThan(2e-7);
    // Not the float recurrence: quantizing changes the answer.
    const floatH = Math.tanh(X[0].reduce((s, v, k) => s + v * W[0][k] * wScale[0], 0) + B[0] + B[2]);
    expect(Math.abs(y[0] - floatH)).toBeGreaterThan(1e-5);
  });
});
