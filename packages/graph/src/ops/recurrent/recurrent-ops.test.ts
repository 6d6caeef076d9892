import { DTypeError, ShapeError, Tensor, ValueError } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { A, f32, graph, model, node, vi } from '../../__fixtures__/graph-builder';
import { GraphError } from '../../graph-error';
import { createSession } from '../../inference-session';
import { UnsupportedOpError } from '../../unsupported-op-error';
import type { Attribute } from '../../ir';

/** One recurrent node with X fed and the rest as initializers; outputs Y, Y_h (, Y_c). */
function single(op: string, init: Record<string, Tensor>, order: string[], attrs: Record<string, Attribute>, xShape: number[]) {
  const outputs = op === 'LSTM' ? ['Y', 'Y_h', 'Y_c'] : ['Y', 'Y_h'];
  const feeds = order.filter((n) => n !== '' && !(n in init));
  return model(
    graph({
      nodes: [node(op, order, outputs, attrs, { name: 'rec' })],
      inputs: feeds.map((n) => vi(n, n === 'sequence_lens' ? 'int32' : 'float32', n === 'X' ? xShape : undefined)),
      outputs: outputs.map((o) => vi(o)),
      initializers: init,
    }),
    14,
  );
}

describe('recurrent ops, plain math', () => {
  it('RNN, one unit, tanh: h1 = tanh(0.5·1), h2 = tanh(0.5·2 − 0.25·h1 + 0.1)', () => {
    const m = single('RNN', { W: f32([1, 1, 1], [0.5]), R: f32([1, 1, 1], [-0.25]), B: f32([1, 2], [0.1, 0]) }, ['X', 'W', 'R', 'B'], { hidden_size: A.int(1) }, [2, 1, 1]);
    const out = createSession(m).run({ X: f32([2, 1, 1], [1, 2]) });
    const h1 = Math.tanh(0.5 + 0.1);
    const h2 = Math.tanh(1 - 0.25 * h1 + 0.1);
    expect(Array.from(out.Y.data as Float32Array)).toEqual([Math.fround(h1), Math.fround(h2)]);
    expect(out.Y.shape).toEqual([2, 1, 1, 1]);
    expect(Array.from(out.Y_h.data as Float32Array)).toEqual([Math.fround(h2)]);
  });

  it('LSTM, one unit, input_forget and a peephole on o: c = (1 − i)·c0 + i·tanh(g), h = σ(o + p·c)·tanh(c)', () => {
    // Gates i, o, f, c: W rows [0.3, −0.2, 0.9 (unused: f = 1 − i), 0.7], R 0, P [i 0, o 0.5, f 0].
    const m = single(
      'LSTM',
      { W: f32([1, 4, 1], [0.3, -0.2, 0.9, 0.7]), R: f32([1, 4, 1], [0, 0, 0, 0]), P: f32([1, 3], [0, 0.5, 0]) },
      ['X', 'W', 'R', '', '', '', 'initial_c', 'P'],
      { hidden_size: A.int(1), input_forget: A.int(1) },
      [1, 1, 1],
    );
    const out = createSession(m).run({ X: f32([1, 1, 1], [2]), initial_c: f32([1, 1, 1], [0.4]) });
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    const i = s(0.6);
    const c = Math.fround((1 - i) * 0.4 + i * Math.tanh(1.4));
    const h = s(-0.4 + 0.5 * c) * Math.tanh(c);
    // Within one float32 step (the states are stored as float32).
    expect(Math.abs((out.Y_c.data as Float32Array)[0] - c)).toBeLessThan(1.2e-7);
    expect(Math.abs((out.Y_h.data as Float32Array)[0] - h)).toBeLessThan(1.2e-7);
  });

  it('GRU with and without linear_before_reset differ exactly as the equations say', () => {
    // One unit; z row 0 (z = 0.5), r row: W 1 (r = σ(x)), h row: W 1, R 2, Rbh 0.3; h0 = 0.5.
    const init = { W: f32([1, 3, 1], [0, 1, 1]), R: f32([1, 3, 1], [0, 0, 2]), B: f32([1, 6], [0, 0, 0, 0, 0, 0.3]) };
    const run = (lbr: number) => (createSession(single('GRU', init, ['X', 'W', 'R', 'B', '', 'initial_h'], { hidden_size: A.int(1), linear_before_reset: A.int(lbr) }, [1, 1, 1]))
      .run({ X: f32([1, 1, 1], [1]), initial_h: f32([1, 1, 1], [0.5]) }).Y_h.data as Float32Array)[0];
    const r = 1 / (1 + Math.exp(-1));
    expect(run(0)).toBeCloseTo(0.5 * Math.tanh(1 + 2 * (r * 0.5) + 0.3) + 0.25, 7);
    expect(run(1)).toBeCloseTo(0.5 * Math.tanh(1 + r * (2 * 0.5 + 0.3)) + 0.25, 7);
  });
});

