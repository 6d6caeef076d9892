import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { InferenceSession } from './inference-session';
import type { Graph, Node } from './ir';

const node = (name: string, opType: string, inputs: string[], outputs: string[], domain = ''): Node => ({ name, opType, domain, inputs, outputs, attributes: {} });

/** X [1,2,5,5] → Conv (3 outputs, 3×3, no bias) → Add(bias) → Relu → Y, with knobs for the cases that must not fuse. */
function convChain(options: { bias?: Tensor; extraUse?: boolean; convBias?: boolean; dynamic?: boolean } = {}): Graph {
  const w = Tensor.from('float32', [3, 2, 3, 3], Float32Array.from({ length: 54 }, (_, i) => Math.sin(i) * 0.5));
  const initializers = new Map<string, Tensor>([
    ['b', options.bias ?? Tensor.from('float32', [3, 1, 1], [0.25, -8, 0.5])],
    ['w', w],
    ['cb', Tensor.from('float32', [3], [1, 2, 3])],
  ]);
  let conv = node('conv', 'Conv', ['x', 'w', ...(options.convBias ? ['cb'] : [])], ['c']);
  if (options.dynamic) {
    initializers.set('wq', Tensor.from('int8', [3, 2, 3, 3], Int8Array.from({ length: 54 }, (_, i) => ((i * 37) % 255) - 127)));
    initializers.set('ws', Tensor.from('float32', [3], [0.01, 0.02, 0.03]));
    conv = node('conv', 'DynamicConv', ['x', 'wq', 'ws', '', ''], ['c'], 'ai.qint');
  }
  const nodes = [conv, node('add', 'Add', ['c', 'b'], ['a']), node('relu', 'Relu', ['a'], ['y'])];
  const outputs = [{ name: 'y' }];
  if (options.extraUse) {
    nodes.push(node('neg', 'Neg', ['c'], ['n']));
    outputs.push({ name: 'n' });
  }
  return { name: 'g', nodes, initializers, inputs: [{ name: 'x', dtype: 'float32', shape: [1, 2, 5, 5] }], outputs, valueInfo: [] };
}

const x = Tensor.from('float32', [1, 2, 5, 5], Float32Array.from({ length: 50 }, (_, i) => Math.cos(i) * 3));
const opsets = { opsetImports: { '': 17, 'ai.qint': 1 } };

function runBoth(graph: Graph) {
  const fused = InferenceSession.create(graph, opsets);
  const plain = InferenceSession.create(graph, { ...opsets, fuse: false });
  const a = fused.run({ x });
  const b = plain.run({ x });
  return { fused, plain, a, b };
}

