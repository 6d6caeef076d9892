import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { makeModel, op } from '../test/__fixtures__/models';
import { staticLayers } from './static-plan';

const W = Tensor.from('float32', [2, 1, 1, 1], [1, -1]);
const types = new Set(['Conv', 'MatMul']);
const conv = (extra: Parameters<typeof makeModel>[0], inits: Record<string, Tensor>, outputs: string[]) =>
  makeModel([op('Conv', ['x', 'W'], ['c'], {}, 'conv'), ...extra], { W, ...inits }, [{ name: 'x', shape: [1, 1, 2, 2] }], outputs);

describe('staticLayers', () => {
  it('fuses a per-channel bias Add and a Relu into a Conv', () => {
    const m = conv([op('Add', ['c', 'b'], ['a']), op('Relu', ['a'], ['r']), op('Neg', ['r'], ['y'])], { b: Tensor.from('float32', [1, 2, 1, 1], [3, 4]) }, ['y']);
    const [l] = staticLayers(m.graph, types);
    expect([l.x, l.y]).toEqual(['x', 'r']);
    expect(l.fused.map((n) => n.opType)).toEqual(['Add', 'Relu']);
    expect(Array.from(l.bias!)).toEqual([3, 4]);
    // [2, 1, 1] (mnist-8's layout) is per channel too.
    const m2 = conv([op('Add', ['b', 'c'], ['a'])], { b: Tensor.from('float32', [2, 1, 1], [3, 4]) }, ['a']);
    expect(staticLayers(m2.graph, types)[0].y).toBe('a');
  });

  it('does not fuse what is not a per-channel bias, a shared output, or a graph output', () => {
    // [2] broadcasts along the last (width) axis, not the channels.
    const lastAxis = conv([op('Add', ['c', 'b'], ['a'])], { b: Tensor.from('float32', [2], [3, 4]) }, ['a']);
    expect(staticLayers(lastAxis.graph, types)[0]).toMatchObject({ y: 'c', fused: [] });
    const shared = conv([op('Relu', ['c'], ['r']), op('Neg', ['c'], ['n'])], {}, ['r', 'n']);
    expect(staticLayers(shared.graph, types)[0]).toMatchObject({ y: 'c', fused: [] });
    const exposed = conv([op('Relu', ['c'], ['r'])], {}, ['c', 'r']);
    expect(staticLayers(exposed.graph, types)[0].y).toBe('c');
  });

  it('a Conv with B: B is the bias and a Relu still fuses; MatMul needs a constant rank-2 weight', () => {
    const m = makeModel(
      [op('Conv', ['x', 'W', 'B'], ['c'], {}, 'conv'), op('Relu', ['c'], ['r']), op('Reshape', ['r', 's'], ['f']), op('MatMul', ['f', 'M'], ['y'], {}, 'fc'), op('MatMul', ['f', 'M3'], ['z'], {}, 'fc3')],
      { W, B: Tensor.from('float32', [2], [5, 6]), s: Tensor.from('int64', [2], [1, 8]), M: Tensor.from('float32', [8, 3], new Float32Array(24)), M3: Tensor.from('float32', [1, 8, 3], new Float32Array(24)) },
      [{ name: 'x', shape: [1, 1, 2, 2] }],
      ['y', 'z'],
    );
    const layers = staticLayers(m.graph, types);
    expect(layers.map((l) => [l.node.name, l.x, l.y])).toEqual([['conv', 'x', 'r'], ['fc', 'f', 'y']]);
    expect(Array.from(layers[0].bias!)).toEqual([5, 6]);
    expect(staticLayers(m.graph, new Set(['MatMul'])).map((l) => l.node.name)).toEqual(['fc']);
  });
});
