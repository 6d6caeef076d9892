// Allocation bombs: tiny graphs whose constants ask for huge outputs. Each must fail fast with a MemoryLimitError that
// names the node, before any memory is taken (the test would otherwise take minutes or die of the process limit).
import { MemoryLimitError, Tensor, maxTensorBytes } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { A, f32, graph, i64, model, node, vi } from './__fixtures__/graph-builder';
import { InferenceSession } from './inference-session';
import { GraphError } from './graph-error';

function bomb(n: ReturnType<typeof node>, initializers: Record<string, Tensor>, inputs = [vi('x', 'float32', [1])], opset = 18) {
  return InferenceSession.create(model(graph({ nodes: [n], inputs, outputs: [vi(n.outputs[0])], initializers }), opset));
}

function thrown(f: () => unknown): MemoryLimitError {
  try {
    f();
  } catch (e) {
    if (e instanceof MemoryLimitError) return e;
    throw e;
  }
  throw new Error('no error');
}

const x = f32([1], [1]);
const huge = 1e6; // [1e6, 1e6] float32 = 4e12 bytes

describe('allocation limit (maxTensorBytes)', () => {
  it('refuses the growth ops before allocating, naming the node', () => {
    const cases: [string, () => InferenceSession, Record<string, Tensor>, RegExp][] = [
      ['Expand', () => bomb(node('Expand', ['x', 's'], ['y'], {}, { name: 'boom' }), { s: i64([huge, huge]) }), { x }, /Expand "boom".*Expand output \[1000000,1000000\] of float32 needs/],
      ['Tile', () => bomb(node('Tile', ['x', 'r'], ['y'], {}, { name: 'boom' }), { r: i64([1e12]) }), { x }, /Tile "boom".*Tile output \[1000000000000\]/],
      ['Pad', () => bomb(node('Pad', ['x', 'p'], ['y'], {}, { name: 'boom' }), { p: i64([0, 1e12]) }), { x }, /Pad "boom".*Pad output/],
      ['ConstantOfShape', () => bomb(node('ConstantOfShape', ['s'], ['y'], {}, { name: 'boom' }), { s: i64([huge, huge]) }, []), {}, /ConstantOfShape "boom".*ConstantOfShape output \[1000000,1000000\] of float32/],
      ['Range', () => bomb(node('Range', ['a', 'b', 'c'], ['y'], {}, { name: 'boom' }), { a: i64([0], []), b: i64([1e15], []), c: i64([1], []) }, []), {}, /Range "boom".*Range output \[1000000000000000\] of int64/],
      ['Resize', () => bomb(node('Resize', ['x', '', 's'], ['y'], { mode: A.str('nearest') }, { name: 'boom' }), { s: f32([2], [1e6, 1e6]) }, [vi('x', 'float32', [1, 1])]), { x: f32([1, 1], [1]) }, /Resize "boom".*Resize output \[1000000,1000000\]/],
      ['Add', () => bomb(node('Add', ['x', 'b'], ['y'], {}, { name: 'boom' }), { b: Tensor.zeros('float32', [1, 40000]) }, [vi('x', 'float32', [40000, 1])]), { x: Tensor.zeros('float32', [40000, 1]) }, /Add "boom".*Add output \[40000,40000\] of float32 needs 5.96 GiB/],
    ];
    for (const [op, make, feeds, message] of cases) {
      const e = thrown(() => make().run(feeds));
      expect(e.message, op).toMatch(message);
      expect(e.limit, op).toBe(2 ** 31);
    }
  });

  it('applies a session limit during its runs only, and lets outputs at the limit through', () => {
    const n = node('Expand', ['x', 's'], ['y'], {}, { name: 'grow' });
    const strict = InferenceSession.create(model(graph({ nodes: [n], inputs: [vi('x', 'float32', [1]), vi('s', 'int64', [1])], outputs: [vi('y')] })), { maxTensorBytes: 400 });
    expect(strict.run({ x, s: i64([100]) }).y.size).toBe(100); // 400 bytes: at the limit
    const e = thrown(() => strict.run({ x, s: i64([101]) }));
    expect(e.message).toMatch(/^Expand "grow": Expand output \[101\] of float32 needs 404 B \(404 bytes\), above the tensor size limit of 400 B/);
    expect(e.limit).toBe(400);
    expect(maxTensorBytes()).toBe(2 ** 31); // restored after the failed run
    expect(() => InferenceSession.create(model(graph({ nodes: [n], inputs: [], outputs: [vi('y')] })), { maxTensorBytes: 0 })).toThrow(GraphError);
  });

  it('checks the executor buffer allocator too (MatMul output)', () => {
    const mm = node('MatMul', ['a', 'b'], ['y'], {}, { name: 'mm' });
    const s = InferenceSession.create(model(graph({ nodes: [mm], inputs: [vi('a', 'float32', [50, 1]), vi('b', 'float32', [1, 50])], outputs: [vi('y')] })), { maxTensorBytes: 9999 });
    const e = thrown(() => s.run({ a: Tensor.zeros('float32', [50, 1]), b: Tensor.zeros('float32', [1, 50]) }));
    expect(e.message).toMatch(/^MatMul "mm": MatMul output \[50,50\] of float32 needs 9.77 KiB \(10000 bytes\)/);
  });
});
