import { describe, expect, it } from 'vitest';
import { A, f32, graph, i64, model, node, vi } from './__fixtures__/graph-builder';
import { inferShapes } from './infer-shapes';

describe('inferShapes', () => {
  it('propagates a symbolic batch through conv, pooling, flatten, gemm and softmax', () => {
    const g = graph({
      nodes: [
        node('Conv', ['x', 'w', 'b'], ['c'], { kernel_shape: A.ints([3, 3]), pads: A.ints([1, 1, 1, 1]) }),
        node('Relu', ['c'], ['r']),
        node('MaxPool', ['r'], ['p'], { kernel_shape: A.ints([2, 2]), strides: A.ints([2, 2]) }),
        node('Flatten', ['p'], ['f']),
        node('Gemm', ['f', 'fc', 'fcb'], ['logits'], { transB: A.int(1) }),
        node('Softmax', ['logits'], ['prob']),
      ],
      inputs: [vi('x', 'float32', ['N', 1, 28, 28])],
      outputs: [vi('prob')],
      initializers: {
        w: f32([8, 1, 3, 3], new Array(72).fill(0)),
        b: f32([8], new Array(8).fill(0)),
        fc: f32([10, 8 * 14 * 14], new Array(10 * 8 * 14 * 14).fill(0)),
        fcb: f32([10], new Array(10).fill(0)),
      },
    });
    const infos = inferShapes(model(g, 13));
    expect(infos.get('c')).toEqual({ name: 'c', dtype: 'float32', shape: ['N', 8, 28, 28] });
    expect(infos.get('p')?.shape).toEqual(['N', 8, 14, 14]);
    expect(infos.get('f')?.shape).toEqual(['N', 1568]);
    expect(infos.get('logits')?.shape).toEqual(['N', 10]);
    expect(infos.get('prob')).toEqual({ name: 'prob', dtype: 'float32', shape: ['N', 10] });
    expect(infos.get('w')?.shape).toEqual([8, 1, 3, 3]);
  });

  it('folds constant shape computations (Shape → Gather → Unsqueeze → Concat → Reshape)', () => {
    const g = graph({
      nodes: [
        node('Shape', ['x'], ['s']),
        node('Gather', ['s', 'zero'], ['n'], { axis: A.int(0) }),
        node('Unsqueeze', ['n', 'ax0'], ['n1']),
        node('Concat', ['n1', 'minus1'], ['target'], { axis: A.int(0) }),
        node('Reshape', ['x', 'target'], ['y']),
        node('Cast', ['s'], ['sf'], { to: A.int(1) }),
      ],
      inputs: [vi('x', 'float32', [2, 3, 4])],
      outputs: [vi('y')],
      initializers: { zero: i64([0], []), ax0: i64([0]), minus1: i64([-1]) },
    });
    const infos = inferShapes(model(g, 13));
    expect(infos.get('s')).toEqual({ name: 's', dtype: 'int64', shape: [3] });
    expect(infos.get('target')?.shape).toEqual([2]);
    expect(infos.get('y')?.shape).toEqual([2, 12]);
    expect(infos.get('sf')?.dtype).toBe('float32');
  });

  it('keeps the symbolic batch through Reshape to [-1, k] and through elementwise broadcasting', () => {
    const g = graph({
      nodes: [node('Reshape', ['x', 'shape'], ['r']), node('Add', ['r', 'bias'], ['y']), node('MatMul', ['y', 'w'], ['z'])],
      inputs: [vi('x', 'float32', ['batch', 4, 4])],
      outputs: [vi('z')],
      initializers: { shape: i64([-1, 16]), bias: f32([16], new Array(16).fill(0)), w: f32([16, 3], new Array(48).fill(0)) },
    });
    const infos = inferShapes(model(g, 13));
    expect(infos.get('r')?.shape).toEqual(['batch', 16]);
    expect(infos.get('y')?.shape).toEqual(['batch', 16]);
    expect(infos.get('z')?.shape).toEqual(['batch', 3]);
  });

  it('quantized ops: dtypes from zero points; unknown ops fall back to declared value info', () => {
    const g = graph({
      nodes: [
        node('QuantizeLinear', ['x', 's', 'zp'], ['q']),
        node('Mystery', ['q'], ['m'], {}, { domain: 'x.y' }),
        node('DequantizeLinear', ['q', 's', 'zp'], ['d']),
      ],
      inputs: [vi('x', 'float32', ['n', 8])],
      outputs: [vi('d')],
      initializers: { s: f32([], [0.1]), zp: i64([0], []) },
      valueInfo: [vi('m', 'float16', ['n', 2])],
    });
    // (zp is int64 only to test that inference never throws on a graph the executor would reject)
    const infos = inferShapes(model(g, 13));
    expect(infos.get('q')).toEqual({ name: 'q', dtype: 'int64', shape: ['n', 8] });
    expect(infos.get('m')).toEqual({ name: 'm', dtype: 'float16', shape: ['n', 2] });
    expect(infos.get('d')?.shape).toEqual(['n', 8]);
  });

  it('Split with sizes, Slice, Transpose and Concat shapes', () => {
    const g = graph({
      nodes: [
        node('Split', ['x', 'sizes'], ['a', 'b'], { axis: A.int(1) }),
        node('Transpose', ['a'], ['t'], { perm: A.ints([1, 0]) }),
        node('Slice', ['b', 'st', 'en', 'ax'], ['s']),
        node('Concat', ['a', 's'], ['c'], { axis: A.int(1) }),
      ],
      inputs: [vi('x', 'float32', ['n', 10])],
      outputs: [vi('c')],
      initializers: { sizes: i64([4, 6]), st: i64([1]), en: i64([5]), ax: i64([1]) },
    });
    const infos = inferShapes(model(g, 13));
    expect(infos.get('a')?.shape).toEqual(['n', 4]);
    expect(infos.get('b')?.shape).toEqual(['n', 6]);
    expect(infos.get('t')?.shape).toEqual([4, 'n']);
    expect(infos.get('s')?.shape).toEqual(['n', 4]);
    expect(infos.get('c')?.shape).toEqual(['n', 8]);
  });

  it('carries symbolic elements of Shape through Gather/Unsqueeze/Concat into Reshape, Expand and ConstantOfShape', () => {
    // PyTorch's x.view(x.size(0), -1) with a dynamic batch
    const g = graph({
      nodes: [
        node('Shape', ['x'], ['s']),
        node('Gather', ['s', 'zero'], ['n'], { axis: A.int(0) }),
        node('Unsqueeze', ['n', 'ax0'], ['n1']),
        node('Concat', ['n1', 'minus1'], ['target'], { axis: A.int(0) }),
        node('Reshape', ['x', 'target'], ['flat']),
        node('Slice', ['s', 'zero1', 'two'], ['s01']),
        node('Concat', ['s01', 'four'], ['t2'], { axis: A.int(0) }),
        node('ConstantOfShape', ['t2'], ['zeros']),
        node('Expand', ['row', 's01'], ['ex']),
      ],
      inputs: [vi('x', 'float32', ['N', 8, 14, 14])],
      outputs: [vi('flat'), vi('zeros'), vi('ex')],
      initializers: {
        zero: i64([0], []),
        zero1: i64([0]),
        two: i64([2]),
        ax0: i64([0]),
        minus1: i64([-1]),
        four: i64([4]),
        row: f32([1, 8], new Array(8).fill(0)),
      },
    });
    const infos = inferShapes(model(g, 13));
    expect(infos.get('s')?.shape).toEqual([4]);
    expect(infos.get('flat')?.shape).toEqual(['N', 1568]);
    expect(infos.get('zeros')?.shape).toEqual(['N', 8, 4]);
    expect(infos.get('ex')?.shape).toEqual(['N', 8]);
  });
});
