// If, Loop and Scan: nodes whose attributes hold subgraphs. The session compiles each subgraph once, at load, as a
// session of its own (see InferenceSession.compileSubgraph): its kernels are built, its fusions applied, and the
// outer values it reads reach it through the node's implicit inputs. A run then calls the body per branch/iteration.
import { DTypeError, ShapeError, Tensor, ValueError, formatShape, normalizeAxis, type DType } from '@qint/tensor';
import { ControlFlowError } from '../control-flow-error';
import { GraphError } from '../graph-error';
import type { Graph, ValueInfo } from '../ir';
import { inferShapes } from '../infer-shapes';
import { freeVariables } from '../subgraph-scope';
import { TensorSequence, kindOf, type Value } from '../values';
import { concat } from './data-movement-ops';
import { onnxOp } from './define-op';
import type { CompiledSubgraph, InferredValue, OpBuildContext, OpDefinition, OpKernel, ShapeInferrer } from './op-definition';

/** A scalar condition (bool or any number type) as a boolean. */
function truth(t: Value | undefined, what: string): boolean {
  if (!(t instanceof Tensor)) throw new DTypeError(`${what} must be a tensor, got ${kindOf(t)}`);
  if (t.size !== 1) throw new ValueError(`${what} must hold exactly one value, got shape ${formatShape(t.shape)}`);
  return Number(t.values()[0]) !== 0;
}

/** Checks a subgraph's value against the rank (and dtype) it declares; a mismatch is the model's error. */
function checkDeclared(v: Value, decl: ValueInfo | undefined, what: string, ctx: OpBuildContext): void {
  if (!decl || !(v instanceof Tensor)) return;
  if (decl.dtype !== undefined && v.dtype !== decl.dtype) {
    throw new ControlFlowError('branch-mismatch', `${ctx.label}: ${what} "${decl.name}" is ${v.dtype} but is declared ${decl.dtype}`, { node: ctx.node.name });
  }
  if (decl.shape !== undefined && decl.shape.length !== v.rank) {
    throw new ControlFlowError(
      'branch-mismatch',
      `${ctx.label}: ${what} "${decl.name}" has rank ${v.rank} (${formatShape(v.shape)}) but is declared with rank ${decl.shape.length}`,
      { node: ctx.node.name },
    );
  }
}

function body(ctx: OpBuildContext, attr: string): CompiledSubgraph {
  if (!ctx.subgraph) throw new GraphError(`${ctx.label}: subgraphs can only run inside an InferenceSession`, { node: ctx.node.name });
  return ctx.subgraph(attr);
}

function guard(ctx: OpBuildContext, iteration: number): void {
  const max = ctx.maxLoopIterations;
  if (max !== undefined && iteration >= max) {
    throw new ControlFlowError('loop-limit', `${ctx.label}: stopped after ${max} iterations (the session's maxLoopIterations)`, { node: ctx.node.name });
  }
}

/** Stacks equal-shape tensors along a new axis `axis` (0 … rank), in order. */
export function stack(items: readonly Tensor[], axis: number, what: string): Tensor {
  const first = items[0];
  const shape = first.shape.slice();
  shape.splice(axis, 0, 1);
  const parts = items.map((t, i) => {
    if (t.dtype !== first.dtype || t.rank !== first.rank || t.shape.some((d, k) => d !== first.shape[k])) {
      throw new ShapeError(`${what}: iteration ${i} gave ${t.dtype} ${formatShape(t.shape)}, iteration 0 ${first.dtype} ${formatShape(first.shape)}`);
    }
    return t.reshape(shape);
  });
  return parts.length === 1 ? parts[0] : concat(parts, axis);
}

/** An empty scan output of a loop that ran zero times: `[0, ...declared dims]` (unknown dims as 0). */
function emptyScan(decl: ValueInfo | undefined, axis = 0): Tensor {
  const dims = (decl?.shape ?? []).map((d) => (typeof d === 'number' ? d : 0));
  dims.splice(axis, 0, 0);
  return Tensor.zeros((decl?.dtype ?? 'float32') as DType, dims);
}

