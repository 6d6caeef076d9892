import { describe, expect, it } from 'vitest';
import { A, f32, graph, i64, model, node, vi } from '../__fixtures__/graph-builder';
import { createSession } from '../inference-session';

function topk(opset: number, x: ReturnType<typeof f32>, attrs: Record<string, ReturnType<typeof A.int>>, k?: number) {
  const inputs = k === undefined ? ['x'] : ['x', 'k'];
  const g = graph({
    nodes: [node('TopK', inputs, ['v', 'i'], attrs, { name: 'topk' })],
    inputs: [vi('x', 'float32', [...x.shape])],
    outputs: [vi('v'), vi('i')],
    initializers: k === undefined ? {} : { k: i64([k]) },
  });
  const out = createSession(model(g, opset)).run({ x });
  return { v: Array.from(out.v.data as Float32Array), i: Array.from(out.i.data as BigInt64Array, Number), shape: out.v.shape };
}

describe('TopK', () => {
  const x = f32([2, 4], [3, 1, 3, 2, -1, 5, 0, 5]);

  it('opset 1 (k attribute): largest first, equal values by lower index', () => {
    expect(topk(1, x, { k: A.int(3) })).toEqual({ v: [3, 3, 2, 5, 5, 0], i: [0, 2, 3, 1, 3, 2], shape: [2, 3] });
  });

  it('opset 10 (k input) along axis 0', () => {
    expect(topk(10, x, { axis: A.int(0) }, 1)).toEqual({ v: [3, 5, 3, 5], i: [0, 1, 0, 1], shape: [1, 4] });
  });

  it('opset 11 smallest', () => {
    expect(topk(11, x, { largest: A.int(0) }, 2)).toEqual({ v: [1, 2, -1, 0], i: [1, 3, 0, 2], shape: [2, 2] });
  });

  it('refuses k beyond the axis, naming the node', () => {
    expect(() => topk(11, x, {}, 5)).toThrow(/TopK.*k = 5 must be between 0 and the size of axis 1 \(4\)/);
  });
});
