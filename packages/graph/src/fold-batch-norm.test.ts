import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { InferenceSession } from './inference-session';
import type { Attribute, Graph, Node } from './ir';
import { createJsBackend } from '@qint/kernels';

const node = (name: string, opType: string, inputs: string[], outputs: string[], attributes: Record<string, Attribute> = {}, domain = ''): Node => ({
  name, opType, domain, inputs, outputs, attributes,
});
const f32 = (shape: number[], f: (i: number) => number) => Tensor.from('float32', shape, Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => f(i)));

/**
 * X [2,2,6,6] → Conv (4 filters 3×3, pad 1, optional bias) → then `order`: 'bn-relu' (Conv → BN → Relu, foldable),
 * 'relu-bn' (Conv → Relu → BN, the epilogue), 'bn' (Conv → BN). BN statistics chosen so that some channels scale
 * negatively and the Relu clips for real.
 */
function bnGraph(order: 'bn-relu' | 'relu-bn' | 'bn', options: { convBias?: boolean; extraUse?: boolean; statsAsInput?: boolean; training?: boolean; dynamic?: boolean; weightAsInput?: boolean } = {}): Graph {
  const initializers = new Map<string, Tensor>([
    ['w', f32([4, 2, 3, 3], (i) => Math.sin(i * 0.7) * 0.4)],
    ['gamma', f32([4], (i) => [1.5, -0.75, 0.2, 2][i])],
    ['beta', f32([4], (i) => [0.1, 0.3, -0.2, 0][i])],
    ['mean', f32([4], (i) => [0.05, -0.4, 0.3, 1][i])],
    ['var', f32([4], (i) => [0.9, 0.1, 2.5, 0.01][i])],
  ]);
  if (options.convBias) initializers.set('cb', f32([4], (i) => [0.5, -0.25, 1, 0][i]));
  let conv = node('conv', 'Conv', ['x', 'w', ...(options.convBias ? ['cb'] : [])], ['c'], { pads: { type: 'ints', value: [1, 1, 1, 1] } });
  if (options.dynamic) {
    initializers.set('wq', Tensor.from('int8', [4, 2, 3, 3], Int8Array.from({ length: 72 }, (_, i) => ((i * 37) % 255) - 127)));
    initializers.set('ws', f32([4], (i) => 0.01 * (i + 1)));
    conv = node('conv', 'DynamicConv', ['x', 'wq', 'ws', '', ''], ['c'], { pads: { type: 'ints', value: [1, 1, 1, 1] } }, 'ai.qint');
  }
  const bnAttrs: Record<string, Attribute> = { epsilon: { type: 'float', value: 1e-5 }, ...(options.training ? { training_mode: { type: 'int', value: 1 } } : {}) };
  const nodes =
    order === 'bn-relu'
      ? [conv, node('bn', 'BatchNormalization', ['c', 'gamma', 'beta', 'mean', 'var'], ['b'], bnAttrs), node('relu', 'Relu', ['b'], ['y'])]
      : order === 'relu-bn'
        ? [conv, node('relu', 'Relu', ['c'], ['r']), node('bn', 'BatchNormalization', ['r', 'gamma', 'beta', 'mean', 'var'], ['y'], bnAttrs)]
        : [conv, node('bn', 'BatchNormalization', ['c', 'gamma', 'beta', 'mean', 'var'], ['y'], bnAttrs)];
  const outputs = [{ name: 'y' }];
  if (options.extraUse) {
    nodes.push(node('neg', 'Neg', ['c'], ['n']));
    outputs.push({ name: 'n' });
  }
  const inputs: Graph['inputs'][number][] = [{ name: 'x', dtype: 'float32', shape: [2, 2, 6, 6] }];
  if (options.statsAsInput) inputs.push({ name: 'mean', dtype: 'float32', shape: [4] });
  if (options.weightAsInput) inputs.push({ name: 'w', dtype: 'float32', shape: [4, 2, 3, 3] });
  return { name: 'g', nodes, initializers, inputs, outputs, valueInfo: [] };
}

const x = f32([2, 2, 6, 6], (i) => Math.cos(i * 1.3) * 3);
const opsets = { opsetImports: { '': 17, 'ai.qint': 1 } };

// The JS backend here; the WASM backend's epilogue is checked against the JS one in @qint/kernels-wasm, and whole
// models on both backends in @qint/onnx's tests.
async function backends() {
  return [createJsBackend()];
}

function closeTo(got: Float32Array, want: Float32Array, rel = 1e-6): void {
  let scale = 0;
  for (const v of want) scale = Math.max(scale, Math.abs(v));
  const bad = Array.from(got).flatMap((v, i) => (Math.abs(v - want[i]) <= rel * scale ? [] : [`[${i}] ${v} vs ${want[i]}`]));
  expect(bad.slice(0, 5)).toEqual([]);
}

