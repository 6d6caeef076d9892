import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { createSession } from '../inference-session';
import { A, f32, graph, model, node, runOp, vi } from '../__fixtures__/graph-builder';

const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
const std = (v: number[]) => {
  const m = mean(v);
  return Math.sqrt(mean(v.map((x) => (x - m) ** 2)));
};

describe('RandomUniform / RandomNormal (seeded)', () => {
  it('RandomUniform: values in [low, high), mean (low + high)/2 within 4σ, the same for the same seed', () => {
    const attrs = { shape: A.ints([100, 100]), low: A.float(-1), high: A.float(3), seed: A.float(3) };
    const [y] = runOp('RandomUniform', [], attrs);
    expect(y.shape).toEqual([100, 100]);
    expect(y.dtype).toBe('float32');
    const v = y.toArray();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...v)).toBeLessThan(3);
    // σ of the mean: (4/√12)/√10000 ≈ 0.0115
    expect(Math.abs(mean(v) - 1)).toBeLessThan(4 * 0.0116);
    expect(runOp('RandomUniform', [], attrs)[0].toArray()).toEqual(v);
    expect(runOp('RandomUniform', [], { ...attrs, seed: A.float(4) })[0].toArray()).not.toEqual(v);
  });

  it('RandomUniform with seed 0 draws NumPy\'s np.random.RandomState(0).rand()', () => {
    // np.random.seed(0); np.random.rand(3) → 0.5488135, 0.71518937, 0.60276338 (times high − low = 2, plus low = 1)
    const v = runOp('RandomUniform', [], { shape: A.ints([3]), low: A.float(1), high: A.float(3), seed: A.float(0) })[0].toArray();
    expect(v.map((x) => x.toFixed(5))).toEqual(['2.09763', '2.43038', '2.20553']);
  });

  it('RandomNormal: mean and scale within 4σ of the sample statistics', () => {
    const v = runOp('RandomNormal', [], { shape: A.ints([10000]), mean: A.float(2), scale: A.float(0.5), seed: A.float(1) })[0].toArray();
    expect(Math.abs(mean(v) - 2)).toBeLessThan(4 * 0.005);
    // σ of the sample std ≈ scale/√(2n) = 0.0035
    expect(Math.abs(std(v) - 0.5)).toBeLessThan(4 * 0.0036);
  });

  it('the *Like forms take the input\'s shape and (by default) dtype', () => {
    const x = Tensor.from('float16', [2, 3], new Array(6).fill(0));
    const [u] = runOp('RandomUniformLike', [x], { seed: A.float(1) });
    expect(u.dtype).toBe('float16');
    expect(u.shape).toEqual([2, 3]);
    const [n] = runOp('RandomNormalLike', [x], { seed: A.float(1), dtype: A.int(1) });
    expect(n.dtype).toBe('float32');
    expect(() => runOp('RandomUniform', [], { shape: A.ints([2]), dtype: A.int(6) })).toThrow(/dtype int32 is not supported/);
  });
});

describe('Bernoulli', () => {
  it('draws 1 with probability p (fraction within 4σ), exactly 0 for p = 0 and 1 for p = 1', () => {
    const p = f32([10000], new Array(10000).fill(0.3));
    const v = runOp('Bernoulli', [p], { seed: A.float(7) }, { opset: 15 })[0].toArray();
    expect(new Set(v)).toEqual(new Set([0, 1]));
    // σ = √(0.3·0.7/10000) ≈ 0.0046
    expect(Math.abs(mean(v) - 0.3)).toBeLessThan(4 * 0.0046);
    const edge = runOp('Bernoulli', [f32([4], [0, 1, 0, 1])], { seed: A.float(7), dtype: A.int(9) }, { opset: 15 })[0];
    expect(edge.dtype).toBe('bool');
    expect(edge.toArray()).toEqual([0, 1, 0, 1]);
  });
});

describe('Dropout training mode (opset 12+)', () => {
  const run = (x: Tensor, ratio: number, training: boolean, attrs = {}) =>
    runOp('Dropout', [x, Tensor.from('float32', [], [ratio]), Tensor.from('bool', [], [training ? 1 : 0])], attrs, { opset: 13, outputs: 2 });

  it('keeps each element with probability 1 − ratio and scales it by 1/(1 − ratio); mask = kept', () => {
    const x = f32([10000], new Array(10000).fill(1));
    const [y, mask] = run(x, 0.25, true, { seed: A.int(0) });
    const v = y.toArray();
    const m = mask.toArray();
    expect(new Set(v)).toEqual(new Set([0, Math.fround(1 / 0.75)]));
    expect(m).toEqual(v.map((e) => (e === 0 ? 0 : 1)));
    // σ of the kept fraction: √(0.75·0.25/10000) ≈ 0.0043
    expect(Math.abs(mean(m) - 0.75)).toBeLessThan(4 * 0.0044);
    // seed 0: the mask is np.random.seed(0); np.random.uniform(0, 1, 3) ≥ 0.6 → [0.5488, 0.7152, 0.6028] → [0, 1, 1]
    expect(run(f32([3], [1, 2, 3]), 0.6, true, { seed: A.int(0) })[1].toArray()).toEqual([0, 1, 1]);
  });

  it('is the identity with training_mode false or ratio 0', () => {
    const x = f32([3], [1, 2, 3]);
    expect(run(x, 0.5, false)[0].toArray()).toEqual([1, 2, 3]);
    expect(run(x, 0, true)[1].toArray()).toEqual([1, 1, 1]);
  });

  it('with a seed, the same mask every run; without one, the stream advances between runs', () => {
    const g = graph({
      nodes: [node('Dropout', ['x', 'r', 't'], ['y'])],
      inputs: [vi('x', 'float32', [64]), vi('r', 'float32', []), vi('t', 'bool', [])],
      outputs: [vi('y')],
    });
    const session = createSession(model(g, 13));
    const feeds = { x: f32([64], new Array(64).fill(1)), r: Tensor.from('float32', [], [0.5]), t: Tensor.from('bool', [], [1]) };
    const a = session.run(feeds).y.toArray();
    const b = session.run(feeds).y.toArray();
    expect(a).not.toEqual(b);
    const seeded = createSession(model({ ...g, nodes: [node('Dropout', ['x', 'r', 't'], ['y'], { seed: A.int(5) })] }, 13));
    expect(seeded.run(feeds).y.toArray()).toEqual(seeded.run(feeds).y.toArray());
  });
});