function ifKernel(ctx: OpBuildContext): OpKernel {
  const then = body(ctx, 'then_branch');
  const els = body(ctx, 'else_branch');
  const n = ctx.node.outputs.length;
  for (const [name, b] of [['then_branch', then], ['else_branch', els]] as const) {
    if (b.outputs.length !== n) {
      throw new ControlFlowError('branch-mismatch', `${ctx.label}: ${name} has ${b.outputs.length} output(s) but the node has ${n}`, { node: ctx.node.name });
    }
  }
  for (let j = 0; j < n; j++) {
    const a = then.outputs[j];
    const b = els.outputs[j];
    if (a.dtype !== undefined && b.dtype !== undefined && a.dtype !== b.dtype) {
      throw new ControlFlowError('branch-mismatch', `${ctx.label}: output ${j} is ${a.dtype} in then_branch but ${b.dtype} in else_branch`, { node: ctx.node.name });
    }
  }
  return (args) => {
    const taken = truth(args[0], 'cond');
    const branch = taken ? then : els;
    const outs = branch.run([], args);
    for (let j = 0; j < n; j++) checkDeclared(outs[j], branch.outputs[j], `${taken ? 'then' : 'else'}_branch output ${j}`, ctx);
    return outs as Tensor[];
  };
}

function loopKernel(ctx: OpBuildContext): OpKernel {
  const b = body(ctx, 'body');
  const nodeInputs = ctx.node.inputs.length;
  const carried = Math.max(0, nodeInputs - 2);
  if (b.inputs.length !== carried + 2) {
    throw new ControlFlowError('body-mismatch', `${ctx.label}: body takes ${b.inputs.length} input(s) but the node gives it ${carried + 2} (iteration, condition, ${carried} loop-carried)`, { node: ctx.node.name });
  }
  const scans = b.outputs.length - 1 - carried;
  if (scans < 0) {
    throw new ControlFlowError('body-mismatch', `${ctx.label}: body returns ${b.outputs.length} output(s), fewer than 1 + ${carried} loop-carried`, { node: ctx.node.name });
  }
  if (ctx.node.outputs.length > carried + scans) {
    throw new ControlFlowError('body-mismatch', `${ctx.label}: the node has ${ctx.node.outputs.length} outputs but its body gives ${carried} loop-carried and ${scans} scan output(s)`, { node: ctx.node.name });
  }
  return (args) => {
    const mArg = nodeInputs > 0 ? args[0] : undefined;
    const limit = mArg === undefined ? Infinity : (() => {
      if (mArg.size !== 1) throw new ValueError(`trip count M must hold one value, got shape ${formatShape(mArg.shape)}`);
      return Number(mArg.values()[0]);
    })();
    let cond = nodeInputs > 1 && args[1] !== undefined ? truth(args[1], 'cond') : true;
    let state: Value[] = [];
    for (let k = 0; k < carried; k++) {
      const v = args[2 + k] as Value | undefined;
      if (v === undefined) throw new GraphError(`loop-carried input ${k} ("${ctx.node.inputs[2 + k]}") is missing`);
      state.push(v);
    }
    const collected: Tensor[][] = Array.from({ length: scans }, () => []);
    const condIn = [Tensor.scalar('bool', false), Tensor.scalar('bool', true)];
    const inputs: Value[] = new Array(carried + 2);
    let i = 0;
    while (i < limit && cond) {
      guard(ctx, i);
      inputs[0] = Tensor.from('int64', [], BigInt64Array.of(BigInt(i)));
      inputs[1] = condIn[cond ? 1 : 0];
      for (let k = 0; k < carried; k++) inputs[2 + k] = state[k];
      const outs = b.run(inputs, args);
      cond = truth(outs[0], 'body output 0 (condition)');
      state = outs.slice(1, 1 + carried);
      for (let k = 0; k < scans; k++) {
        const v = outs[1 + carried + k];
        if (!(v instanceof Tensor)) throw new DTypeError(`body scan output ${k} must be a tensor, got ${kindOf(v)}`);
        collected[k].push(v);
      }
      i++;
    }
    const result: Value[] = state.slice();
    for (let k = 0; k < scans; k++) {
      result.push(collected[k].length === 0 ? emptyScan(b.outputs[1 + carried + k]) : stack(collected[k], 0, `scan output ${k}`));
    }
    return result as Tensor[];
  };
}

interface ScanLayout {
  readonly states: number;
  readonly scanIns: number;
  readonly scanOuts: number;
  readonly inAxes: readonly number[];
  readonly inDirs: readonly number[];
  readonly outAxes: readonly number[];
  readonly outDirs: readonly number[];
}