describe('Conv → Add → Relu fusion', () => {
  it('runs the chain as one node with the same results (float Conv, within float rounding)', () => {
    const { fused, plain, a, b } = runBoth(convChain());
    expect(fused.lastRunStats.nodesRun).toBe(1);
    expect(plain.lastRunStats.nodesRun).toBe(3);
    const [ya, yb] = [a.y.toArray(), b.y.toArray()];
    expect(ya.some((v) => v === 0) && ya.some((v) => v > 0)).toBe(true); // the Relu really clips
    ya.forEach((v, i) => expect(Math.abs(v - yb[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(yb[i]))));
  });

  it('fuses a chain whose nodes name the ONNX domain as ai.onnx (the session runs them as ONNX ops too)', () => {
    const graph = convChain();
    const aliased: Graph = { ...graph, nodes: graph.nodes.map((n) => ({ ...n, domain: 'ai.onnx' })) };
    const { fused, plain, a, b } = runBoth(aliased);
    expect(fused.lastRunStats.nodesRun).toBe(1);
    expect(plain.lastRunStats.nodesRun).toBe(3);
    const [ya, yb] = [a.y.toArray(), b.y.toArray()];
    ya.forEach((v, i) => expect(Math.abs(v - yb[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(yb[i]))));
  });

  it('is bit-exact for ai.qint DynamicConv, whose bias is added exactly as the Add would', () => {
    const { fused, a, b } = runBoth(convChain({ dynamic: true }));
    expect(fused.lastRunStats.nodesRun).toBe(1);
    expect(Array.from(a.y.data as Float32Array)).toEqual(Array.from(b.y.data as Float32Array));
  });

  it('folds a bias that is also a graph input (IR < 4 models), and a feed still overrides it', () => {
    const graph = convChain();
    const withInput: Graph = { ...graph, inputs: [...graph.inputs, { name: 'b', dtype: 'float32', shape: [3, 1, 1] }] };
    const fused = InferenceSession.create(withInput, opsets);
    const plain = InferenceSession.create(withInput, { ...opsets, fuse: false });
    const b = Tensor.from('float32', [3, 1, 1], [5, 6, 7]);
    expect(fused.run({ x, b }).y.toArray()).toEqual(plain.run({ x, b }).y.toArray().map((v) => expect.closeTo(v, 5)));
    expect(fused.lastRunStats.nodesRun).toBe(1);
  });

  it('leaves alone what is not a per-channel bias chain', () => {
    // A constant over the width axis, not the channels: a plain broadcast Add.
    expect(runBoth(convChain({ bias: Tensor.from('float32', [3], [1, 2, 3]) })).fused.lastRunStats.nodesRun).toBe(3);
    // The conv output is also used elsewhere.
    expect(runBoth(convChain({ extraUse: true })).fused.lastRunStats.nodesRun).toBe(4);
    // The conv has a bias already: the Add stays (and so does the Relu behind it).
    expect(runBoth(convChain({ convBias: true })).fused.lastRunStats.nodesRun).toBe(3);
  });

  it('explains that a fused-away value cannot be requested, and how to get it', () => {
    const fused = InferenceSession.create(convChain(), opsets);
    expect(() => fused.run({ x }, { outputs: ['a'] })).toThrow(/"a" was fused into node "conv" at load .* \{ fuse: false \}/);
    const plain = InferenceSession.create(convChain(), { ...opsets, fuse: false });
    expect(plain.run({ x }, { outputs: ['a'] }).a.shape).toEqual([1, 3, 3, 3]);
  });
});

describe('… → MaxPool fusion', () => {
  const withPool = (graph: Graph, attributes: Node['attributes'], outputs = ['p']): Graph => ({
    ...graph,
    nodes: [...graph.nodes, { name: 'pool', opType: 'MaxPool', domain: '', inputs: ['y'], outputs, attributes }],
    outputs: [{ name: 'p' }],
  });
  const k2: Node['attributes'] = { kernel_shape: { type: 'ints', value: [2, 2] } };

  it('pools inside the conv node with the bits of the MaxPool node (float Conv and DynamicConv)', () => {
    for (const dynamic of [false, true]) {
      for (const attributes of [k2, { ...k2, strides: { type: 'ints', value: [2, 1] } }, { ...k2, pads: { type: 'ints', value: [0, 0, 0, 0] }, auto_pad: { type: 'string', value: 'VALID' } }] as Node['attributes'][]) {
        const { fused, plain, a, b } = runBoth(withPool(convChain({ dynamic }), attributes));
        expect(fused.lastRunStats.nodesRun).toBe(1);
        expect(plain.lastRunStats.nodesRun).toBe(4);
        expect(a.p.shape).toEqual(b.p.shape);
        if (dynamic) expect(Array.from(a.p.data as Float32Array)).toEqual(Array.from(b.p.data as Float32Array));
        // Float Conv: the conv sums may differ by one addition's rounding (the fused bias), the pooling does not.
        else (a.p.data as Float32Array).forEach((v, i) => expect(Math.abs(v - (b.p.data as Float32Array)[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(v))));
      }
    }
  });

  it('leaves a MaxPool with padding, dilation, ceil mode or an Indices output', () => {
    const cases: [Node['attributes'], string[]][] = [
      [{ ...k2, pads: { type: 'ints', value: [1, 1, 1, 1] } }, ['p']],
      [{ ...k2, dilations: { type: 'ints', value: [2, 2] } }, ['p']],
      [{ ...k2, ceil_mode: { type: 'int', value: 1 } }, ['p']],
      [{ ...k2, auto_pad: { type: 'string', value: 'SAME_UPPER' } }, ['p']],
      [k2, ['p', 'idx']],
    ];
    for (const [attributes, outputs] of cases) {
      const { fused, a, b } = runBoth(withPool(convChain(), attributes, outputs));
      expect(fused.lastRunStats.nodesRun).toBe(2);
      expect(a.p.shape).toEqual(b.p.shape);
    }
  });
});
