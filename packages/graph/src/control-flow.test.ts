// If / Loop / Scan in the executor: outer-scope reads (also of values that die right after the node, and through two
// levels of nesting), constant-condition folding, the maxLoopIterations guard and branch type checks. Expected values
// are computed plainly in the tests.
import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { A, f32, graph, i64, model, node, vi } from './__fixtures__/graph-builder';
import { ControlFlowError } from './control-flow-error';
import { foldConstantIf } from './fold-constant-if';
import { GraphError } from './graph-error';
import { createSession } from './inference-session';
import { inferShapes } from './infer-shapes';
import type { Attribute, Graph } from './ir';
import { UnsupportedOpError } from './unsupported-op-error';

const g = (value: Graph): Attribute => ({ type: 'graph', value });
const bool = (v: boolean): Tensor => Tensor.from('bool', [], [v ? 1 : 0]);

/** then: y = t * w (w an outer initializer), else: y = t + 1 — t is an outer activation. */
function branchy(cond: 'input' | 'constant-true' | 'constant-false'): Graph {
  const thenBranch = graph({ nodes: [node('Mul', ['t', 'w'], ['yt'])], inputs: [], outputs: [vi('yt', 'float32', [3])] });
  const elseBranch = graph({ nodes: [node('Add', ['t', 'one'], ['ye'])], inputs: [], outputs: [vi('ye', 'float32', [3])], initializers: { one: f32([], [1]) } });
  return graph({
    nodes: [
      node('Relu', ['x'], ['t']),
      node('If', [cond === 'input' ? 'c' : 'k'], ['y'], { then_branch: g(thenBranch), else_branch: g(elseBranch) }, { name: 'if' }),
      // A value computed after the If, of t's size: its buffer could be t's if t were released too early.
      node('Neg', ['x'], ['z']),
      node('Add', ['y', 'z'], ['out']),
    ],
    inputs: cond === 'input' ? [vi('x', 'float32', [3]), vi('c', 'bool', [])] : [vi('x', 'float32', [3])],
    outputs: [vi('out', 'float32', [3])],
    initializers: { w: f32([3], [2, 3, 4]), ...(cond === 'input' ? {} : { k: bool(cond === 'constant-true') }) },
  });
}

