import { Tensor } from '@qint/tensor';
import { createJsBackend } from '@qint/kernels';
import { describe, expect, it } from 'vitest';
import { InferenceSession } from './inference-session';
import type { Graph, Node } from './ir';

const node = (name: string, opType: string, inputs: string[], outputs: string[], attributes: Node['attributes'] = {}): Node => ({
  name, opType, domain: '', inputs, outputs, attributes,
});
const constant = (name: string, v: number): Node => node(name, 'Constant', [], [name], { value: { type: 'tensor', value: Tensor.scalar('float32', v) } });
const opsets = { opsetImports: { '': 17 } };
const js = createJsBackend();

/** The chain @qint/dynamic and onnxruntime's quantize_dynamic emit for a MatMul between two activations. */
function dynamicMatMul(aShape: number[], bShape: number[], extraOutput?: string, divide = false): Graph {
  const nodes = [
    node('qa', 'DynamicQuantizeLinear', ['a'], ['aq', 'as', 'az']),
    node('qb', 'DynamicQuantizeLinear', ['b'], ['bq', 'bs', 'bz']),
    node('mm', 'MatMulInteger', ['aq', 'bq', 'az', 'bz'], ['acc']),
    node('cast', 'Cast', ['acc'], ['accf'], { to: { type: 'int', value: 1 } }),
    node('scale', 'Mul', ['bs', 'as'], ['s']),
    node('out', 'Mul', ['accf', 's'], [divide ? 'scores' : 'y']),
    ...(divide ? [constant('sqrt_d', 2.8284270763397217), node('div', 'Div', ['scores', 'sqrt_d'], ['y'])] : []),
  ];
  return {
    name: 'dmm',
    nodes,
    initializers: new Map(),
    inputs: [{ name: 'a', dtype: 'float32', shape: aShape }, { name: 'b', dtype: 'float32', shape: bShape }],
    outputs: [{ name: 'y' }, ...(extraOutput ? [{ name: extraOutput }] : [])],
    valueInfo: [],
  };
}

/** Exact Gelu as torch.onnx exports nn.GELU(): constants as Constant nodes. */
function geluChain(extraUse = false): Graph {
  const nodes = [
    constant('c1', Math.SQRT2),
    constant('c2', 1),
    constant('c3', 0.5),
    node('div', 'Div', ['x', 'c1'], ['d']),
    node('erf', 'Erf', ['d'], ['e']),
    node('add', 'Add', ['e', 'c2'], ['p']),
    node('mul', 'Mul', ['x', 'p'], ['m']),
    node('half', 'Mul', ['m', 'c3'], ['y']),
  ];
  if (extraUse) nodes.push(node('neg', 'Neg', ['e'], ['n']));
  return {
    name: 'gelu',
    nodes,
    initializers: new Map(),
    inputs: [{ name: 'x', dtype: 'float32', shape: [3, 50] }],
    outputs: [{ name: 'y' }, ...(extraUse ? [{ name: 'n' }] : [])],
    valueInfo: [],
  };
}

function floats(shape: number[], seed: number, special = false): Tensor {
  const size = shape.reduce((p, d) => p * d, 1);
  const data = Float32Array.from({ length: size }, (_, i) => Math.sin(i * 0.7 + seed) * (1 + (i % 5)));
  if (special && size > 4) {
    data[1] = NaN;
    data[2] = Infinity;
    data[3] = -Infinity;
    data[4] = 0;
  }
  return Tensor.from('float32', shape, data);
}

