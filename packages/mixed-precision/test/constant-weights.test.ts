// Layers whose weight is held in a Constant node, or reached through a constant chain, are measured like any other.
import type { Model } from '@qint/graph';
import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { measureSensitivity } from '../src';

function values(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 30 - 1;
  });
}

describe('measureSensitivity with weights in Constant nodes', () => {
  // x [4, 8] · Constant W [8, 6] → Relu → · Transpose(Constant V [5, 6]) → y [4, 5]
  const model: Model = {
    irVersion: 8,
    opsetImports: { '': 13 },
    producerName: 'test',
    producerVersion: '0',
    metadata: {},
    graph: {
      name: 'g',
      nodes: [
        { name: 'w', opType: 'Constant', domain: '', inputs: [], outputs: ['W'], attributes: { value: { type: 'tensor', value: Tensor.from('float32', [8, 6], values(48, 1)) } } },
        { name: 'v', opType: 'Constant', domain: '', inputs: [], outputs: ['V'], attributes: { value: { type: 'tensor', value: Tensor.from('float32', [5, 6], values(30, 2)) } } },
        { name: 'vt', opType: 'Transpose', domain: '', inputs: ['V'], outputs: ['VT'], attributes: { perm: { type: 'ints', value: [1, 0] } } },
        { name: 'fc1', opType: 'MatMul', domain: '', inputs: ['x', 'W'], outputs: ['h'], attributes: {} },
        { name: 'relu', opType: 'Relu', domain: '', inputs: ['h'], outputs: ['r'], attributes: {} },
        { name: 'fc2', opType: 'MatMul', domain: '', inputs: ['r', 'VT'], outputs: ['y'], attributes: {} },
      ],
      initializers: new Map(),
      inputs: [{ name: 'x', dtype: 'float32', shape: [4, 8] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [4, 5] }],
      valueInfo: [],
    },
  };

  it('finds both layers and measures more damage at 2 bits than at 8', () => {
    const { table } = measureSensitivity(model, { calibration: [{ x: Tensor.from('float32', [4, 8], values(32, 3)) }], metric: 'mse' });
    expect(table.layers.map((l) => l.weightCount).sort((a, b) => a - b)).toEqual([30, 48]);
    for (const layer of table.layers) {
      const at = (bits: number): number[] => layer.candidates.filter((c) => c.bits === bits).map((c) => c.damage);
      expect(Math.min(...at(2))).toBeGreaterThan(Math.max(...at(8)));
    }
  });
});