/** One scan over already batch-free inputs: returns the final states and the per-step outputs, stacked. */
function runScan(
  ctx: OpBuildContext,
  b: CompiledSubgraph,
  layout: ScanLayout,
  initial: readonly Value[],
  scanInputs: readonly Tensor[],
  nodeArgs: readonly (Tensor | undefined)[],
  lengthLimit?: number,
): { states: Value[]; outs: Tensor[][] } {
  const axes = scanInputs.map((t, j) => normalizeAxis(layout.inAxes[j] ?? 0, t.rank, `scan_input_axes[${j}]`));
  let steps = scanInputs.length > 0 ? scanInputs[0].shape[axes[0]] : 0;
  scanInputs.forEach((t, j) => {
    if (t.shape[axes[j]] !== steps) {
      throw new ShapeError(`scan input ${j} has ${t.shape[axes[j]]} steps along axis ${axes[j]} (${formatShape(t.shape)}), scan input 0 has ${steps}`);
    }
  });
  if (lengthLimit !== undefined) steps = Math.min(steps, lengthLimit);
  let states = initial.slice();
  const outs: Tensor[][] = Array.from({ length: layout.scanOuts }, () => []);
  const inputs: Value[] = new Array(layout.states + layout.scanIns);
  for (let t = 0; t < steps; t++) {
    guard(ctx, t);
    for (let k = 0; k < layout.states; k++) inputs[k] = states[k];
    scanInputs.forEach((x, j) => {
      const axis = axes[j];
      const at = layout.inDirs[j] === 1 ? x.shape[axis] - 1 - t : t;
      const slice = x.slice([at], [at + 1], [axis]);
      const shape = x.shape.filter((_, d) => d !== axis);
      inputs[layout.states + j] = slice.reshape(shape);
    });
    const r = b.run(inputs, nodeArgs);
    states = r.slice(0, layout.states);
    for (let k = 0; k < layout.scanOuts; k++) {
      const v = r[layout.states + k];
      if (!(v instanceof Tensor)) throw new DTypeError(`body scan output ${k} must be a tensor, got ${kindOf(v)}`);
      outs[k].push(v);
    }
  }
  return { states, outs };
}

function stackScanOutput(items: readonly Tensor[], layout: ScanLayout, k: number, decl: ValueInfo | undefined): Tensor {
  if (items.length === 0) return emptyScan(decl, 0);
  const ordered = layout.outDirs[k] === 1 ? items.slice().reverse() : items;
  const axis = normalizeAxis(layout.outAxes[k] ?? 0, items[0].rank + 1, `scan_output_axes[${k}]`);
  return stack(ordered, axis, `scan output ${k}`);
}

function scanLayout(ctx: OpBuildContext, b: CompiledSubgraph, nodeStates: number, nodeScanIns: number): ScanLayout {
  const m = ctx.attrs.int('num_scan_inputs');
  if (m === undefined || m < 0) throw new GraphError(`${ctx.label}: attribute "num_scan_inputs" is required`, { node: ctx.node.name });
  if (nodeScanIns !== m) throw new ControlFlowError('body-mismatch', `${ctx.label}: has ${nodeStates + nodeScanIns} state/scan inputs, fewer than num_scan_inputs = ${m}`, { node: ctx.node.name });
  if (b.inputs.length !== nodeStates + m) {
    throw new ControlFlowError('body-mismatch', `${ctx.label}: body takes ${b.inputs.length} input(s) but the node gives it ${nodeStates} state and ${m} scan input(s)`, { node: ctx.node.name });
  }
  const k = b.outputs.length - nodeStates;
  if (k < 0) throw new ControlFlowError('body-mismatch', `${ctx.label}: body returns ${b.outputs.length} output(s), fewer than its ${nodeStates} state(s)`, { node: ctx.node.name });
  const ints = (name: string, n: number): number[] => {
    const v = ctx.attrs.ints(name) ?? new Array<number>(n).fill(0);
    if (v.length !== n) throw new GraphError(`${ctx.label}: attribute "${name}" has ${v.length} entries, expected ${n}`, { node: ctx.node.name });
    return v.slice();
  };
  const dirs = ctx.opset < 9 ? ints('directions', m) : ints('scan_input_directions', m);
  return {
    states: nodeStates,
    scanIns: m,
    scanOuts: k,
    inAxes: ctx.opset < 9 ? new Array<number>(m).fill(0) : ints('scan_input_axes', m),
    inDirs: dirs,
    outAxes: ctx.opset < 9 ? new Array<number>(k).fill(0) : ints('scan_output_axes', k),
    outDirs: ctx.opset < 9 ? new Array<number>(k).fill(0) : ints('scan_output_directions', k),
  };
}

