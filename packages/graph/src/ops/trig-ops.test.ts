import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { expectClose, f32, runOp } from '../__fixtures__/graph-builder';

describe('trigonometric and hyperbolic ops', () => {
  it('match their closed forms', () => {
    const x = [-0.5, 0, 0.25, 0.9];
    const t = f32([4], x);
    // tan = sin/cos; sinh = (eˣ − e⁻ˣ)/2; cosh = (eˣ + e⁻ˣ)/2; asinh = ln(x + √(x² + 1)); atanh = ½ ln((1 + x)/(1 − x))
    expectClose(runOp('Tan', [t])[0].toArray(), x.map((v) => Math.sin(v) / Math.cos(v)));
    expectClose(runOp('Sinh', [t])[0].toArray(), x.map((v) => (Math.exp(v) - Math.exp(-v)) / 2));
    expectClose(runOp('Cosh', [t])[0].toArray(), x.map((v) => (Math.exp(v) + Math.exp(-v)) / 2));
    expectClose(runOp('Asinh', [t])[0].toArray(), x.map((v) => Math.log(v + Math.sqrt(v * v + 1))));
    expectClose(runOp('Atanh', [t])[0].toArray(), x.map((v) => 0.5 * Math.log((1 + v) / (1 - v))));
    // Special values: asin(1) = π/2, acos(0) = π/2, atan(1) = π/4, acosh(1) = 0, acosh(2) = ln(2 + √3)
    expectClose(runOp('Asin', [f32([2], [1, -0.5])])[0].toArray(), [Math.PI / 2, -Math.PI / 6]);
    expectClose(runOp('Acos', [f32([2], [0, 0.5])])[0].toArray(), [Math.PI / 2, Math.PI / 3]);
    expectClose(runOp('Atan', [f32([2], [1, -1])])[0].toArray(), [Math.PI / 4, -Math.PI / 4]);
    expectClose(runOp('Acosh', [f32([2], [1, 2])])[0].toArray(), [0, Math.log(2 + Math.sqrt(3))]);
  });

  it('give NaN outside their domain, keep float16 and float64 (computed in double), and refuse integers', () => {
    expect(Number.isNaN(runOp('Asin', [f32([1], [2])])[0].toArray()[0])).toBe(true);
    expect(Number.isNaN(runOp('Acosh', [f32([1], [0.5])])[0].toArray()[0])).toBe(true);
    const h = runOp('Cosh', [Tensor.from('float16', [1], [0])])[0];
    expect(h.dtype).toBe('float16');
    expect(h.toArray()).toEqual([1]);
    const d = runOp('Tan', [Tensor.from('float64', [1], [0.5])])[0];
    expect(d.dtype).toBe('float64');
    expect(d.toArray()[0]).toBeCloseTo(Math.sin(0.5) / Math.cos(0.5), 15);
    expect(() => runOp('Tan', [Tensor.from('int32', [1], [1])])).toThrow(/Tan: input must be float32, float16 or float64, got int32/);
  });
});
