// Small float models built in code (weights from a seeded generator).
import type { Attribute, Model, Node } from '@qint/graph';
import { Tensor } from '@qint/tensor';

/** Deterministic values in [-1, 1) (mulberry32). */
export function randomData(count: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 * 2 - 1;
  }
  return out;
}

export function makeModel(nodes: Node[], inits: Record<string, Tensor>, inputs: { name: string; shape: (number | string)[] }[], outputs: string[], opset = 17): Model {
  return {
    irVersion: 8,
    opsetImports: { '': opset },
    producerName: 'qint-test',
    producerVersion: '0',
    metadata: {},
    graph: {
      name: 'g',
      nodes,
      initializers: new Map(Object.entries(inits)),
      inputs: inputs.map((i) => ({ name: i.name, dtype: 'float32', shape: i.shape })),
      outputs: outputs.map((o) => ({ name: o, dtype: 'float32' })),
      valueInfo: [],
    },
  };
}

export function op(opType: string, inputs: string[], outputs: string[], attributes: Record<string, Attribute> = {}, name = `${opType}_${outputs[0]}`): Node {
  return { name, opType, domain: '', inputs, outputs, attributes };
}

/** y = x · W + b (MatMul + Add), W [k, n]. */
export function linearModel(k: number, n: number, seed: number): Model {
  return makeModel(
    [op('MatMul', ['x', 'W'], ['xw'], {}, 'fc'), op('Add', ['xw', 'b'], ['y'], {}, 'fc_bias')],
    { W: Tensor.from('float32', [k, n], randomData(k * n, seed).map((v) => v * 0.2)), b: Tensor.from('float32', [n], randomData(n, seed + 1)) },
    [{ name: 'x', shape: ['batch', k] }],
    ['y'],
  );
}
