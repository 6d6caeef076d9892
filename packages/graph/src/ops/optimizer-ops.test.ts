import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { createSession } from '../inference-session';
import type { Attribute } from '../ir';
import { A, expectClose, f32, graph, model, node, vi } from '../__fixtures__/graph-builder';
import { TRAINING_DOMAIN } from './optimizer-ops';

/** Runs one training-domain node on R, T and the operand tensors; returns its outputs in order. */
function runTraining(opType: string, r: number, t: number, operands: Tensor[], outputs: number, attributes: Record<string, Attribute>): Tensor[] {
  const names = ['R', 'T', ...operands.map((_, i) => `in${i}`)];
  const outs = Array.from({ length: outputs }, (_, i) => `out${i}`);
  const g = graph({
    nodes: [node(opType, names, outs, attributes, { domain: TRAINING_DOMAIN })],
    inputs: names.map((n) => vi(n)),
    outputs: outs.map((n) => vi(n)),
  });
  const m = model(g, 17);
  const session = createSession({ ...m, opsetImports: { ...m.opsetImports, [TRAINING_DOMAIN]: 1 } });
  const feeds: Record<string, Tensor> = { R: Tensor.from('float32', [], [r]), T: Tensor.from('int64', [], [t]) };
  operands.forEach((o, i) => (feeds[`in${i}`] = o));
  const result = session.run(feeds);
  return outs.map((n) => result[n]);
}

describe('ai.onnx.preview.training optimizers', () => {
  it('Adagrad: H′ = H + g², X′ = X − r·g/(√H′ + ε); two tensors at once', () => {
    // X = [1], G = [−1], H = [2]: H′ = 3, X′ = 1 + 0.1/√3. Second tensor X = [2], G = [1], H = [0]: H′ = 1, X′ = 1.9.
    const [x1, x2, h1, h2] = runTraining('Adagrad', 0.1, 0, [f32([1], [1]), f32([1], [2]), f32([1], [-1]), f32([1], [1]), f32([1], [2]), f32([1], [0])], 4, {
      epsilon: A.float(0),
    });
    expectClose(x1.toArray(), [1 + 0.1 / Math.sqrt(3)]);
    expectClose(x2.toArray(), [1.9]);
    expectClose(h1.toArray(), [3]);
    expectClose(h2.toArray(), [1]);
    // decay_factor: r = 0.1 / (1 + 2·0.5) = 0.05
    expectClose(runTraining('Adagrad', 0.1, 2, [f32([1], [2]), f32([1], [1]), f32([1], [0])], 2, { epsilon: A.float(0), decay_factor: A.float(0.5) })[0].toArray(), [1.95]);
  });

  it('Momentum: standard and nesterov, β applied from the second step', () => {
    const attrs = { alpha: A.float(0.9), beta: A.float(0.1), norm_coefficient: A.float(0), mode: A.str('standard') };
    const ops = () => [f32([1], [1]), f32([1], [2]), f32([1], [1])];
    // T = 0: V′ = 0.9·1 + 1·2 = 2.9, X′ = 1 − 0.5·2.9; T = 1: V′ = 0.9 + 0.1·2 = 1.1, X′ = 1 − 0.55
    const [x0, v0] = runTraining('Momentum', 0.5, 0, ops(), 2, attrs);
    expectClose(x0.toArray(), [-0.45]);
    expectClose(v0.toArray(), [2.9]);
    expectClose(runTraining('Momentum', 0.5, 1, ops(), 2, attrs)[0].toArray(), [0.45]);
    // nesterov: X′ = 1 − 0.5·(2 + 0.9·2.9)
    expectClose(runTraining('Momentum', 0.5, 0, ops(), 2, { ...attrs, mode: A.str('nesterov') })[0].toArray(), [1 - 0.5 * (2 + 0.9 * 2.9)]);
    expect(() => runTraining('Momentum', 0.5, 0, ops(), 2, { ...attrs, mode: A.str('adam') })).toThrow(/mode "adam"/);
  });

  it('Adam: bias-corrected step, then norm_coefficient_post', () => {
    // α 0.5, β 0.75, X = [3], G = [2], V = H = [0], T = 1: V′ = 1, H′ = 0.25·4 = 1, step = √0.25/0.5 = 1, X′ = 3 − 1·1/1 = 2
    const attrs = { alpha: A.float(0.5), beta: A.float(0.75), epsilon: A.float(0) };
    const ops = () => [f32([1], [3]), f32([1], [2]), f32([1], [0]), f32([1], [0])];
    const [x, v, h] = runTraining('Adam', 1, 1, ops(), 3, attrs);
    expectClose(x.toArray(), [2]);
    expectClose(v.toArray(), [1]);
    expectClose(h.toArray(), [1]);
    // T = 0: no bias correction, step R = 1 → X′ = 3 − 1/1 = 2 as well; post 0.5 halves it
    expectClose(runTraining('Adam', 1, 0, ops(), 3, { ...attrs, norm_coefficient_post: A.float(0.5) })[0].toArray(), [1]);
  });
});