describe('dynamic activation MatMul fusion', () => {
  const cases: [string, number[], number[], boolean][] = [
    ['attention heads [2, 3, 5, 4] × [2, 3, 4, 6] (batched primitive)', [2, 3, 5, 4], [2, 3, 4, 6], false],
    ['NaN / ±Infinity in A', [2, 5, 4], [2, 4, 6], true],
    ['broadcast B [4, 6] (per-batch fallback)', [2, 5, 4], [4, 6], false],
    ['2-D', [7, 9], [9, 3], false],
  ];
  for (const [what, aShape, bShape, special] of cases) {
    it(`is bit-identical with the unfused chain on the JS backend (NaN for non-finite inputs): ${what}`, () => {
      const graph = dynamicMatMul(aShape, bShape);
      const feeds = { a: floats(aShape, 1, special), b: floats(bShape, 2) };
      const fused = InferenceSession.create(graph, { ...opsets, backend: js });
      const plain = InferenceSession.create(graph, { ...opsets, backend: js, fuse: false });
      const y = fused.run(feeds).y;
      const z = plain.run(feeds).y;
      expect(fused.lastRunStats.nodesRun).toBe(1);
      expect(plain.lastRunStats.nodesRun).toBe(6);
      expect(y.shape).toEqual(z.shape);
      if (special) {
        // Non-finite values in A: the unfused chain's DynamicQuantizeLinear skips them and gives finite, meaningless
        // products; the fused op gives the float model's answer, NaN (per-tensor activations: the whole output,
        // @qint/dynamic's README "NaN and ±Infinity in a layer's input").
        expect(Array.from(z.data as Float32Array).every(Number.isFinite)).toBe(true);
        expect(Array.from(y.data as Float32Array).every(Number.isNaN)).toBe(true);
      } else expect(y.data).toEqual(z.data);
    });
  }

  it('takes the Div by a scalar constant that follows (attention / √d) into the fused node, bit-identically', () => {
    const graph = dynamicMatMul([2, 4, 7, 8], [2, 4, 8, 7], undefined, true);
    const feeds = { a: floats([2, 4, 7, 8], 5), b: floats([2, 4, 8, 7], 6) };
    const fused = InferenceSession.create(graph, { ...opsets, backend: js });
    const plain = InferenceSession.create(graph, { ...opsets, backend: js, fuse: false });
    expect(fused.run(feeds).y.data).toEqual(plain.run(feeds).y.data);
    expect(fused.lastRunStats.nodesRun).toBe(2); // the Constant and the fused node
  });

  it('leaves the chain alone when an intermediate value is a graph output, and names the fusion when one is requested', () => {
    const open = InferenceSession.create(dynamicMatMul([3, 4], [4, 2], 'acc'), opsets);
    open.run({ a: floats([3, 4], 1), b: floats([4, 2], 2) });
    expect(open.lastRunStats.nodesRun).toBe(6);
    const fused = InferenceSession.create(dynamicMatMul([3, 4], [4, 2]), opsets);
    expect(() => fused.run({ a: floats([3, 4], 1), b: floats([4, 2], 2) }, { outputs: ['acc'] })).toThrow(/fused into node "out"/);
  });
});

describe('exact Gelu fusion', () => {
  it('equals Div → Erf → Add → Mul → Mul within 1e-6·(1 + |x|) (the backends\' float32 erf against the float64 Erf op)', () => {
    const x = floats([3, 50], 3);
    const fused = InferenceSession.create(geluChain(), { ...opsets, backend: js });
    const plain = InferenceSession.create(geluChain(), { ...opsets, backend: js, fuse: false });
    const y = fused.run({ x }).y;
    const z = plain.run({ x }).y.data as Float32Array;
    const xs = x.data as Float32Array;
    (y.data as Float32Array).forEach((v, i) => {
      if (!(Math.abs(v - z[i]) <= 1e-6 * (1 + Math.abs(xs[i])))) expect.fail(`x = ${xs[i]}: fused ${v} vs unfused ${z[i]}`);
    });
    expect(fused.lastRunStats.nodesRun).toBe(4); // 3 Constants + FusedGelu
    // Hand-checked: Gelu(x) = x·Φ(x); x[0] = sin(3) = 0.14112…, Φ(0.14112) = 0.556112…
    expect(y.data[0]).toBeCloseTo(Math.fround(Math.sin(3)) * 0.5561124, 6);
  });

  it('does not fuse when the Erf output is used outside the chain', () => {
    const s = InferenceSession.create(geluChain(true), opsets);
    s.run({ x: floats([3, 50], 3) });
    expect(s.lastRunStats.nodesRun).toBe(9);
  });
});

/** x → Slice(starts, ends, axes, steps) → Reshape(target) → Transpose(perm) → y: how torch exports a head split. */
function headSplit(xShape: number[], slice: number[][], target: number[], perm: number[] | undefined): Graph {
  const ints = (v: number[]): Tensor => Tensor.from('int64', [v.length], v.map((n) => BigInt(n)));
  return {
    name: 'heads',
    nodes: [
      node('slice', 'Slice', ['x', 'starts', 'ends', 'axes', 'steps'], ['s']),
      node('reshape', 'Reshape', ['s', 'target'], ['r']),
      node('transpose', 'Transpose', ['r'], ['y'], perm ? { perm: { type: 'ints', value: perm } } : {}),
    ],
    initializers: new Map([
      ['starts', ints(slice[0])],
      ['ends', ints(slice[1])],
      ['axes', ints(slice[2])],
      ['steps', ints(slice[3])],
      ['target', ints(target)],
    ]),
    inputs: [{ name: 'x', dtype: 'float32', shape: xShape }],
    outputs: [{ name: 'y' }],
    valueInfo: [],
  };
}