describe('If', () => {
  const x = f32([3], [-1, 2, 3]);
  const xs = [-1, 2, 3];
  const relu = [0, 2, 3];
  it('runs the branch the condition picks, reading outer activations and outer initializers', () => {
    const s = createSession(branchy('input'));
    expect(s.run({ x, c: bool(true) }).out.toArray()).toEqual(relu.map((v, i) => v * [2, 3, 4][i] - xs[i]));
    expect(s.run({ x, c: bool(false) }).out.toArray()).toEqual(relu.map((v, i) => v + 1 - xs[i]));
    // Repeated runs reuse recycled buffers: still the same.
    expect(s.run({ x, c: bool(true) }).out.toArray()).toEqual(relu.map((v, i) => v * [2, 3, 4][i] - xs[i]));
  });

  it('a branch output that views a constant is handed out as a copy (in-place ops after the If never touch the weight)', () => {
    const viewOf = (w: string, out: string): Graph => graph({ nodes: [node('Flatten', [w], [out], { axis: A.int(0) })], inputs: [], outputs: [vi(out)] });
    const outer = graph({
      nodes: [node('If', ['c'], ['y'], { then_branch: g(viewOf('w', 'a')), else_branch: g(viewOf('wl', 'b')) }), node('Add', ['y', 'one'], ['r']), node('Neg', ['r'], ['out'])],
      inputs: [vi('c', 'bool', [])],
      outputs: [vi('out')],
      initializers: { w: f32([2, 2], [-1, 2, -3, 4]), one: f32([], [1]) },
    });
    // wl: a constant of the else branch itself
    const els = (outer.nodes[0].attributes.else_branch as { value: Graph }).value as unknown as { initializers: Map<string, Tensor> };
    els.initializers.set('wl', f32([2, 2], [5, -6, 7, -8]));
    const s = createSession(outer);
    for (let k = 0; k < 3; k++) {
      expect(s.run({ c: bool(true) }).out.toArray()).toEqual([-0, -3, 2, -5]);
      expect(s.run({ c: bool(false) }).out.toArray()).toEqual([-6, 5, -8, 7]);
    }
    expect(outer.initializers.get('w')!.toArray()).toEqual([-1, 2, -3, 4]);
    expect(els.initializers.get('wl')!.toArray()).toEqual([5, -6, 7, -8]);
  });

  it('shape inference looks inside the branches (their outer reads unknown there) and the Loop body', () => {
    const infos = inferShapes(branchy('input'));
    expect(infos.get('y')).toEqual({ name: 'y', dtype: 'float32', shape: [3] });
    const loop = inferShapes(withAccGraph());
    expect(loop.get('acc')).toEqual({ name: 'acc', dtype: 'float32', shape: [2] });
    expect(loop.get('all')).toEqual({ name: 'all', dtype: 'float32', shape: [undefined, 2] });
  });

  it('folds a load-time constant condition: the branch is inlined and no If runs', () => {
    for (const [which, expected] of [['constant-true', relu.map((v, i) => v * [2, 3, 4][i] - xs[i])], ['constant-false', relu.map((v, i) => v + 1 - xs[i])]] as const) {
      const folded = foldConstantIf(branchy(which));
      expect(folded.folded).toBe(1);
      expect(folded.graph.nodes.map((n) => n.opType)).not.toContain('If');
      const s = createSession(branchy(which));
      expect(s.run({ x }).out.toArray()).toEqual(expected);
    }
  });

  it('renames inlined names that collide with names of the enclosing graph', () => {
    const thenBranch = graph({ nodes: [node('Neg', ['x'], ['z'])], inputs: [], outputs: [vi('z')] });
    const outer = graph({
      nodes: [node('Abs', ['x'], ['z']), node('If', ['k'], ['y'], { then_branch: g(thenBranch), else_branch: g(thenBranch) }), node('Add', ['y', 'z'], ['out'])],
      inputs: [vi('x', 'float32', [2])],
      outputs: [vi('out')],
      initializers: { k: bool(true) },
    });
    const out = createSession(outer).run({ x: f32([2], [-3, 5]) }).out;
    expect(out.toArray()).toEqual([3 + 3, -5 + 5]);
  });

  it('refuses a branch output whose rank disagrees with its declaration, and mismatched branch outputs at load', () => {
    const bad = graph({ nodes: [node('Unsqueeze', ['t', 'ax'], ['u'])], inputs: [], outputs: [vi('u', 'float32', [3])], initializers: { ax: i64([0]) } });
    const ok = graph({ nodes: [node('Identity', ['t'], ['v'])], inputs: [], outputs: [vi('v', 'float32', [3])] });
    const outer = (then: Graph, els: Graph): Graph =>
      graph({ nodes: [node('Relu', ['x'], ['t']), node('If', ['c'], ['y'], { then_branch: g(then), else_branch: g(els) }, { name: 'branchy' })], inputs: [vi('x', 'float32', [3]), vi('c', 'bool', [])], outputs: [vi('y')] });
    const s = createSession(outer(bad, ok));
    expect(s.run({ x, c: bool(false) }).y.shape).toEqual([3]);
    expect(() => s.run({ x, c: bool(true) })).toThrow(ControlFlowError);
    expect(() => s.run({ x, c: bool(true) })).toThrow(/If "branchy": then_branch output 0 "u" has rank 2 \(\[1,3\]\) but is declared with rank 1/);
    const two = graph({ nodes: [node('Identity', ['t'], ['v']), node('Identity', ['t'], ['w'])], inputs: [], outputs: [vi('v'), vi('w')] });
    expect(() => createSession(outer(ok, two))).toThrow(/If "branchy": else_branch has 2 output\(s\) but the node has 1/);
    const int = graph({ nodes: [node('Cast', ['t'], ['v'], { to: A.int(7) })], inputs: [], outputs: [vi('v', 'int64', [3])] });
    expect(() => createSession(outer(ok, int))).toThrow(/output 0 is float32 in then_branch but int64 in else_branch/);
  });

  it('reports ops a branch cannot run at load, with the others, and a read of a name no scope defines', () => {
    const strange = graph({ nodes: [node('NoSuchOp', ['t'], ['v'])], inputs: [], outputs: [vi('v')] });
    const ok = graph({ nodes: [node('Identity', ['t'], ['v'])], inputs: [], outputs: [vi('v')] });
    const outer = (then: Graph): Graph => graph({ nodes: [node('Relu', ['x'], ['t']), node('If', ['c'], ['y'], { then_branch: g(then), else_branch: g(ok) })], inputs: [vi('x'), vi('c')], outputs: [vi('y')] });
    expect(() => createSession(outer(strange))).toThrow(UnsupportedOpError);
    const dangling = graph({ nodes: [node('Identity', ['nowhere'], ['v'])], inputs: [], outputs: [vi('v')] });
    expect(() => createSession(outer(dangling))).toThrow(GraphError);
    expect(() => createSession(outer(dangling))).toThrow(/subgraph "then_branch" reads "nowhere", which is not a value of an enclosing graph/);
  });
});