describe('recurrent ops, bad input', () => {
  const W = f32([1, 4, 2], new Array(8).fill(0.1));
  const R = f32([1, 4, 1], new Array(4).fill(0.1));

  it('a W of the wrong shape is a ShapeError at load naming the node and the input', () => {
    const m = single('LSTM', { W: f32([1, 3, 2], new Array(6).fill(0)), R }, ['X', 'W', 'R'], { hidden_size: A.int(1) }, [2, 1, 2]);
    expect(() => createSession(m)).toThrow(ShapeError);
    expect(() => createSession(m)).toThrow(/^LSTM "rec".*input "W" has shape \[1,3,2\]; expected \[1,4,2\]/);
  });

  it('hidden_size disagreeing with R, or a bad direction, is a GraphError at load', () => {
    expect(() => createSession(single('LSTM', { W, R }, ['X', 'W', 'R'], { hidden_size: A.int(2) }, [2, 1, 2]))).toThrow(GraphError);
    expect(() => createSession(single('LSTM', { W, R }, ['X', 'W', 'R'], { direction: A.str('sideways') }, [2, 1, 2]))).toThrow(/direction.*sideways/);
  });

  it('an unknown activation is refused at load (UnsupportedOpError)', () => {
    const m = single('RNN', { W: f32([1, 1, 2], [1, 1]), R: f32([1, 1, 1], [1]) }, ['X', 'W', 'R'], { activations: { type: 'strings', value: ['Swish'] } }, [2, 1, 2]);
    expect(() => createSession(m)).toThrow(UnsupportedOpError);
  });

  it('run-time inputs that do not fit: X input size, sequence_lens range, initial_h dtype', () => {
    const s = createSession(single('LSTM', { W, R }, ['X', 'W', 'R', '', 'sequence_lens', 'initial_h'], {}, [2, 1, 2]));
    const lens = Tensor.from('int32', [1], [2]);
    const h0 = f32([1, 1, 1], [0]);
    expect(() => s.run({ X: f32([2, 1, 3], new Array(6).fill(0)), sequence_lens: lens, initial_h: h0 })).toThrow(ShapeError);
    expect(() => s.run({ X: f32([2, 1, 2], [1, 2, 3, 4]), sequence_lens: Tensor.from('int32', [1], [3]), initial_h: h0 })).toThrow(ValueError);
    expect(() => s.run({ X: f32([2, 1, 2], [1, 2, 3, 4]), sequence_lens: Tensor.from('int32', [1], [3]), initial_h: h0 })).toThrow(/^LSTM "rec": sequence_lens\[0\] = 3 is outside \[0, 2\]/);
    expect(() => s.run({ X: f32([2, 1, 2], [1, 2, 3, 4]), sequence_lens: lens, initial_h: Tensor.from('int32', [1, 1, 1], [0]) })).toThrow(DTypeError);
  });
});