describe('head-split fusion (Slice → Reshape → Transpose)', () => {
  const cases: [string, number[], number[][], number[], number[] | undefined][] = [
    ['q of qkv, [B, T, H, d] → [B, H, T, d]', [2, 5, 12], [[4], [8], [2], [1]], [0, 0, 2, 2], [0, 2, 1, 3]],
    ['k transposed for Q·Kᵀ, −1 in the target', [2, 5, 12], [[8], [12], [-1], [1]], [2, 5, -1, 2], [0, 2, 3, 1]],
    ['negative step, default perm', [3, 8], [[7], [-9], [1], [-1]], [3, 2, 4], undefined],
    ['stride-2 slice merged by the reshape (still one view)', [4, 6], [[0], [6], [1], [2]], [12], [0]],
    ['slice whose reshape needs a copy (falls back to the three ops)', [2, 5, 12], [[0], [4], [2], [1]], [40], [0]],
  ];
  for (const [what, xShape, slice, target, perm] of cases) {
    it(`moves exactly the same values as the unfused ops: ${what}`, () => {
      const graph = headSplit(xShape, slice, target, perm);
      const feeds = { x: floats(xShape, 9) };
      const fused = InferenceSession.create(graph, opsets);
      const plain = InferenceSession.create(graph, { ...opsets, fuse: false });
      const y = fused.run(feeds).y;
      const z = plain.run(feeds).y;
      expect(fused.lastRunStats.nodesRun).toBe(1);
      expect(y.shape).toEqual(z.shape);
      expect(Array.from(y.data as Float32Array)).toEqual(Array.from(z.data as Float32Array));
    });
  }

  it('reports a bad reshape target like the unfused Reshape does', () => {
    const graph = headSplit([2, 5, 12], [[0], [4], [2], [1]], [0, 0, 3, 2], [0, 2, 1, 3]);
    const feeds = { x: floats([2, 5, 12], 9) };
    expect(() => InferenceSession.create(graph, opsets).run(feeds)).toThrow(/Reshape|reshape/);
    expect(() => InferenceSession.create(graph, { ...opsets, fuse: false }).run(feeds)).toThrow(/Reshape|reshape/);
  });
});

describe('dynamic attention fusion', () => {
  /** softmax(dynMatMul(q, kT) / √d) · v with both products in the DynamicQuantizeLinear → MatMulInteger form. */
  function attention(vShape = [2, 3, 6, 4]): Graph {
    const chain = (p: string, a: string, b: string, out: string): Node[] => [
      node(`${p}qa`, 'DynamicQuantizeLinear', [a], [`${p}aq`, `${p}as`, `${p}az`]),
      node(`${p}qb`, 'DynamicQuantizeLinear', [b], [`${p}bq`, `${p}bs`, `${p}bz`]),
      node(`${p}mm`, 'MatMulInteger', [`${p}aq`, `${p}bq`, `${p}az`, `${p}bz`], [`${p}acc`]),
      node(`${p}cast`, 'Cast', [`${p}acc`], [`${p}accf`], { to: { type: 'int', value: 1 } }),
      node(`${p}scale`, 'Mul', [`${p}as`, `${p}bs`], [`${p}s`]),
      node(`${p}out`, 'Mul', [`${p}accf`, `${p}s`], [out]),
    ];
    return {
      name: 'attention',
      nodes: [
        ...chain('s_', 'q', 'kt', 'raw'),
        constant('d', 2),
        node('div', 'Div', ['raw', 'd'], ['scores']),
        node('softmax', 'Softmax', ['scores'], ['p'], { axis: { type: 'int', value: -1 } }),
        ...chain('v_', 'p', 'v', 'y'),
      ],
      initializers: new Map(),
      inputs: [
        { name: 'q', dtype: 'float32', shape: [2, 3, 5, 4] },
        { name: 'kt', dtype: 'float32', shape: [2, 3, 4, 6] },
        { name: 'v', dtype: 'float32', shape: vShape },
      ],
      outputs: [{ name: 'y' }],
      valueInfo: [],
    };
  }

  it('runs as one node, bit-identical with the unfused chains on the JS backend', () => {
    const feeds = { q: floats([2, 3, 5, 4], 1), kt: floats([2, 3, 4, 6], 2), v: floats([2, 3, 6, 4], 3) };
    const fused = InferenceSession.create(attention(), { ...opsets, backend: js });
    const plain = InferenceSession.create(attention(), { ...opsets, backend: js, fuse: false });
    const y = fused.run(feeds).y;
    expect(y.shape).toEqual([2, 3, 5, 4]);
    expect(y.data).toEqual(plain.run(feeds).y.data);
    expect(fused.lastRunStats.nodesRun).toBe(2); // the Constant and FusedDynamicAttention
    expect(() => fused.run(feeds, { outputs: ['p'] })).toThrow(/fused into node "v_out"/);
  });

  it('runs the three kernels one after the other when V broadcasts over the batch dims, bit-identical with the unfused chains', () => {
    for (const vShape of [[6, 4], [1, 3, 6, 4]]) {
      const feeds = { q: floats([2, 3, 5, 4], 1), kt: floats([2, 3, 4, 6], 2), v: floats(vShape, 3) };
      const fused = InferenceSession.create(attention(vShape), { ...opsets, backend: js });
      const plain = InferenceSession.create(attention(vShape), { ...opsets, backend: js, fuse: false });
      const y = fused.run(feeds).y;
      expect(fused.lastRunStats.nodesRun).toBe(2);
      expect(y.shape).toEqual([2, 3, 5, 4]);
      expect(y.data).toEqual(plain.run(feeds).y.data);
    }
  });
});
