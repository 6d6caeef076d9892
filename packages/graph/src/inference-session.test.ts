import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { A, f32, graph, i64, model, node, vi } from './__fixtures__/graph-builder';
import { GraphError } from './graph-error';
import { createSession, InferenceSession } from './inference-session';
import { OpRegistry } from './op-registry';
import { createDefaultRegistry } from './default-registry';
import { UnsupportedOpError } from './unsupported-op-error';

/** y = Relu(x + b) · 2 with a chain of intermediates. */
function chain(): ReturnType<typeof model> {
  return model(
    graph({
      nodes: [node('Add', ['x', 'b'], ['t1']), node('Relu', ['t1'], ['t2']), node('Mul', ['t2', 'two'], ['y'])],
      inputs: [vi('x', 'float32', ['batch', 3])],
      outputs: [vi('y', 'float32', ['batch', 3])],
      initializers: { b: f32([3], [1, -10, 0]), two: f32([], [2]) },
    }),
  );
}

describe('InferenceSession', () => {
  it('runs a chain and returns the graph outputs (hand-checked)', () => {
    const s = createSession(chain());
    const { y } = s.run({ x: f32([1, 3], [1, 2, -3]) });
    // (1+1, 2-10, -3+0) → relu → (2, 0, 0) → ×2
    expect(y.toArray()).toEqual([4, 0, 0]);
    expect(s.inputNames).toEqual(['x']);
    expect(s.outputNames).toEqual(['y']);
  });

  it('accepts any size for a symbolic batch dim, checks static dims, rank and dtype naming the input', () => {
    const s = createSession(chain());
    expect(s.run({ x: f32([4, 3], new Array(12).fill(1)) }).y.shape).toEqual([4, 3]);
    expect(() => s.run({ x: f32([2, 4], new Array(8).fill(1)) })).toThrowError(/input "x" dim 1 must be 3/);
    expect(() => s.run({ x: f32([3], [1, 2, 3]) })).toThrowError(expect.objectContaining({ code: 'ERR_SHAPE', message: expect.stringContaining('"x"') }));
    expect(() => s.run({ x: Tensor.from('int32', [1, 3], [1, 2, 3]) })).toThrowError(
      expect.objectContaining({ code: 'ERR_DTYPE', message: expect.stringContaining('input "x" must be float32, got int32') }),
    );
  });

  it('binds a symbolic dim consistently across inputs', () => {
    const g = graph({
      nodes: [node('Add', ['a', 'b'], ['y'])],
      inputs: [vi('a', 'float32', ['n', 2]), vi('b', 'float32', ['n', 2])],
      outputs: [vi('y')],
    });
    const s = createSession(model(g));
    expect(s.run({ a: f32([1, 2], [1, 2]), b: f32([1, 2], [3, 4]) }).y.toArray()).toEqual([4, 6]);
    expect(() => s.run({ a: f32([1, 2], [1, 2]), b: f32([2, 2], [1, 2, 3, 4]) })).toThrowError(/"n"/);
  });

  it('reports missing and unknown feeds as GraphError', () => {
    const s = createSession(chain());
    expect(() => s.run({})).toThrowError(GraphError);
    expect(() => s.run({})).toThrowError(/missing feed for graph input "x"/);
    expect(() => s.run({ x: f32([1, 3], [1, 2, 3]), z: f32([1], [1]) })).toThrowError(/feed "z" is not a graph input/);
  });

  it('lists ALL unsupported ops at load with domain, opset and node names', () => {
    const g = graph({
      nodes: [
        node('Foo', ['x'], ['a'], {}, { name: 'foo1' }),
        node('Relu', ['a'], ['b']),
        node('Foo', ['b'], ['c'], {}, { name: 'foo2' }),
        node('Bar', ['c'], ['d'], {}, { name: 'bar', domain: 'com.example' }),
        node('Resize', ['d', '', '', 'sizes'], ['y'], { mode: A.str('lanczos') }, { name: 'rs' }),
      ],
      inputs: [vi('x')],
      outputs: [vi('y')],
      initializers: { sizes: i64([1, 1]) },
    });
    let err: unknown;
    try {
      createSession(model(g, 13));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnsupportedOpError);
    const e = err as UnsupportedOpError;
    expect(e.code).toBe('ERR_UNSUPPORTED_OP');
    expect(e.ops.map((o) => [o.domain, o.opType, o.opset, o.nodes])).toEqual([
      ['', 'Foo', 13, ['foo1', 'foo2']],
      ['com.example', 'Bar', 1, ['bar']],
      ['', 'Resize', 13, ['rs']],
    ]);
    expect(e.ops[2].reason).toMatch(/lanczos/);
    expect(e.message).toMatch(/ai\.onnx::Foo \(opset 13\) used by \[foo1, foo2\]/);
    expect(e.message).toMatch(/com\.example::Bar/);
  });

  it('resolves by opset: an op newer than the model opset is unsupported', () => {
    const g = graph({ nodes: [node('Gelu', ['x'], ['y'])], inputs: [vi('x')], outputs: [vi('y')] });
    expect(() => createSession(model(g, 17))).toThrowError(UnsupportedOpError);
    expect(createSession(model(g, 20)).run({ x: f32([1], [0]) }).y.toArray()).toEqual([0]);
  });

  it('rejects graphs that are not in topological order or use undefined values', () => {
    const unordered = graph({
      nodes: [node('Relu', ['t'], ['y']), node('Neg', ['x'], ['t'])],
      inputs: [vi('x')],
      outputs: [vi('y')],
    });
    expect(() => createSession(model(unordered))).toThrowError(/produced by Neg .*comes later; nodes must be in topological order/);
    const undef = graph({ nodes: [node('Relu', ['nope'], ['y'])], inputs: [vi('x')], outputs: [vi('y')] });
    expect(() => createSession(model(undef))).toThrowError(GraphError);
    const dup = graph({ nodes: [node('Relu', ['x'], ['y']), node('Neg', ['x'], ['y'])], inputs: [vi('x')], outputs: [vi('y')] });
    expect(() => createSession(model(dup))).toThrowError(/defined more than once/);
    const noOut = graph({ nodes: [node('Relu', ['x'], ['y'])], inputs: [vi('x')], outputs: [vi('z')] });
    expect(() => createSession(model(noOut))).toThrowError(/graph output "z"/);
  });

  it('uses an initializer listed as an input as the default, and a feed overrides it', () => {
    const g = graph({
      nodes: [node('Add', ['x', 'b'], ['y'])],
      inputs: [vi('x', 'float32', [2]), vi('b', 'float32', [2])],
      outputs: [vi('y')],
      initializers: { b: f32([2], [10, 20]) },
    });
    const s = createSession(model(g));
    expect(s.inputNames).toEqual(['x', 'b']);
    expect(s.requiredInputs.map((v) => v.name)).toEqual(['x']);
    expect(s.run({ x: f32([2], [1, 2]) }).y.toArray()).toEqual([11, 22]);
    expect(s.run({ x: f32([2], [1, 2]), b: f32([2], [100, 200]) }).y.toArray()).toEqual([101, 202]);
    // The default is used again when the override is not fed.
    expect(s.run({ x: f32([2], [1, 2]) }).y.toArray()).toEqual([11, 22]);
  });

  it('frees intermediates after their last use and reports peak live bytes', () => {
    // x (1024 floats = 4096 B) → a → b → c → y, each a new 4096-byte buffer; at most x + two values live at once.
    const g = graph({
      nodes: [node('Neg', ['x'], ['a']), node('Neg', ['a'], ['b']), node('Neg', ['b'], ['c']), node('Neg', ['c'], ['y'])],
      inputs: [vi('x', 'float32', [1024])],
      outputs: [vi('y')],
    });
    const s = createSession(model(g));
    const x = f32([1024], new Array(1024).fill(1));
    const { y } = s.run({ x });
    expect(y.toArray()[0]).toBe(1);
    const st = s.lastRunStats;
    expect(st.nodesRun).toBe(4);
    // x is released after Neg a; a after Neg b; b after Neg c; c after Neg y → 4 values freed.
    expect(st.valuesFreed).toBe(4);
    // Peak: while computing b, x is already released; a and b (and the kernel output) → 2 × 4096.
    expect(st.peakLiveBytes).toBe(2 * 4096);
  });

  it('keeps a value alive until its last consumer in a branching graph', () => {
    // x → a = −x; b = a + a; c = Relu(a); y = b · c. a is read by three nodes and must survive until Relu.
    const g = graph({
      nodes: [node('Neg', ['x'], ['a']), node('Add', ['a', 'a'], ['b']), node('Relu', ['a'], ['c']), node('Mul', ['b', 'c'], ['y'])],
      inputs: [vi('x', 'float32', [256])],
      outputs: [vi('y')],
    });
    const s = createSession(model(g));
    const x = f32([256], Array.from({ length: 256 }, (_, i) => (i % 2 === 0 ? -1 : 2)));
    const y = s.run({ x }).y.toArray();
    // i even: a = 1, b = 2, c = 1 → 2; i odd: a = −2, b = −4, c = 0 → −0
    expect(y.slice(0, 2)).toEqual([2, -0]);
    // x, a, b, c are released (y is an output); x dies after Neg, so at most a, b, c (or b, c, y) live together
    expect(s.lastRunStats.valuesFreed).toBe(4);
    expect(s.lastRunStats.peakLiveBytes).toBe(3 * 1024);
  });

  it('counts a reshape view once (it shares its input buffer)', () => {
    const g = graph({
      nodes: [node('Reshape', ['x', 'shape'], ['r']), node('Neg', ['r'], ['y'])],
      inputs: [vi('x', 'float32', [2, 512])],
      outputs: [vi('y')],
      initializers: { shape: i64([1024]) },
    });
    const s = createSession(model(g));
    s.run({ x: f32([2, 512], new Array(1024).fill(1)) });
    // x and its view r share 4096 bytes; y adds 4096.
    expect(s.lastRunStats.peakLiveBytes).toBe(8192);
    expect(s.lastRunStats.constantBytes).toBe(8);
  });

  it('fetches intermediate values on request and runs only the nodes they need', () => {
    const s = createSession(chain());
    const out = s.run({ x: f32([1, 3], [1, 2, -3]) }, { outputs: ['t1'] });
    expect(Object.keys(out)).toEqual(['t1']);
    expect(out.t1.toArray()).toEqual([2, -8, -3]);
    expect(s.lastRunStats.nodesRun).toBe(1);
    expect(() => s.run({ x: f32([1, 3], [1, 2, 3]) }, { outputs: ['nope'] })).toThrowError(GraphError);
  });

  it('profiles every node on request, and only then', () => {
    const s = createSession(chain());
    s.run({ x: f32([1, 3], [1, 2, 3]) });
    expect(s.lastRunStats.profile).toBeUndefined();
    s.run({ x: f32([1, 3], [1, 2, 3]) }, { profile: true });
    const prof = s.lastRunStats.profile!;
    expect(prof.map((p) => p.opType)).toEqual(['Add', 'Relu', 'Mul']);
    expect(prof.every((p) => p.ms >= 0 && p.domain === '')).toBe(true);
  });

  it('names the node in kernel errors, keeping the error type', () => {
    const g = graph({
      nodes: [node('Reshape', ['x', 's'], ['y'], {}, { name: 'bad_reshape' })],
      inputs: [vi('x'), vi('s')],
      outputs: [vi('y')],
    });
    const s = createSession(model(g));
    expect(() => s.run({ x: f32([4], [1, 2, 3, 4]), s: i64([3]) })).toThrowError(
      expect.objectContaining({ code: 'ERR_SHAPE', message: expect.stringMatching(/^Reshape "bad_reshape": reshape: cannot reshape \[4\]/) }),
    );
  });

  it('accepts a bare Graph and a custom registry', () => {
    const g = graph({ nodes: [node('Twice', ['x'], ['y'], {}, { domain: 'my.ops' })], inputs: [vi('x')], outputs: [vi('y')] });
    const registry = createDefaultRegistry().clone().register({
      domain: 'my.ops',
      opType: 'Twice',
      sinceVersion: 1,
      build: () => (inputs) => [Tensor.from('float32', inputs[0]!.shape, (inputs[0]!.data as Float32Array).map((v) => 2 * v))],
    });
    const s = InferenceSession.create(g, { registry, opsetImports: { '': 17, 'my.ops': 1 } });
    expect(s.run({ x: f32([2], [1, 2]) }).y.toArray()).toEqual([2, 4]);
    expect(() => createSession(g)).toThrowError(UnsupportedOpError);
    expect(new OpRegistry().resolve('', 'Relu', 13)).toBeUndefined();
    expect(() => createDefaultRegistry().register({ domain: '', opType: 'X', sinceVersion: 1, build: () => () => [] })).toThrowError(/sealed/);
  });

  it('returns graph inputs and initializers that are directly graph outputs', () => {
    const g = graph({ nodes: [], inputs: [vi('x')], outputs: [vi('x'), vi('w')], initializers: { w: f32([1], [5]) } });
    const out = createSession(model(g)).run({ x: f32([1], [3]) });
    expect(out.x.toArray()).toEqual([3]);
    expect(out.w.toArray()).toEqual([5]);
  });

  it('handles omitted optional inputs and outputs', () => {
    // Clip-11 with only max given; Dropout with its mask output omitted.
    const g = graph({
      nodes: [node('Clip', ['x', '', 'mx'], ['c']), node('Dropout', ['c'], ['y', ''])],
      inputs: [vi('x')],
      outputs: [vi('y')],
      initializers: { mx: f32([], [1]) },
    });
    expect(createSession(model(g, 13)).run({ x: f32([3], [-5, 0.5, 5]) }).y.toArray()).toEqual([-5, 0.5, 1]);
  });
});
