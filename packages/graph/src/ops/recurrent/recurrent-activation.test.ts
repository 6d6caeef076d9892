import { describe, expect, it } from 'vitest';
import { UnsupportedVariant } from '../unsupported-variant';
import { recurrentActivations, sigmoid, tanh } from './recurrent-activation';

describe('recurrent activations', () => {
  it('tanh through exp is within 1e-12 relative of Math.tanh, odd, saturating, NaN-preserving', () => {
    let worst = 0;
    for (let i = -40000; i <= 40000; i++) {
      const x = i * 5e-4 + (i % 7) * 1e-9;
      const want = Math.tanh(x);
      if (want !== 0) worst = Math.max(worst, Math.abs(tanh(x) - want) / Math.abs(want));
    }
    expect(worst).toBeLessThan(1e-12);
    expect(tanh(1e-9)).toBe(1e-9 - 1e-27 / 3);
    expect([tanh(-3), tanh(800), tanh(-800), tanh(0)]).toEqual([-tanh(3), 1, -1, 0]);
    expect(tanh(NaN)).toBeNaN();
  });

  it('sigmoid has no overflow at either end', () => {
    expect([sigmoid(0), sigmoid(800), sigmoid(-800)]).toEqual([0.5, 1, 0]);
    expect(sigmoid(2)).toBeCloseTo(1 / (1 + Math.exp(-2)), 15);
  });

  it('consumes alpha and beta in order, by the activations that take them, defaults after', () => {
    const [hs, lr, st, af] = recurrentActivations(['HardSigmoid', 'LeakyRelu', 'ScaledTanh', 'Affine'], [0.3, 0.05], [0.4], ['a', 'b', 'c', 'd'], 1);
    expect(hs(1)).toBeCloseTo(0.7, 12); // 0.3·1 + 0.4
    expect(lr(-2)).toBeCloseTo(-0.1, 12); // alpha 0.05
    expect(st(0.5)).toBeCloseTo(Math.tanh(0.5), 12); // alpha, beta exhausted: defaults 1, 1
    expect(af(2)).toBe(2); // Affine defaults alpha 1, beta 0
  });

  it('repeats one direction’s list for bidirectional; refuses unknown names and wrong lengths', () => {
    expect(recurrentActivations(['Relu'], [], [], ['Tanh'], 2)).toHaveLength(2);
    expect(() => recurrentActivations(['Swish'], [], [], ['Tanh'], 1)).toThrow(UnsupportedVariant);
    expect(() => recurrentActivations(['Relu', 'Relu', 'Relu'], [], [], ['Tanh'], 2)).toThrow(/expected 1 per direction/);
  });
});