describe('BatchNormalization folding and fusion', () => {
  it('folds Conv → BN into the conv weights, then fuses the Relu: one node, within float rounding ', async () => {
    for (const backend of await backends()) {
      for (const convBias of [false, true]) {
        const graph = bnGraph('bn-relu', { convBias });
        const fused = InferenceSession.create(graph, { ...opsets, backend });
        const plain = InferenceSession.create(graph, { ...opsets, backend, fuse: false });
        const a = fused.run({ x }).y.data as Float32Array;
        const b = plain.run({ x }).y.data as Float32Array;
        expect(fused.lastRunStats.nodesRun).toBe(1);
        expect(plain.lastRunStats.nodesRun).toBe(3);
        expect(b.some((v) => v === 0) && b.some((v) => v > 0)).toBe(true);
        closeTo(a, b);
        // The replaced weights, bias and statistics are dropped; the folded weights and bias take their place.
        expect(fused.lastRunStats.constantBytes).toBe((72 + 4) * 4);
      }
    }
  });

  it('with foldBatchNorm: false keeps the exact arithmetic (BN as a conv epilogue, bit-identical with the unfused graph)', async () => {
    for (const backend of await backends()) {
      const graph = bnGraph('bn', { convBias: true });
      const kept = InferenceSession.create(graph, { ...opsets, backend, foldBatchNorm: false });
      const plain = InferenceSession.create(graph, { ...opsets, backend, fuse: false });
      expect(Array.from(kept.run({ x }).y.data as Float32Array)).toEqual(Array.from(plain.run({ x }).y.data as Float32Array));
      expect(kept.lastRunStats.nodesRun).toBe(1);
    }
  });

  it('fuses Conv → Relu → BN (cannot fold: the Relu is between) as an epilogue, bit-identical, for Conv and DynamicConv', async () => {
    for (const backend of await backends()) {
      for (const dynamic of [false, true]) {
        const graph = bnGraph('relu-bn', { dynamic, convBias: !dynamic });
        const fused = InferenceSession.create(graph, { ...opsets, backend });
        const plain = InferenceSession.create(graph, { ...opsets, backend, fuse: false });
        const a = fused.run({ x }).y.data as Float32Array;
        const b = plain.run({ x }).y.data as Float32Array;
        expect(fused.lastRunStats.nodesRun).toBe(1);
        expect(Array.from(a)).toEqual(Array.from(b));
        // Channel 1 has a negative scale: the Relu's zeros map to the BN shift, not to 0.
        expect(new Set(Array.from(a.subarray(36, 72))).size).toBeGreaterThan(1);
      }
    }
  });

  it('leaves a BN whose statistics a feed can override, a training-mode BN, and a conv output read elsewhere', () => {
    const count = (g: Graph) => {
      const s = InferenceSession.create(g, opsets);
      s.run({ x });
      return s.lastRunStats.nodesRun;
    };
    // The mean is a graph input (a feed may override it): not a constant, so the BN stays, and the Relu behind it.
    expect(count(bnGraph('bn-relu', { statsAsInput: true }))).toBe(3);
    // A training-mode BN (opset 17) uses the batch's statistics: never folded, it runs as its own node.
    expect(count(bnGraph('bn-relu', { training: true }))).toBe(3);
    // The conv output also feeds Neg: neither folded nor fused.
    expect(count(bnGraph('bn', { extraUse: true }))).toBe(3);
  });

  it('runs a BN after a conv whose weights are a graph input as the epilogue (no fold), and a feed still overrides the weights', () => {
    const graph = bnGraph('bn', { weightAsInput: true });
    const fused = InferenceSession.create(graph, opsets);
    const plain = InferenceSession.create(graph, { ...opsets, fuse: false });
    const w = f32([4, 2, 3, 3], (i) => Math.cos(i) * 0.3);
    expect(Array.from(fused.run({ x, w }).y.data as Float32Array)).toEqual(Array.from(plain.run({ x, w }).y.data as Float32Array));
    expect(fused.lastRunStats.nodesRun).toBe(1);
  });

  it('keeps a weight initializer another node still reads, and names the fused-away value in the error', () => {
    const graph = bnGraph('bn-relu');
    const shared: Graph = {
      ...graph,
      nodes: [...graph.nodes, node('conv2', 'Conv', ['x', 'w'], ['z'], { pads: { type: 'ints', value: [1, 1, 1, 1] } })],
      outputs: [...graph.outputs, { name: 'z' }],
    };
    const fused = InferenceSession.create(shared, opsets);
    const plain = InferenceSession.create(shared, { ...opsets, fuse: false });
    const a = fused.run({ x });
    const b = plain.run({ x });
    expect(Array.from(a.z.data as Float32Array)).toEqual(Array.from(b.z.data as Float32Array));
    closeTo(a.y.data as Float32Array, b.y.data as Float32Array);
    expect(fused.lastRunStats.constantBytes).toBe((72 + 72 + 4) * 4);
    expect(() => fused.run({ x }, { outputs: ['b'] })).toThrow(/"b" was fused into node "conv" at load/);
    expect(() => fused.run({ x }, { outputs: ['c'] })).toThrow(/"c" was fused into node "conv" at load/);
  });
});
