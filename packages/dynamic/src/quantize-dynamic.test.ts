import { createSession, QINT_DOMAIN } from '@qint/graph';
import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { linearModel, makeModel, op, randomData } from '../test/__fixtures__/models';
import { quantizeDynamic } from './quantize-dynamic';
import { QuantizeError } from './quantize-error';

const int = (value: number) => ({ type: 'int' as const, value });
const float = (value: number) => ({ type: 'float' as const, value });

/** Plain float reference: y = alpha · x · W' + beta · c. */
function gemmRef(x: Float32Array, w: Float32Array, c: Float32Array, m: number, k: number, n: number, transB: boolean, alpha: number, beta: number): Float64Array {
  const y = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += x[i * k + t] * (transB ? w[j * k + t] : w[t * n + j]);
      y[i * n + j] = alpha * s + beta * c[j];
    }
  }
  return y;
}

describe('quantizeDynamic', () => {
  it('leaves the float model untouched and reports bytes before/after', () => {
    const model = linearModel(64, 16, 1);
    const snapshot = JSON.stringify({ nodes: model.graph.nodes, inputs: model.graph.inputs, inits: [...model.graph.initializers.keys()] });
    const w = Float32Array.from(model.graph.initializers.get('W')!.data as Float32Array);
    const { model: q, report } = quantizeDynamic(model);
    expect(JSON.stringify({ nodes: model.graph.nodes, inputs: model.graph.inputs, inits: [...model.graph.initializers.keys()] })).toBe(snapshot);
    expect(model.graph.initializers.get('W')!.data).toEqual(w);
    expect(q.graph.nodes.map((n) => `${n.domain}::${n.opType}`)).toEqual([`${QINT_DOMAIN}::DynamicLinear`]);
    expect(report.weightBytesBefore).toBe((64 * 16 + 16) * 4);
    // int8 weights + 16 scales + 16 bias floats.
    expect(report.weightBytesAfter).toBe(64 * 16 + 16 * 4 + 16 * 4);
    expect(report.quantized[0]).toMatchObject({ node: 'fc', as: 'DynamicLinear', bits: 8, granularity: 'per_channel' });
  });

  it('Gemm with transB, alpha, beta and C: close to the float result', () => {
    const [m, k, n] = [3, 40, 7];
    for (const transB of [false, true]) {
      const w = randomData(k * n, 5);
      const c = randomData(n, 6);
      const model = makeModel(
        [op('Gemm', ['x', 'W', 'C'], ['y'], { transB: int(transB ? 1 : 0), alpha: float(0.5), beta: float(2) }, 'g')],
        { W: Tensor.from('float32', transB ? [n, k] : [k, n], w), C: Tensor.from('float32', [n], c) },
        [{ name: 'x', shape: [m, k] }],
        ['y'],
      );
      const x = randomData(m * k, 7);
      const y = createSession(quantizeDynamic(model).model).run({ x: Tensor.from('float32', [m, k], x) }).y.data as Float32Array;
      const ref = gemmRef(x, w, c, m, k, n, transB, 0.5, 2);
      // int8 weights and uint8 activations on values in [−1, 1): errors of a few 1e-2 over K = 40.
      for (let i = 0; i < ref.length; i++) expect(Math.abs(y[i] - ref[i])).toBeLessThan(0.05);
    }
  });

  it('folds a weight reached through Transpose(initializer) and drops the dead Transpose', () => {
    const model = makeModel(
      [op('Transpose', ['Wt'], ['W'], {}, 't'), op('MatMul', ['x', 'W'], ['y'], {}, 'mm')],
      { Wt: Tensor.from('float32', [4, 8], randomData(32, 2)) },
      [{ name: 'x', shape: [2, 8] }],
      ['y'],
    );
    const { model: q, report } = quantizeDynamic(model);
    expect(report.quantized.map((r) => r.node)).toEqual(['mm']);
    expect(q.graph.nodes.map((n) => n.opType)).toEqual(['DynamicLinear']);
    expect(q.graph.initializers.has('Wt')).toBe(false);
  });

  it('stores 3-bit weights as 3 bits each', () => {
    const { model: q, report } = quantizeDynamic(linearModel(64, 10, 3), { bits: 3, granularity: 'per_block', blockSize: 32 });
    const w = [...q.graph.initializers.entries()].find(([name]) => name.includes('W_q3'))![1];
    expect(w.dtype).toBe('uint8');
    expect(w.size).toBe((64 * 10 * 3) / 8);
    expect(report.quantized[0]).toMatchObject({ bits: 3, blockSize: 32 });
  });

  it('exclude (by name or op type) and per-node overrides', () => {
    const model = makeModel(
      [op('MatMul', ['x', 'W1'], ['h'], {}, 'a'), op('Relu', ['h'], ['r'], {}, 'relu'), op('MatMul', ['r', 'W2'], ['y'], {}, 'b')],
      { W1: Tensor.from('float32', [32, 32], randomData(1024, 1)), W2: Tensor.from('float32', [32, 8], randomData(256, 2)) },
      [{ name: 'x', shape: [1, 32] }],
      ['y'],
    );
    const excluded = quantizeDynamic(model, { exclude: ['a'] }).report;
    expect(excluded.quantized.map((r) => r.node)).toEqual(['b']);
    expect(excluded.skipped).toEqual([{ node: 'a', opType: 'MatMul', reason: 'excluded by options.exclude' }]);
    const overridden = quantizeDynamic(model, { overrides: { b: { bits: 4, granularity: 'per_block', blockSize: 16 } } }).report;
    expect(overridden.quantized.map((r) => [r.node, r.bits, r.blockSize])).toEqual([
      ['a', 8, 0],
      ['b', 4, 16],
    ]);
    expect(() => quantizeDynamic(model, { exclude: ['MatMul'] })).toThrow(/nothing to quantize — MatMul "a": excluded/);
  });

  it('Conv per-block requests fall back to per channel with a warning', () => {
    const model = makeModel(
      [op('Conv', ['x', 'W', 'B'], ['y'], { pads: { type: 'ints', value: [1, 1, 1, 1] } }, 'c')],
      { W: Tensor.from('float32', [4, 2, 3, 3], randomData(72, 4)), B: Tensor.from('float32', [4], randomData(4, 5)) },
      [{ name: 'x', shape: [1, 2, 5, 5] }],
      ['y'],
    );
    const { model: q, report } = quantizeDynamic(model, { granularity: 'per_block' });
    expect(report.warnings.join()).toMatch(/Conv has no per-block form/);
    expect(report.quantized[0]).toMatchObject({ as: 'DynamicConv', granularity: 'per_channel' });
    const x = Tensor.from('float32', [1, 2, 5, 5], randomData(50, 9));
    expect(createSession(q).run({ x }).y.shape).toEqual([1, 4, 5, 5]);
  });

  describe('bad input is a QuantizeError, never a silently wrong model', () => {
    it('a model with no quantizable layer', () => {
      const model = makeModel([op('Relu', ['x'], ['y'])], {}, [{ name: 'x', shape: [2] }], ['y']);
      expect(() => quantizeDynamic(model)).toThrow(QuantizeError);
      expect(() => quantizeDynamic(model)).toThrow(/nothing to quantize — the graph has no MatMul\/Gemm\/Conv\/LSTM\/GRU\/RNN\/Attention node/);
    });
    it('an already quantized model says so', () => {
      const once = quantizeDynamic(linearModel(8, 4, 1)).model;
      expect(() => quantizeDynamic(once)).toThrow(/1 quantized node\(s\) such as DynamicLinear: is it already quantized\?/);
    });
    it('a weight holding NaN or Inf', () => {
      const model = linearModel(4, 2, 1);
      const w = Float32Array.from(model.graph.initializers.get('W')!.data as Float32Array);
      w[5] = NaN;
      const bad = { ...model, graph: { ...model.graph, initializers: new Map([...model.graph.initializers, ['W', Tensor.from('float32', [4, 2], w)]]) } };
      expect(() => quantizeDynamic(bad)).toThrow(/node "fc": weight "W" \[4,2\] element 5 is NaN/);
    });
    it('an excluded or overridden node that does not exist', () => {
      const model = linearModel(4, 2, 1);
      try {
        quantizeDynamic(model, { exclude: ['fc2'] });
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(QuantizeError);
        expect((e as QuantizeError).code).toBe('ERR_QUANTIZE');
        expect((e as QuantizeError).node).toBe('fc2');
      }
      expect(() => quantizeDynamic(model, { overrides: { nope: { bits: 4 } } })).toThrow(/"overrides" names node "nope"/);
    });
    it('options out of range', () => {
      const model = linearModel(4, 2, 1);
      expect(() => quantizeDynamic(model, { bits: 5 as 8 })).toThrow(/"bits" must be 8, 4, 3 or 2/);
      expect(() => quantizeDynamic(model, { granularity: 'per_row' as 'per_tensor' })).toThrow(/granularity/);
      expect(() => quantizeDynamic(model, { blockSize: 0 })).toThrow(/blockSize/);
    });
  });
});