function scan9Kernel(ctx: OpBuildContext): OpKernel {
  const b = body(ctx, 'body');
  const m = ctx.attrs.int('num_scan_inputs', 0);
  const n = ctx.node.inputs.length - m;
  const layout = scanLayout(ctx, b, n, Math.min(m, ctx.node.inputs.length));
  return (args) => {
    const initial = args.slice(0, n) as Value[];
    const scanInputs = args.slice(n, n + m).map((t, j) => {
      if (!(t instanceof Tensor)) throw new GraphError(`scan input ${j} is missing`);
      return t;
    });
    const { states, outs } = runScan(ctx, b, layout, initial, scanInputs, args);
    return [...states, ...outs.map((items, k) => stackScanOutput(items, layout, k, b.outputs[n + k]))] as Tensor[];
  };
}

/** Scan-8: a leading batch axis on every state and scan input, optional per-batch sequence lengths. */
function scan8Kernel(ctx: OpBuildContext): OpKernel {
  const b = body(ctx, 'body');
  const m = ctx.attrs.int('num_scan_inputs', 0);
  const n = ctx.node.inputs.length - 1 - m;
  const layout = scanLayout(ctx, b, n, Math.min(m, ctx.node.inputs.length - 1));
  return (args) => {
    const rows = (t: Tensor | undefined, what: string): Tensor => {
      if (!(t instanceof Tensor) || t.rank < 1) throw new ShapeError(`${what} must be a tensor with a batch axis`);
      return t;
    };
    const states = args.slice(1, 1 + n).map((t, k) => rows(t, `initial state ${k}`));
    const scans = args.slice(1 + n, 1 + n + m).map((t, j) => rows(t, `scan input ${j}`));
    const batch = (states[0] ?? scans[0])?.shape[0] ?? 0;
    const lens = args[0] ? Array.from(args[0].values(), Number) : undefined;
    const row = (t: Tensor, i: number): Tensor => t.slice([i], [i + 1], [0]).reshape(t.shape.slice(1));
    const finals: Tensor[][] = Array.from({ length: n }, () => []);
    const perBatch: Tensor[][] = Array.from({ length: layout.scanOuts }, () => []);
    const maxSteps = scans[0]?.shape[1] ?? 0;
    for (let i = 0; i < batch; i++) {
      const r = runScan(ctx, b, layout, states.map((s) => row(s, i)), scans.map((s) => row(s, i)), args, lens?.[i]);
      r.states.forEach((s, k) => finals[k].push(s as Tensor));
      r.outs.forEach((items, k) => {
        // Steps past this batch entry's length are zeros, as onnxruntime pads them.
        const padded = items.slice();
        while (padded.length < maxSteps && padded.length > 0) padded.push(Tensor.zeros(items[0].dtype, items[0].shape));
        perBatch[k].push(stackScanOutput(padded, layout, k, b.outputs[n + k]));
      });
    }
    return [...finals.map((f) => stack(f, 0, 'final state')), ...perBatch.map((p) => stack(p, 0, 'scan output'))];
  };
}

/** The types a subgraph's outputs take, inferred inside it (outer values it reads are unknown there). */
function subgraphOutputTypes(ctx: OpBuildContext, attr: string): (InferredValue | undefined)[] | undefined {
  const a = ctx.node.attributes[attr];
  if (a?.type !== 'graph') return undefined;
  const g: Graph = a.value;
  const open: Graph = { ...g, inputs: [...g.inputs, ...freeVariables(g).map((name) => ({ name }))] };
  const infos = inferShapes(open, { opsetImports: { '': ctx.opset } });
  return g.outputs.map((o) => {
    const v = infos.get(o.name);
    return v ? { dtype: v.dtype ?? o.dtype, shape: v.shape ?? o.shape } : { dtype: o.dtype, shape: o.shape };
  });
}

