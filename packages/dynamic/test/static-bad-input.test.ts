// The bad-input list for static quantization: no quantizable layer, NaN/Inf weights, an excluded node that does
// not exist, and bad ranges — each a QuantizeError naming what is wrong, never a silently wrong model.
import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { calibrate, QuantizeError, quantizeStatic } from '../src';
import { linearModel, makeModel, op, randomData } from './__fixtures__/models';

const x = (seed: number) => ({ x: Tensor.from('float32', [4, 8], randomData(32, seed)) });
const batches = [x(1), x(2), x(3)];

function withWeight(value: number) {
  const m = linearModel(8, 5, 7);
  const w = m.graph.initializers.get('W')!;
  const data = Float32Array.from(w.data as Float32Array);
  data[13] = value;
  return { ...m, graph: { ...m.graph, initializers: new Map([...m.graph.initializers, ['W', Tensor.from('float32', w.shape, data)]]) } };
}

describe('static quantization: bad input', () => {
  const model = linearModel(8, 5, 7);
  const ranges = calibrate(model, batches);

  it('a model with no quantizable layer', () => {
    const relu = makeModel([op('Relu', ['x'], ['y'])], {}, [{ name: 'x', shape: [4, 8] }], ['y']);
    expect(() => calibrate(relu, batches)).toThrow(/has no MatMul\/Gemm\/Conv/);
    for (const format of ['qdq', 'qoperator'] as const) expect(() => quantizeStatic(relu, { x: { min: -1, max: 1 } }, { format })).toThrow(/nothing to quantize/);
    // A MatMul of two activations has no static form: the error says why.
    const mm = makeModel([op('MatMul', ['a', 'b'], ['y'], {}, 'attn')], {}, [{ name: 'a', shape: [2, 3] }, { name: 'b', shape: [3, 2] }], ['y']);
    for (const format of ['qdq', 'qoperator'] as const) expect(() => quantizeStatic(mm, { a: { min: -1, max: 1 } }, { format })).toThrow(/nothing to quantize — MatMul "attn": weight is not a float32 constant/);
  });

  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    it(`a weight with ${bad}: QuantizeError naming the node and the element`, () => {
      for (const format of ['qdq', 'qoperator'] as const) {
        let err: unknown;
        try {
          quantizeStatic(withWeight(bad), ranges, { format });
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(QuantizeError);
        expect((err as QuantizeError).node).toBe('fc');
        expect((err as QuantizeError).message).toMatch(new RegExp(`is ${bad}; weights must be finite`));
      }
    });
  }

  it('calibrating a model whose weights make an activation all NaN fails instead of inventing a range', () => {
    const m = withWeight(Number.NaN);
    // Every output column mixes the NaN weight only in column 13 % 5 = 3; make the whole product NaN with a NaN input.
    expect(() => calibrate(m, [{ x: Tensor.from('float32', [4, 8], new Float32Array(32).fill(Number.NaN)) }])).toThrow(/had no finite values/);
  });

  it('an activation with ±Infinity: min/max methods name it and point to the histogram family, which drop it', () => {
    const withInf = (value: number) => {
      const data = randomData(32, 4);
      data[5] = value;
      return { x: Tensor.from('float32', [4, 8], data) };
    };
    expect(() => calibrate(model, [x(1), withInf(Number.POSITIVE_INFINITY)])).toThrow(/range of tensor "x" is \[-?[\d.e-]+, Infinity\]: it contained ±Infinity/);
    // The moving average of -Infinity and then +Infinity is NaN, as in PyTorch.
    expect(() => calibrate(model, [withInf(Number.NEGATIVE_INFINITY), withInf(Number.POSITIVE_INFINITY)], { observer: 'moving_average' })).toThrow(/became NaN/);
    const ranges = calibrate(model, [x(1), withInf(Number.POSITIVE_INFINITY)], { observer: 'histogram' });
    expect(Number.isFinite(ranges.x.max)).toBe(true);
  });

  it('an excluded node that does not exist', () => {
    for (const format of ['qdq', 'qoperator'] as const) {
      expect(() => quantizeStatic(model, ranges, { format, exclude: ['fc2'] })).toThrow(/"exclude" names "fc2", which is neither a node name nor an op type/);
    }
    // Excluding everything that exists leaves nothing: an error listing the reasons, not an unchanged model.
    expect(() => quantizeStatic(model, ranges, { format: 'qoperator', exclude: ['fc'] })).toThrow(/MatMul "fc": excluded by options.exclude/);
  });

  it('missing, non-finite or inverted ranges; unknown format', () => {
    for (const format of ['qdq', 'qoperator'] as const) expect(() => quantizeStatic(model, {}, { format })).toThrow(/no calibrated range for (input )?"x"/);
    expect(() => quantizeStatic(model, { ...ranges, x: { min: 0, max: Number.NaN } })).toThrow(/range of "x" must be finite/);
    expect(() => quantizeStatic(model, { ...ranges, x: { min: 1, max: -1 } })).toThrow(/min ≤ max/);
    expect(() => quantizeStatic(model, ranges, { format: 'qop' as 'qdq' })).toThrow(/"format" must be 'qdq' or 'qoperator'/);
  });
});
