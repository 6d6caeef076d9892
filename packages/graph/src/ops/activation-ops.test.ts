import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { A, expectClose, f32, runOp } from '../__fixtures__/graph-builder';

describe('activation ops', () => {
  const x = [-2, -0.5, 0, 0.5, 3];
  const t = f32([5], x);

  it('Celu: max(0, x) + min(0, α(exp(x/α) − 1))', () => {
    expectClose(runOp('Celu', [t], {}, { opset: 12 })[0].toArray(), [Math.exp(-2) - 1, Math.exp(-0.5) - 1, 0, 0.5, 3]);
    expectClose(runOp('Celu', [t], { alpha: A.float(2) }, { opset: 12 })[0].toArray(), [2 * (Math.exp(-1) - 1), 2 * (Math.exp(-0.25) - 1), 0, 0.5, 3]);
    expect(() => runOp('Celu', [t], { alpha: A.float(0) }, { opset: 12 })).toThrow(/alpha/);
  });

  it('Shrink: x ± bias outside [−λ, λ], 0 inside; integers too', () => {
    expect(runOp('Shrink', [t], { lambd: A.float(0.5), bias: A.float(1) })[0].toArray()).toEqual([-1, 0, 0, 0, 2]);
    expect(runOp('Shrink', [t], { lambd: A.float(1) })[0].toArray()).toEqual([-2, 0, 0, 0, 3]);
    const i = runOp('Shrink', [Tensor.from('int8', [3], [-3, 1, 4])], { lambd: A.float(1.5), bias: A.float(1) })[0];
    expect(i.dtype).toBe('int8');
    expect(i.toArray()).toEqual([-2, 0, 3]);
  });

  it('Swish: x·sigmoid(αx)', () => {
    expectClose(runOp('Swish', [t], {}, { opset: 24 })[0].toArray(), x.map((v) => v / (1 + Math.exp(-v))));
    expectClose(runOp('Swish', [t], { alpha: A.float(2) }, { opset: 24 })[0].toArray(), x.map((v) => v / (1 + Math.exp(-2 * v))));
  });

  it('ThresholdedRelu: x where x > α, else 0', () => {
    expect(runOp('ThresholdedRelu', [t], {}, { opset: 10 })[0].toArray()).toEqual([0, 0, 0, 0, 3]);
    expect(runOp('ThresholdedRelu', [t], { alpha: A.float(0.25) }, { opset: 10 })[0].toArray()).toEqual([0, 0, 0, 0.5, 3]);
  });
});