/** Loop: acc += x * i for i < M while sum(acc) < limit; the scan output collects acc; the body reads outer `x` (the loop-carried input is added by withAcc). */
function loopGraph(withCondition: boolean): Graph {
  const body = graph({
    nodes: [
      node('Cast', ['i'], ['fi'], { to: A.int(1) }),
      node('Mul', ['x', 'fi'], ['xi']),
      node('Add', ['acc_in', 'xi'], ['acc_out']),
      node('ReduceSum', ['acc_out'], ['total'], { keepdims: A.int(0) }),
      node('Less', ['total', 'limit'], ['cond_out']),
      node('Identity', ['acc_out'], ['scan']),
    ],
    inputs: [vi('i', 'int64', []), vi('cond_in', 'bool', []), vi('acc_in', 'float32', [2])],
    outputs: [vi('cond_out', 'bool', []), vi('acc_out', 'float32', [2]), vi('scan', 'float32', [2])],
  });
  return graph({
    nodes: [node('Relu', ['x0'], ['x']), node('Loop', ['M', withCondition ? 'c' : ''], ['acc', 'all'], { body: g(body) }, { name: 'loop' })],
    inputs: [vi('x0', 'float32', [2]), vi('M', 'int64', []), vi('limit', 'float32', []), ...(withCondition ? [vi('c', 'bool', [])] : [])],
    outputs: [vi('acc'), vi('all')],
  });
}

const withAcc = (gr: Graph): Graph => ({ ...gr, nodes: gr.nodes.map((n) => (n.opType === 'Loop' ? { ...n, inputs: [...n.inputs, 'acc0'] } : n)), initializers: new Map([['acc0', f32([2], [0, 0])]]) });
const withAccGraph = (): Graph => withAcc(loopGraph(false));

describe('Loop', () => {
  const x0 = f32([2], [1, 2]);
  it('runs M iterations with loop-carried and scan outputs, reading an outer activation', () => {
    const s = createSession(withAcc(loopGraph(false)));
    const r = s.run({ x0, M: Tensor.from('int64', [], [4]), limit: f32([], [1e9]) });
    // acc after i = 0..3: x * (0+1+2+3) = [6, 12]; the scan holds every step.
    expect(r.acc.toArray()).toEqual([6, 12]);
    expect(r.all.shape).toEqual([4, 2]);
    expect(r.all.toArray()).toEqual([0, 0, 1, 2, 3, 6, 6, 12]);
  });

  it('stops on the body condition, and runs zero times for M = 0 (an empty scan output)', () => {
    const s = createSession(withAcc(loopGraph(true)));
    const r = s.run({ x0, M: Tensor.from('int64', [], [100]), limit: f32([], [10]), c: bool(true) });
    // totals 0, 3, 9, 18: the condition turns false after the 4th iteration
    expect(r.acc.toArray()).toEqual([6, 12]);
    expect(r.all.shape).toEqual([4, 2]);
    const none = s.run({ x0, M: Tensor.from('int64', [], [0]), limit: f32([], [10]), c: bool(true) });
    expect(none.acc.toArray()).toEqual([0, 0]);
    expect(none.all.shape).toEqual([0, 2]);
    expect(s.run({ x0, M: Tensor.from('int64', [], [5]), limit: f32([], [10]), c: bool(false) }).all.shape).toEqual([0, 2]);
  });

  it('maxLoopIterations stops a loop that would run longer with a typed error', () => {
    const s = createSession(withAcc(loopGraph(true)), { maxLoopIterations: 3 });
    const feeds = { x0, M: Tensor.from('int64', [], [100]), limit: f32([], [1e9]), c: bool(true) };
    expect(() => s.run(feeds)).toThrow(ControlFlowError);
    try {
      s.run(feeds);
    } catch (e) {
      expect((e as ControlFlowError).reason).toBe('loop-limit');
      expect((e as Error).message).toBe('Loop "loop": stopped after 3 iterations (the session\'s maxLoopIterations)');
    }
    expect(s.run({ ...feeds, M: Tensor.from('int64', [], [3]) }).acc.toArray()).toEqual([3, 6]);
  });

  it('nests: an If inside the Loop body reads a value two scopes out', () => {
    const inner = (op: string, out: string): Graph => graph({ nodes: [node(op, ['acc_in', 'w'], [out])], inputs: [], outputs: [vi(out)] });
    const body = graph({
      nodes: [
        node('Cast', ['i'], ['fi'], { to: A.int(1) }),
        node('Mod', ['i', 'two'], ['odd']),
        node('Cast', ['odd'], ['isOdd'], { to: A.int(9) }),
        node('If', ['isOdd'], ['acc_out'], { then_branch: g(inner('Mul', 'm')), else_branch: g(inner('Add', 'a')) }, { name: 'inner_if' }),
        node('Identity', ['cond_in'], ['cond_out']),
      ],
      inputs: [vi('i', 'int64', []), vi('cond_in', 'bool', []), vi('acc_in', 'float32', [1])],
      outputs: [vi('cond_out'), vi('acc_out')],
      initializers: { two: i64([2], []) },
    });
    const outer = graph({
      nodes: [node('Abs', ['w0'], ['w']), node('Loop', ['M', '', 'a0'], ['acc'], { body: g(body) })],
      inputs: [vi('w0', 'float32', [1]), vi('M', 'int64', [])],
      outputs: [vi('acc')],
      initializers: { a0: f32([1], [1]) },
    });
    // i = 0: +3 → 4; i = 1: ×3 → 12; i = 2: +3 → 15; i = 3: ×3 → 45
    const r = createSession(outer).run({ w0: f32([1], [-3]), M: Tensor.from('int64', [], [4]) });
    expect(r.acc.toArray()).toEqual([45]);
  });
});

