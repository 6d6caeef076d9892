import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { A, graph, model, node, vi } from './__fixtures__/graph-builder';
import { createSession } from './inference-session';
import { UnsupportedOpError } from './unsupported-op-error';

const h = (shape: number[], v: number[]): Tensor => Tensor.from('float16', shape, v);
const bf = (shape: number[], v: number[]): Tensor => Tensor.from('bfloat16', shape, v);

describe('float16 and bfloat16 through the float32 ops', () => {
  it('MatMul in float16 computes in float32 and rounds its output once (hand-checked ties)', () => {
    // [1, 2^-11] · [1, 1]ᵀ = 1 + 2^-11: exactly between the float16 neighbours 1 and 1 + 2^-10 → 1 (even).
    // [1, 3·2^-11] · [1, 1]ᵀ = 1 + 3·2^-11: between 1 + 2^-10 and 1 + 2^-9 → 1 + 2^-9 (even).
    const s = createSession(
      model(graph({ nodes: [node('MatMul', ['a', 'b'], ['y'])], inputs: [vi('a', 'float16', [2, 2])], outputs: [vi('y', 'float16', [2, 1])], initializers: { b: h([2, 1], [1, 1]) } })),
    );
    const y = s.run({ a: h([2, 2], [1, 2 ** -11, 1, 3 * 2 ** -11]) }).y;
    expect(y.dtype).toBe('float16');
    expect(y.toArray()).toEqual([1, 1 + 2 ** -9]);
  });

  it('Conv, Softmax and Range take float16; bfloat16 Add rounds to bfloat16', () => {
    const conv = createSession(
      model(
        graph({
          nodes: [node('Conv', ['x', 'w'], ['c']), node('Softmax', ['c'], ['y'], { axis: A.int(1) })],
          inputs: [vi('x', 'float16', [1, 1, 1, 2])],
          outputs: [vi('y', 'float16', [1, 2, 1, 2])],
          initializers: { w: h([2, 1, 1, 1], [1, -1]) },
        }),
      ),
    );
    // channels (x, −x): softmax over them at each pixel; x = 0 gives 0.5 each, x = ln 3 / 2 gives 3/4 and 1/4.
    const y = conv.run({ x: h([1, 1, 1, 2], [0, Math.log(3) / 2]) }).y;
    expect(y.dtype).toBe('float16');
    expect(y.toArray()).toEqual([0.5, 0.75, 0.5, 0.25]);
    const range = createSession(
      model(graph({ nodes: [node('Range', ['s', 'l', 'd'], ['y'])], inputs: [vi('s', 'float16', []), vi('l', 'float16', []), vi('d', 'float16', [])], outputs: [vi('y', 'float16', [2])] })),
    );
    expect(range.run({ s: h([], [1]), l: h([], [5]), d: h([], [2]) }).y.toArray()).toEqual([1, 3]);
    const add = createSession(model(graph({ nodes: [node('Add', ['a', 'b'], ['y'])], inputs: [vi('a', 'bfloat16', [1]), vi('b', 'bfloat16', [1])], outputs: [vi('y', 'bfloat16', [1])] })));
    // 1 + 2^-8 is halfway between bfloat16's 1 and 1 + 2^-7: ties to even gives 1.
    const sum = add.run({ a: bf([1], [1]), b: bf([1], [2 ** -8]) }).y;
    expect(sum.dtype).toBe('bfloat16');
    expect(sum.toArray()).toEqual([1]);
  });
});

describe('float64 and the storage-only dtypes', () => {
  it('float64 arithmetic and MatMul stay in double precision', () => {
    const s = createSession(
      model(
        graph({
          nodes: [node('MatMul', ['a', 'b'], ['m']), node('Div', ['m', 'three'], ['y'])],
          inputs: [vi('a', 'float64', [1, 2])],
          outputs: [vi('y', 'float64', [1, 1])],
          initializers: { b: Tensor.from('float64', [2, 1], [1, 1]), three: Tensor.from('float64', [], [3]) },
        }),
      ),
    );
    // (1 + 2^-40) / 3 in double; float32 could not hold 2^-40 next to 1.
    const y = s.run({ a: Tensor.from('float64', [1, 2], [1, 2 ** -40]) }).y;
    expect(y.dtype).toBe('float64');
    expect(y.get([0, 0])).toBe((1 + 2 ** -40) / 3);
  });

  it('float64 Softmax normalizes in double precision', () => {
    const s = createSession(model(graph({ nodes: [node('Softmax', ['x'], ['y'])], inputs: [vi('x', 'float64', [1, 2])], outputs: [vi('y', 'float64', [1, 2])] })));
    // softmax(0, ln 3 + 2^-40) = (1, 3·e^(2^-40)) / sum: the 2^-40 shows in double, not in float32.
    const y = s.run({ x: Tensor.from('float64', [1, 2], [0, Math.log(3) + 2 ** -40]) }).y;
    expect(y.dtype).toBe('float64');
    const e = 3 * Math.exp(2 ** -40);
    expect(Math.abs(y.get([0, 1]) - e / (1 + e))).toBeLessThan(1e-15);
    expect(y.get([0, 1])).not.toBe(0.75);
  });

  it('refuses at load an op that has no float64 or float8 implementation', () => {
    const conv = model(graph({ nodes: [node('Conv', ['x', 'w'], ['y'])], inputs: [vi('x', 'float64', [1, 1, 2, 2])], outputs: [vi('y')], initializers: { w: Tensor.from('float64', [1, 1, 1, 1], [1]) } }));
    expect(() => createSession(conv)).toThrow(UnsupportedOpError);
    expect(() => createSession(conv)).toThrow(/Conv.*float64 inputs are not supported/);
    const relu = model(graph({ nodes: [node('Relu', ['x'], ['y'])], inputs: [vi('x', 'float8e4m3fn', [2])], outputs: [vi('y')] }));
    expect(() => createSession(relu)).toThrow(/Relu.*float8e4m3fn inputs are not supported/);
    // The dtype propagates from a Cast: the MaxPool after it is refused too.
    const chain = model(
      graph({
        nodes: [node('Cast', ['x'], ['c'], { to: A.int(11) }), node('MaxPool', ['c'], ['y'], { kernel_shape: A.ints([1, 1]) })],
        inputs: [vi('x', 'float32', [1, 1, 2, 2])],
        outputs: [vi('y')],
      }),
    );
    expect(() => createSession(chain)).toThrow(/MaxPool.*float64 inputs are not supported/);
  });
});