const inferIf: ShapeInferrer = (ctx) => {
  const a = subgraphOutputTypes(ctx, 'then_branch') ?? [];
  const b = subgraphOutputTypes(ctx, 'else_branch') ?? [];
  return ctx.node.outputs.map((_, j) => {
    const x = a[j];
    const y = b[j];
    const dtype = x?.dtype ?? y?.dtype;
    const shape =
      x?.shape && y?.shape && x.shape.length === y.shape.length ? x.shape.map((d, k) => (d === y.shape![k] ? d : undefined)) : undefined;
    return dtype === undefined && shape === undefined ? undefined : { dtype, shape };
  });
};

const inferLoop: ShapeInferrer = (ctx, inputs) => {
  const outs = subgraphOutputTypes(ctx, 'body') ?? [];
  const carried = Math.max(0, ctx.node.inputs.length - 2);
  return ctx.node.outputs.map((_, j) => {
    if (j < carried) {
      const v = inputs[2 + j];
      return v ? { dtype: v.dtype, shape: v.shape } : outs[1 + j];
    }
    const s = outs[1 + j];
    return s ? { dtype: s.dtype, shape: s.shape ? [undefined, ...s.shape] : undefined } : undefined;
  });
};

const inferScan: ShapeInferrer = (ctx, inputs) => {
  if (ctx.opset < 9) return [];
  const outs = subgraphOutputTypes(ctx, 'body') ?? [];
  const m = ctx.attrs.int('num_scan_inputs', 0);
  const n = ctx.node.inputs.length - m;
  const axes = ctx.attrs.ints('scan_output_axes') ?? [];
  return ctx.node.outputs.map((_, j) => {
    if (j < n) return inputs[j] ? { dtype: inputs[j]!.dtype, shape: inputs[j]!.shape } : outs[j];
    const s = outs[j];
    if (!s?.shape) return s ? { dtype: s.dtype } : undefined;
    const shape = s.shape.slice();
    const axis = axes[j - n] ?? 0;
    shape.splice(axis < 0 ? axis + shape.length + 1 : axis, 0, undefined);
    return { dtype: s.dtype, shape };
  });
};

/** SequenceMap: runs its body once per element of the input sequence(s); each output is a sequence. */
function sequenceMapKernel(ctx: OpBuildContext): OpKernel {
  const b = body(ctx, 'body');
  const nIn = ctx.node.inputs.length;
  if (b.inputs.length !== nIn) {
    throw new ControlFlowError('body-mismatch', `${ctx.label}: body takes ${b.inputs.length} input(s) but the node has ${nIn}`, { node: ctx.node.name });
  }
  if (b.outputs.length !== ctx.node.outputs.length) {
    throw new ControlFlowError('body-mismatch', `${ctx.label}: body returns ${b.outputs.length} output(s) but the node has ${ctx.node.outputs.length}`, { node: ctx.node.name });
  }
  return (args) => {
    const first = args[0] as Value | undefined;
    if (!(first instanceof TensorSequence)) throw new DTypeError(`input 0 must be a sequence, got ${kindOf(first)}`);
    const count = first.length;
    const outs: Tensor[][] = b.outputs.map(() => []);
    const inputs: Value[] = new Array(nIn);
    for (let i = 0; i < count; i++) {
      guard(ctx, i);
      for (let j = 0; j < nIn; j++) {
        const v = args[j] as Value | undefined;
        if (v instanceof TensorSequence) {
          if (v.length !== count) throw new ShapeError(`input ${j} is a sequence of ${v.length} tensors, input 0 of ${count}`);
          inputs[j] = v.items[i];
        } else if (v instanceof Tensor) inputs[j] = v;
        else throw new DTypeError(`input ${j} must be a sequence or a tensor, got ${kindOf(v)}`);
      }
      const r = b.run(inputs, args);
      r.forEach((v, k) => {
        if (!(v instanceof Tensor)) throw new DTypeError(`body output ${k} must be a tensor, got ${kindOf(v)}`);
        outs[k].push(v);
      });
    }
    return outs.map((items, k) => new TensorSequence(b.outputs[k].dtype ?? items[0]?.dtype, items)) as unknown as Tensor[];
  };
}

/** If, Loop, Scan (opset 8 and 9+ forms), SequenceMap. */
export const controlFlowOps: readonly OpDefinition[] = [
  onnxOp('If', 1, ifKernel, inferIf),
  onnxOp('Loop', 1, loopKernel, inferLoop),
  onnxOp('Scan', 8, scan8Kernel),
  onnxOp('Scan', 9, scan9Kernel, inferScan),
  onnxOp('SequenceMap', 17, sequenceMapKernel),
];