describe('Scan', () => {
  it('opset 9+: reverse input direction, output axis 1, a running state', () => {
    const body = graph({
      nodes: [node('Add', ['s_in', 'xt'], ['s_out']), node('Identity', ['s_out'], ['y'])],
      inputs: [vi('s_in', 'float32', [2]), vi('xt', 'float32', [2])],
      outputs: [vi('s_out'), vi('y')],
    });
    const gr = graph({
      nodes: [node('Scan', ['s0', 'x'], ['s', 'ys'], { body: g(body), num_scan_inputs: A.int(1), scan_input_directions: A.ints([1]), scan_output_axes: A.ints([1]) })],
      inputs: [vi('s0', 'float32', [2]), vi('x', 'float32', [3, 2])],
      outputs: [vi('s'), vi('ys')],
    });
    const r = createSession(model(gr, 16)).run({ s0: f32([2], [0, 0]), x: f32([3, 2], [1, 2, 3, 4, 5, 6]) });
    expect(r.s.toArray()).toEqual([9, 12]);
    // steps see rows 2, 1, 0: running sums [5,6], [8,10], [9,12], stacked along axis 1 → [2, 3]
    expect(r.ys.shape).toEqual([2, 3]);
    expect(r.ys.toArray()).toEqual([5, 8, 9, 6, 10, 12]);
  });

  it('opset 8: batch axis and per-batch sequence lengths (steps past a length are zeros)', () => {
    const body = graph({
      nodes: [node('Add', ['s_in', 'xt'], ['s_out']), node('Identity', ['s_out'], ['y'])],
      inputs: [vi('s_in', 'float32', [1]), vi('xt', 'float32', [1])],
      outputs: [vi('s_out'), vi('y')],
    });
    const gr = graph({
      nodes: [node('Scan', ['lens', 's0', 'x'], ['s', 'ys'], { body: g(body), num_scan_inputs: A.int(1) })],
      inputs: [vi('lens', 'int32', [2]), vi('s0', 'float32', [2, 1]), vi('x', 'float32', [2, 3, 1])],
      outputs: [vi('s'), vi('ys')],
    });
    const r = createSession(model(gr, 8)).run({ lens: Tensor.from('int32', [2], [3, 2]), s0: f32([2, 1], [0, 10]), x: f32([2, 3, 1], [1, 2, 3, 4, 5, 6]) });
    expect(r.s.toArray()).toEqual([6, 19]);
    expect(r.ys.shape).toEqual([2, 3, 1]);
    expect(r.ys.toArray()).toEqual([1, 3, 6, 14, 19, 0]);
  });
});
