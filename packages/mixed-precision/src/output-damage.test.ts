import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { outputDamage } from './output-damage';

describe('outputDamage', () => {
  const ref = Tensor.from('float32', [2, 3], [1, 2, 3, 0, 0, 0]);
  it('sums squared errors per row for mse', () => {
    const q = Tensor.from('float32', [2, 3], [1, 2, 5, 1, 0, 0]);
    expect(outputDamage(ref, q, 'mse')).toEqual({ sum: 4 + 1, rows: 2 });
  });

  it('counts argmax disagreements for top1', () => {
    const q = Tensor.from('float32', [2, 3], [3, 2, 1, 0, 0, 0]);
    expect(outputDamage(ref, q, 'top1')).toEqual({ sum: 1, rows: 2 });
  });

  it('computes KL(softmax(ref) || softmax(q)) (hand-checked)', () => {
    // Row [0, 0] vs [ln 3, 0]: p = (1/2, 1/2), r = (3/4, 1/4); KL = 1/2 ln(2/3) + 1/2 ln(2) = 0.5 ln(4/3).
    const p = Tensor.from('float32', [1, 2], [0, 0]);
    const r = Tensor.from('float32', [1, 2], [Math.log(3), 0]);
    expect(outputDamage(p, r, 'kl').sum).toBeCloseTo(0.5 * Math.log(4 / 3), 6);
    expect(outputDamage(p, p, 'kl').sum).toBe(0);
  });
});
