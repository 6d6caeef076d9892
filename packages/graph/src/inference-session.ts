import { createJsBackend, type KernelBackend } from '@qint/kernels';
import { foldBatchNorm } from './fold-batch-norm';
import { fuseConvBiasActivation } from './fuse-conv-bias-activation';
import { availableFusions, fuseTransformerPatterns } from './fuse-transformer-patterns';
import { QINT_DOMAIN } from './ops/qint/qint-domain';
import { DTypeError, MemoryLimitError, QintError, ShapeError, ValueError, formatShape, setMaxTensorBytes, Tensor, type DType } from '@qint/tensor';
import { GraphError } from './graph-error';
import { adaptLowPrecisionFloats } from './low-precision-floats';
import { unsupportedDtypeReason } from './dtype-support';
import { enterPool, recycle, type BufferPool } from './buffer-pool';
import { DEFAULT_OPSETS, type Graph, type Model, type Node, type ValueInfo } from './ir';
import { nodeOpset } from './pin-op-versions';
import type { OpRegistry } from './op-registry';
import { createDefaultRegistry } from './default-registry';
import { AttributeReader } from './ops/attribute-reader';
import type { OpBuildContext, OpKernel } from './ops/op-definition';
import { UnsupportedVariant } from './ops/unsupported-variant';
import type { NodeProfile, RunOptions, RunStats, SessionOptions } from './session-options';
import { UnsupportedOpError, type UnsupportedOpInfo } from './unsupported-op-error';
import { foldConstantIf } from './fold-constant-if';
import { freeVariables, subgraphsOf } from './subgraph-scope';
import type { CompiledSubgraph } from './ops/op-definition';
import { OptionalValue, TensorSequence, kindOf, type Value } from './values';
import { nodeLabel } from './node-label';

/** One node prepared for execution: slot indices and the prebuilt kernel. */
interface PreparedNode {
  readonly index: number;
  readonly label: string;
  readonly nodeName: string;
  readonly opType: string;
  readonly domain: string;
  readonly kernel: OpKernel;
  /** Slot per input, -1 for an omitted optional input. */
  readonly inputSlots: Int32Array;
  /** Slot per output, -1 for an omitted optional output. */
  readonly outputSlots: Int32Array;
  /** Reused argument array (runs are synchronous, so one per node suffices). */
  readonly args: (Tensor | undefined)[];
  /**
   * Shape-subgraph memo (see SHAPE_PURE_OPS): 0 = always runs; 1 = a Shape/Size node, reused while its input's shape
   * is unchanged; 2 = a pure op on constants and memoized values only, reused while all of those were reused.
   */
  memo: 0 | 1 | 2;
  /** The input shape (memo 1) and the outputs of the last computation (memo 1 and 2). */
  memoShape?: readonly number[];
  memoOut?: readonly Tensor[];
}

/** Ops whose outputs depend only on their inputs' values (no randomness, no state): safe to memoize on constant inputs. */
const SHAPE_PURE_OPS = new Set([
  'Constant', 'Gather', 'Unsqueeze', 'Squeeze', 'Concat', 'Cast', 'Add', 'Sub', 'Mul', 'Div', 'Slice', 'Reshape', 'Identity',
  'ConstantOfShape', 'Range', 'Equal', 'Where', 'Expand', 'ReduceProd', 'Max', 'Min', 'Floor', 'Ceil', 'Neg', 'Abs', 'Sqrt',
]);

/** Which nodes run for a set of requested outputs, and when each value dies. */
interface Plan {
  readonly nodes: readonly PreparedNode[];
  /** Per planned node: slots to release after it ran. */
  readonly frees: readonly Int32Array[];
  /** Per planned node: bit mask of inputs that die there (candidates for in-place reuse, checked again at run). */
  readonly donors: Int32Array;
  readonly outputNames: readonly string[];
  readonly outputSlots: Int32Array;
  /** Per requested output: 1 when it is a memoized node's value, handed out as a copy (the caller may modify it). */
  readonly copyOut: Uint8Array;
}

/**
 * Runs a graph of the qint IR (float and quantized) on the selected kernel backend.
 *
 * Everything that can be decided once is decided at load: op resolution (all unsupported ops reported together),
 * the topological-order check, attribute parsing, per-node kernels, and the point after which each intermediate
 * value is released. A run then only moves tensors between slots and calls kernels.
 *
 * @example
 * ```ts
 * const session = InferenceSession.create(model);
 * const { y } = session.run({ x: Tensor.from('float32', [1, 4], [1, 2, 3, 4]) });
 * console.log(session.lastRunStats.peakLiveBytes);
 * ```
 */
export class InferenceSession {
  /** Graph inputs a caller must or may feed (initializers listed as inputs are optional feeds). */
  readonly inputs: readonly ValueInfo[];
  /** Graph outputs, in order. */
  readonly outputs: readonly ValueInfo[];
  /** Opset version per domain the ops were resolved against. */
  readonly opsets: Readonly<Record<string, number>>;

  private readonly slotOf = new Map<string, number>();
  private readonly constants: (Tensor | undefined)[];
  private readonly constantBuffers = new Set<ArrayBufferLike>();
  private readonly constantBytes: number;
  private readonly prepared: PreparedNode[];
  /** 1 for constants and the outputs of memoized nodes (see PreparedNode.memo). */
  private readonly memoSlot: Uint8Array;
  /** Per slot: the run number in which it was reused from the memo (so its consumers may be reused too). */
  private readonly reusedIn: Uint32Array;
  /** Dead float32 buffers for reuse (see buffer-pool.ts). */
  private readonly pool: BufferPool = new Map();
  /**
   * Buffers of memoized outputs: never written in place. Weak: a memo replaced after a shape change lets its old
   * buffers go (a strong set grew by one entry per memoized output on every run with new shapes).
   */
  private readonly memoBuffers = new WeakSet<ArrayBufferLike>();
  private runNumber = 0;
  /** SessionOptions.maxTensorBytes: made the current cap while this session runs (undefined: the process-wide one). */
  private maxTensorBytes: number | undefined;
  private readonly producerOf: Int32Array;
  private readonly inputSlots: Int32Array;
  private readonly requiredNames: Set<string>;
  private readonly plans = new Map<string, Plan>();
  private stats: RunStats;

  /** Values that load-time fusion removed, with the node that computes past them. */
  private readonly fusedAway: ReadonlyMap<string, string>;

  /** Set for the session of a subgraph (If branch, Loop/Scan body): its constants are handed out as copies. */
  private readonly isSubgraph: boolean;
  private readonly options: SessionOptions;

  private constructor(
    graph: Graph,
    opsets: Readonly<Record<string, number>>,
    registry: OpRegistry,
    backend: KernelBackend | undefined,
    fusedAway: ReadonlyMap<string, string>,
    options: SessionOptions,
    isSubgraph: boolean,
  ) {
    this.opsets = opsets;
    this.options = options;
    this.isSubgraph = isSubgraph;
    this.fusedAway = fusedAway;
    const constants: (Tensor | undefined)[] = [];
    const define = (name: string, what: string): number => {
      if (this.slotOf.has(name)) throw new GraphError(`${what} "${name}" is defined more than once`);
      const slot = constants.length;
      this.slotOf.set(name, slot);
      constants.push(undefined);
      return slot;
    };
    // Initializers first: they are the defaults of same-named graph inputs.
    let constantBytes = 0;
    for (const [name, t] of graph.initializers) {
      constants[define(name, 'initializer')] = t;
    }
    const inputNames = new Set<string>();
    const inputs: ValueInfo[] = [];
    for (const vi of graph.inputs) {
      if (inputNames.has(vi.name)) throw new GraphError(`graph input "${vi.name}" is listed more than once`);
      inputNames.add(vi.name);
      inputs.push(vi);
      if (!this.slotOf.has(vi.name)) define(vi.name, 'graph input');
    }
    this.inputs = Object.freeze(inputs);
    this.inputSlots = Int32Array.from(inputs, (vi) => this.slotOf.get(vi.name)!);
    this.requiredNames = new Set(inputs.filter((vi) => !graph.initializers.has(vi.name)).map((vi) => vi.name));
    // Constants that no feed may override live for the whole session; they never count as live bytes.
    for (const [name, t] of graph.initializers) {
      if (inputNames.has(name)) continue;
      constantBytes += t.data.byteLength;
      this.constantBuffers.add(t.data.buffer);
    }
    this.constantBytes = constantBytes;

    // Dtypes known at load (initializers, declared inputs and values, op rules), to refuse unsupported dtypes early.
    const dtypeOf = new Map<string, DType>();
    const declared = new Map<string, DType>();
    for (const vi of [...graph.valueInfo, ...graph.outputs]) if (vi.dtype) declared.set(vi.name, vi.dtype);
    for (const vi of graph.inputs) if (vi.dtype) dtypeOf.set(vi.name, vi.dtype);
    for (const [name, t] of graph.initializers) dtypeOf.set(name, t.dtype);
    const producer: number[] = [];
    const unsupported = new Map<string, { info: UnsupportedOpInfo; nodes: string[] }>();
    const prepared: PreparedNode[] = [];
    // Producers are assigned first, so a use-before-definition can be told apart from an undefined value.
    const laterProducer = new Map<string, number>();
    graph.nodes.forEach((node, i) => {
      for (const out of node.outputs) if (out !== '' && !laterProducer.has(out)) laterProducer.set(out, i);
    });
    graph.nodes.forEach((node, i) => {
      const label = nodeLabel(node, i);
      // A node with subgraphs also reads the outer values its subgraphs read (ONNX's implicit inputs): non-constant
      // ones become extra inputs of the node, after its own, so that they stay alive until it ran; constants are
      // handed to the subgraph session as its own initializers (weights stay visible to its kernels and fusions).
      const subgraphs = subgraphsOf(node);
      const implicit: string[] = [];
      const outerConstants = new Map<string, Tensor>();
      for (const [attr, g] of subgraphs) {
        for (const name of freeVariables(g)) {
          const slot = this.slotOf.get(name);
          if (slot === undefined) {
            throw new GraphError(`${label}: subgraph "${attr}" reads "${name}", which is not a value of an enclosing graph defined before this node`, { node: node.name });
          }
          if (constants[slot] !== undefined && !inputNames.has(name)) outerConstants.set(name, constants[slot]!);
          else if (!implicit.includes(name)) implicit.push(name);
        }
      }
      const inputSlots = new Int32Array(node.inputs.length + implicit.length);
      implicit.forEach((name, k) => {
        inputSlots[node.inputs.length + k] = this.slotOf.get(name)!;
      });
      node.inputs.forEach((name, j) => {
        if (name === '') {
          inputSlots[j] = -1;
          return;
        }
        const slot = this.slotOf.get(name);
        if (slot === undefined) {
          const later = laterProducer.get(name);
          if (later !== undefined && later >= i) {
            throw new GraphError(
              `${label}: input ${j} "${name}" is produced by ${nodeLabel(graph.nodes[later], later)}, which comes later; nodes must be in topological order`,
              { node: node.name },
            );
          }
          throw new GraphError(`${label}: input ${j} "${name}" is not a graph input, an initializer or the output of an earlier node`, {
            node: node.name,
          });
        }
        inputSlots[j] = slot;
      });
      const outputSlots = Int32Array.from(node.outputs, (name) => {
        if (name === '') return -1;
        const s = define(name, `value (output of ${label})`);
        producer[s] = i;
        return s;
      });
      const domain = node.domain === 'ai.onnx' ? '' : node.domain;
      const opset = nodeOpset(node, opsets);
      const def = registry.resolve(domain, node.opType, opset);
      const noteUnsupported = (reason?: string): void => {
        const key = `${domain}\u0000${node.opType}\u0000${opset}\u0000${reason ?? ''}`;
        let entry = unsupported.get(key);
        if (!entry) {
          const nodes: string[] = [];
          entry = { info: { domain, opType: node.opType, opset, nodes, ...(reason ? { reason } : {}) }, nodes };
          unsupported.set(key, entry);
        }
        entry.nodes.push(node.name || `#${i}`);
      };
      let kernel: OpKernel | undefined;
      const inputDtypes = node.inputs.map((name) => (name === '' ? undefined : dtypeOf.get(name)));
      const dtypeProblem = def ? unsupportedDtypeReason(domain, node.opType, inputDtypes) : undefined;
      if (def) {
        // Output dtypes for the nodes after this one: the op's own rule, else the declaration.
        let outs: readonly ({ dtype?: DType } | undefined)[] = [];
        if (def.infer) {
          try {
            outs = def.infer({ node, label, opset, attrs: new AttributeReader(node, label), constant: () => undefined }, inputDtypes.map((dtype) => (dtype ? { dtype } : undefined)));
          } catch {
            outs = [];
          }
        }
        node.outputs.forEach((name, j) => {
          const dtype = outs[j]?.dtype ?? declared.get(name);
          if (name !== '' && dtype) dtypeOf.set(name, dtype);
        });
      }
      if (!def) noteUnsupported();
      else if (dtypeProblem) noteUnsupported(dtypeProblem);
      else {
        const ctx: OpBuildContext = {
          node,
          label,
          opset,
          attrs: new AttributeReader(node, label),
          ...(backend ? { backend } : {}),
          ...(options.maxLoopIterations !== undefined ? { maxLoopIterations: options.maxLoopIterations } : {}),
          constant: (k: number) => {
            const s = inputSlots[k];
            return s === undefined || s < 0 || k >= node.inputs.length || inputNames.has(node.inputs[k]) ? undefined : constants[s];
          },
          subgraph: (attr: string) => {
            const g = subgraphs.find(([a]) => a === attr)?.[1];
            if (g === undefined) throw new GraphError(`${label}: attribute "${attr}" must be a graph`, { node: node.name });
            return this.compileSubgraph(g, `${label}.${attr}`, node.inputs.length, implicit, outerConstants, opsets, registry);
          },
        };
        try {
          kernel = adaptLowPrecisionFloats(def.build(ctx), node.opType);
        } catch (e) {
          if (e instanceof UnsupportedVariant) noteUnsupported(e.message);
          else if (e instanceof UnsupportedOpError) {
            for (const info of e.ops) {
              const key = `${info.domain}\u0000${info.opType}\u0000${info.opset}\u0000${info.reason ?? ''}`;
              const entry = unsupported.get(key);
              if (entry) entry.nodes.push(...info.nodes);
              else {
                const nodes = [...info.nodes];
                unsupported.set(key, { info: { ...info, nodes }, nodes });
              }
            }
          } else throw e;
        }
      }
      if (kernel) {
        prepared.push({ index: i, label, nodeName: node.name || `#${i}`, opType: node.opType, domain, kernel, inputSlots, outputSlots, args: new Array(inputSlots.length), memo: 0 });
      }
    });
    if (unsupported.size > 0) throw new UnsupportedOpError([...unsupported.values()].map((e) => e.info));
    this.constants = constants;
    this.prepared = prepared;
    // Shape subgraphs (Shape → Gather → Unsqueeze → Concat → Reshape targets, exported per layer by PyTorch) depend only
    // on input shapes: remember their values and reuse them while the shapes stay the same, instead of running ~100
    // tiny nodes per call. Exact: the reused tensors are what the same kernels produced from the same inputs.
    const memoSlot = new Uint8Array(constants.length);
    for (const [name] of graph.initializers) if (!inputNames.has(name)) memoSlot[this.slotOf.get(name)!] = 1;
    const graphOutputs = new Set(graph.outputs.map((o) => this.slotOf.get(o.name)));
    for (const p of prepared) {
      if (p.domain !== '') continue;
      const source = p.opType === 'Shape' || p.opType === 'Size';
      let pure = SHAPE_PURE_OPS.has(p.opType) && p.inputSlots.every((s) => s < 0 || memoSlot[s] === 1);
      if (!source && !pure) continue;
      // A graph output is handed to the caller, who may modify it: never keep it.
      pure = !Array.from(p.outputSlots).some((s) => graphOutputs.has(s));
      if (!pure) continue;
      p.memo = source ? 1 : 2;
      for (const s of p.outputSlots) if (s >= 0) memoSlot[s] = 1;
    }
    this.memoSlot = memoSlot;
    this.reusedIn = new Uint32Array(constants.length);
    this.producerOf = Int32Array.from({ length: constants.length }, (_, s) => producer[s] ?? -1);
    for (const vi of graph.outputs) {
      if (!this.slotOf.has(vi.name)) throw new GraphError(`graph output "${vi.name}" is not produced by any node, input or initializer`);
    }
    this.outputs = Object.freeze(graph.outputs.slice());
    this.stats = { peakLiveBytes: 0, constantBytes, nodesRun: 0, nodesReused: 0, valuesFreed: 0 };
  }

  /**
   * Loads a model (or a bare graph) and prepares it for execution.
   *
   * @param source - a {@link Model} (its `opsetImports` apply) or a {@link Graph}
   * @param options - {@link SessionOptions}
   * @returns the session
   * @throws {@link UnsupportedOpError} listing every unsupported op (with domain, opset and node names)
   * @throws {@link GraphError} when the graph is malformed (not topologically sorted, undefined or duplicated values,
   *   bad attributes)
   * @example
   * ```ts
   * const session = InferenceSession.create(model, { registry: createDefaultRegistry() });
   * ```
   */
  static create(source: Model | Graph, options: SessionOptions = {}): InferenceSession {
    return InferenceSession.build(source, options, false);
  }

  private static build(source: Model | Graph, options: SessionOptions, isSubgraph: boolean): InferenceSession {
    const isModel = (source as Model).graph !== undefined && (source as Model).opsetImports !== undefined;
    const graph = isModel ? (source as Model).graph : (source as Graph);
    if (!graph || !Array.isArray(graph.nodes) || !(graph.initializers instanceof Map)) {
      throw new GraphError('create: expected a Model or a Graph with nodes, initializers (a Map), inputs and outputs');
    }
    const raw = isModel ? (source as Model).opsetImports : (options.opsetImports ?? DEFAULT_OPSETS);
    const opsets: Record<string, number> = {};
    for (const [k, v] of Object.entries(raw)) opsets[k === 'ai.onnx' ? '' : k] = v;
    if (opsets[''] === undefined) opsets[''] = DEFAULT_OPSETS[''];
    const registry = options.registry ?? createDefaultRegistry();
    // Ifs on load-time constants are inlined first, so that their branches take part in the fusions below.
    const flat = foldConstantIf(graph).graph;
    let fusedGraph = flat;
    const fusedAway = new Map<string, string>();
    if (options.fuse !== false) {
      const transformer = fuseTransformerPatterns(flat, availableFusions(registry, opsets[QINT_DOMAIN] ?? 1));
      // BatchNormalization folds into the conv weights first (changes float rounding; optional), so that a Relu
      // after it can then fuse into the same conv.
      const folded = options.foldBatchNorm === false ? { graph: transformer.graph, fusedAway: new Map<string, string>() } : foldBatchNorm(transformer.graph);
      const conv = fuseConvBiasActivation(folded.graph);
      fusedGraph = conv.graph;
      for (const [k, v] of transformer.fusedAway) fusedAway.set(k, v);
      for (const [k, v] of folded.fusedAway) fusedAway.set(k, v);
      for (const [k, v] of conv.fusedAway) fusedAway.set(k, v);
    }
    const backend = sessionBackend(options.backend);
    const limit = options.maxTensorBytes;
    if (limit !== undefined && (typeof limit !== 'number' || !(limit > 0))) {
      throw new GraphError(`create: options.maxTensorBytes must be a positive number of bytes, got ${String(limit)}`);
    }
    const session = new InferenceSession(fusedGraph, Object.freeze(opsets), registry, backend, fusedAway, options, isSubgraph);
    session.maxTensorBytes = limit;
    return session;
  }

  /**
   * Prepares a subgraph of a node as a session of its own: its inputs are the subgraph's declared inputs followed by
   * the node's implicit (non-constant outer) inputs; the outer constants it reads become its initializers.
   */
  private compileSubgraph(
    g: Graph,
    label: string,
    ownInputs: number,
    implicit: readonly string[],
    outerConstants: ReadonlyMap<string, Tensor>,
    opsets: Readonly<Record<string, number>>,
    registry: OpRegistry,
  ): CompiledSubgraph {
    const free = new Set(freeVariables(g));
    const initializers = new Map<string, Tensor>();
    for (const [name, t] of outerConstants) if (free.has(name)) initializers.set(name, t);
    for (const [name, t] of g.initializers) initializers.set(name, t);
    const outerInputs = implicit.filter((n) => free.has(n));
    const childGraph: Graph = {
      ...g,
      name: g.name || label,
      initializers,
      inputs: [...g.inputs, ...outerInputs.map((name) => ({ name }))],
    };
    let child: InferenceSession;
    try {
      child = InferenceSession.build(childGraph, { ...this.options, opsetImports: opsets, registry }, true);
    } catch (e) {
      if (e instanceof GraphError && !(e instanceof UnsupportedOpError)) throw new GraphError(`${label}: ${e.message}`, { cause: e, ...(e.node !== undefined ? { node: e.node } : {}) });
      throw e;
    }
    const formal = g.inputs.length;
    const argIndex = Int32Array.from(outerInputs, (name) => ownInputs + implicit.indexOf(name));
    const buffer: (Value | undefined)[] = new Array(formal + outerInputs.length);
    return {
      inputs: g.inputs,
      outputs: g.outputs,
      run: (inputs, nodeArgs) => {
        for (let k = 0; k < formal; k++) buffer[k] = inputs[k];
        for (let k = 0; k < argIndex.length; k++) buffer[formal + k] = nodeArgs[argIndex[k]];
        try {
          return child.runPositional(buffer);
        } finally {
          buffer.fill(undefined);
        }
      },
    };
  }

  /**
   * The graph inputs a caller must feed: those without an initializer default (older exporters list every weight
   * as a graph input; those are optional overrides, not inputs to generate data for).
   */
  get requiredInputs(): ValueInfo[] {
    return this.inputs.filter((vi) => this.requiredNames.has(vi.name));
  }

  /** Names of the graph inputs. */
  get inputNames(): string[] {
    return this.inputs.map((vi) => vi.name);
  }

  /** Names of the graph outputs. */
  get outputNames(): string[] {
    return this.outputs.map((vi) => vi.name);
  }

  /** Accounting of the most recent run (zeros before the first). */
  get lastRunStats(): RunStats {
    return this.stats;
  }

  /**
   * Runs the graph.
   *
   * @param feeds - a tensor per graph input; initializers listed as inputs may be fed to override them
   * @param options - {@link RunOptions} (e.g. `outputs` to fetch intermediate values)
   * @returns the requested values by name
   * @throws {@link GraphError} for a missing or unknown feed, or an unknown requested output
   * @throws `MemoryLimitError` (of @qint/tensor) naming the node when an output would exceed `maxTensorBytes`
   * @throws {@link DTypeError} / {@link ShapeError} when a feed's dtype or static dims differ from the declaration
   *   (the message names the input), or when a node rejects its inputs (the message names the node)
   * @example
   * ```ts
   * const out = session.run({ input: x });
   * ```
   */
  run(feeds: Readonly<Record<string, Value>>, options: RunOptions = {}): Record<string, Tensor> {
    return this.runValues(feeds, options) as Record<string, Tensor>;
  }

  /**
   * Runs the graph like {@link InferenceSession.run}, for graphs whose inputs or outputs may be sequences or optionals:
   * each value is a `Tensor`, a {@link TensorSequence} or an {@link OptionalValue}.
   *
   * @param feeds - a value per graph input
   * @param options - {@link RunOptions}
   * @returns the requested values by name
   * @throws the errors of {@link InferenceSession.run}
   * @example
   * ```ts
   * const { seq } = session.runValues({ x });
   * if (seq instanceof TensorSequence) console.log(seq.length);
   * ```
   */
  runValues(feeds: Readonly<Record<string, Value>>, options: RunOptions = {}): Record<string, Value> {
    const plan = this.planFor(options.outputs);
    const values = this.constants.slice() as (Value | undefined)[];
    this.bindFeeds(feeds, values);
    const fed: number[] = [];
    for (let i = 0; i < this.inputSlots.length; i++) {
      if (Object.prototype.hasOwnProperty.call(feeds, this.inputs[i].name)) fed.push(this.inputSlots[i]);
    }
    this.execute(plan, values, fed, options.profile === true);
    const result: Record<string, Value> = {};
    for (let i = 0; i < plan.outputNames.length; i++) result[plan.outputNames[i]] = this.handOut(plan, i, values);
    return result;
  }

  /**
   * Runs a subgraph session: inputs by position (the subgraph's own inputs, then its outer-scope values), outputs by
   * position. No name checks: the enclosing node built the positions at load.
   * @internal
   */
  runPositional(inputs: readonly (Value | undefined)[]): Value[] {
    const plan = this.planFor(undefined);
    const values = this.constants.slice() as (Value | undefined)[];
    const fed: number[] = [];
    for (let i = 0; i < this.inputSlots.length; i++) {
      const v = inputs[i];
      if (v === undefined) continue;
      values[this.inputSlots[i]] = v;
      fed.push(this.inputSlots[i]);
    }
    this.execute(plan, values, fed, false);
    const out: Value[] = new Array(plan.outputNames.length);
    for (let i = 0; i < out.length; i++) out[i] = this.handOut(plan, i, values);
    return out;
  }

  /** Output `i` of a finished run: a copy when the session keeps using its buffer (memo, or a subgraph's constant). */
  private handOut(plan: Plan, i: number, values: readonly (Value | undefined)[]): Value {
    const v = values[plan.outputSlots[i]];
    if (v === undefined) throw new GraphError(`run: output "${plan.outputNames[i]}" has no value (an omitted optional input passed through)`);
    if (!(v instanceof Tensor)) return v;
    // A subgraph's output that views one of its constants (Flatten of a weight) must not reach the enclosing
    // session's buffer recycling: hand out a copy.
    const copy = plan.copyOut[i] === 1 || (this.isSubgraph && this.constantBuffers.has(v.data.buffer));
    return copy ? Tensor.from(v.dtype, v.shape, v.data.slice()) : v;
  }

  /** Runs the planned nodes over `values` (constants and feeds already in place). */
  private execute(plan: Plan, values: (Value | undefined)[], fed: readonly number[], profile: boolean): void {

    // Live-byte accounting per distinct buffer; a reshape view shares its input's buffer.
    const refs = new Map<ArrayBufferLike, number>();
    const feedBuffers = new Set<ArrayBufferLike>();
    const constantBuffers = this.constantBuffers;
    let live = 0;
    let peak = 0;
    const retain = (t: Value): void => {
      const data = (t as Tensor).data;
      if (data === undefined) return; // sequences and optionals are not counted
      const buf = data.buffer;
      if (constantBuffers.has(buf)) return;
      const n = refs.get(buf);
      if (n === undefined) {
        refs.set(buf, 1);
        live += data.byteLength;
        if (live > peak) peak = live;
      } else refs.set(buf, n + 1);
    };
    const pool = this.pool;
    const release = (v: Value): void => {
      const t = v as Tensor;
      if (t.data === undefined) return;
      const buf = t.data.buffer;
      const n = refs.get(buf);
      if (n === undefined) return;
      if (n === 1) {
        refs.delete(buf);
        live -= t.data.byteLength;
        // The last value on this buffer died: reusable, unless the caller or a cache can still see it.
        if (t.dtype === 'float32' && t.data.byteLength === buf.byteLength && !feedBuffers.has(buf) && !this.memoBuffers.has(buf)) recycle(pool, buf);
      } else refs.set(buf, n - 1);
    };
    for (const s of fed) {
      const v = values[s]!;
      retain(v);
      const data = (v as Tensor).data;
      if (data !== undefined) feedBuffers.add(data.buffer);
    }

    let freed = 0;
    let reusedNodes = 0;
    const previousPool = enterPool(pool);
    const previousLimit = this.maxTensorBytes === undefined ? undefined : setMaxTensorBytes(this.maxTensorBytes);
    const reusedIn = this.reusedIn;
    const runNumber = ++this.runNumber;
    const timings: NodeProfile[] | undefined = profile ? [] : undefined;
    let current: PreparedNode | undefined;
    const nodes = plan.nodes;
    try {
      for (let n = 0; n < nodes.length; n++) {
        const p = nodes[n];
        current = p;
        const inSlots = p.inputSlots;
        const args = p.args;
        for (let j = 0; j < inSlots.length; j++) {
          const s = inSlots[j];
          args[j] = s < 0 ? undefined : (values[s] as Tensor | undefined);
        }
        let outs: readonly Tensor[];
        const t0 = timings ? performance.now() : 0;
        // A memoizable node's outputs (small shape tensors, kept across runs, never recycled) stay out of the
        // live-byte accounting, like constants: most nodes of a transformer's shape subgraphs are memo hits on every run.
        const counted = p.memo === 0;
        if (p.memo !== 0 && this.memoValid(p, args, runNumber)) {
          outs = p.memoOut!;
          reusedNodes++;
          for (let j = 0; j < p.outputSlots.length; j++) if (p.outputSlots[j] >= 0) reusedIn[p.outputSlots[j]] = runNumber;
        } else {
          // In-place candidates: the input dies here and no other live value, feed, constant or memo shares its buffer.
          let donated = 0;
          const d = plan.donors[n];
          if (d !== 0) {
            for (let j = 0; j < inSlots.length; j++) {
              if ((d & (1 << j)) === 0) continue;
              const data = args[j]?.data;
              if (data === undefined) continue;
              const buf = data.buffer;
              if (refs.get(buf) === 1 && !feedBuffers.has(buf) && !this.memoBuffers.has(buf)) donated |= 1 << j;
            }
          }
          outs = p.kernel(args, donated);
          if (p.memo !== 0) {
            p.memoOut = outs;
            for (const t of outs) if (t) this.memoBuffers.add(t.data.buffer);
            if (p.memo === 1) p.memoShape = args[0]!.shape.slice();
          }
        }
        if (timings) timings.push({ node: p.nodeName, opType: p.opType, domain: p.domain, ms: performance.now() - t0 });
        const outSlots = p.outputSlots;
        for (let j = 0; j < outSlots.length; j++) {
          const s = outSlots[j];
          if (s < 0) continue;
          const t = outs[j];
          if (t === undefined) {
            throw new GraphError(`${p.label}: produced no value for output ${j}`, { node: p.nodeName });
          }
          values[s] = t;
          if (counted) retain(t);
        }
        const free = plan.frees[n];
        for (let j = 0; j < free.length; j++) {
          const s = free[j];
          const t = values[s];
          if (t !== undefined) {
            release(t);
            values[s] = undefined;
            freed++;
          }
        }
        args.fill(undefined);
      }
    } catch (e) {
      current?.args.fill(undefined);
      throw current ? wrapNodeError(e, current) : e;
    } finally {
      enterPool(previousPool);
      if (previousLimit !== undefined) setMaxTensorBytes(previousLimit);
    }
    this.stats = {
      peakLiveBytes: peak,
      constantBytes: this.constantBytes,
      nodesRun: nodes.length,
      nodesReused: reusedNodes,
      valuesFreed: freed,
      ...(timings ? { profile: timings } : {}),
    };
  }

  /**
   * Whether a memoized node's last outputs still hold: a Shape/Size node's input has the same shape; any other
   * memoized node has only constant inputs and inputs reused in this run.
   */
  private memoValid(p: PreparedNode, args: readonly (Tensor | undefined)[], runNumber: number): boolean {
    if (p.memoOut === undefined) return false;
    if (p.memo === 1) {
      const shape = args[0]?.shape;
      const seen = p.memoShape!;
      if (!shape || shape.length !== seen.length) return false;
      for (let d = 0; d < shape.length; d++) if (shape[d] !== seen[d]) return false;
      return true;
    }
    const inSlots = p.inputSlots;
    for (let j = 0; j < inSlots.length; j++) {
      const s = inSlots[j];
      if (s >= 0 && this.producerOf[s] >= 0 && this.reusedIn[s] !== runNumber) return false;
    }
    return true;
  }

  /** Checks feeds against the declared inputs and writes them into their slots. */
  private bindFeeds(feeds: Readonly<Record<string, Value>>, values: (Value | undefined)[]): void {
    const required = this.requiredInputs.map((vi) => vi.name);
    const example = `{ ${required.map((n) => `${/^[A-Za-z_$][\w$]*$/.test(n) ? n : JSON.stringify(n)}: tensor`).join(', ')} }`;
    if (feeds === null || typeof feeds !== 'object' || feeds instanceof Tensor || ArrayBuffer.isView(feeds) || Array.isArray(feeds)) {
      const got = feeds === null ? 'null' : feeds instanceof Tensor ? 'a Tensor' : ArrayBuffer.isView(feeds) ? 'a typed array' : Array.isArray(feeds) ? 'an array' : typeof feeds;
      throw new GraphError(`run: feeds must be an object of tensors by input name, ${example}; got ${got}`);
    }
    for (const name of Object.keys(feeds)) {
      if (!this.inputs.some((vi) => vi.name === name)) {
        // Initializers listed as graph inputs may be fed (to override them) but are not what a caller means to feed.
        const overridable = this.inputs.length - required.length;
        throw new GraphError(
          `run: feed "${name}" is not a graph input; the model's inputs are ${required.map((n) => `"${n}"`).join(', ') || '(none)'}` +
            (overridable > 0 ? ` (and ${overridable} initializers that may be fed to override them)` : ''),
        );
      }
    }
    const symbols = new Map<string, { size: number; input: string }>();
    for (let i = 0; i < this.inputs.length; i++) {
      const vi = this.inputs[i];
      const fed = feeds[vi.name];
      if (fed === undefined) {
        if (this.requiredNames.has(vi.name)) throw new GraphError(`run: missing feed for graph input "${vi.name}"`);
        continue;
      }
      if (vi.type !== undefined && vi.type.kind !== 'tensor') {
        const ok = vi.type.kind === 'sequence' ? fed instanceof TensorSequence : fed instanceof OptionalValue;
        if (!ok) throw new GraphError(`run: feed "${vi.name}" must be ${vi.type.kind === 'sequence' ? 'a TensorSequence' : 'an OptionalValue'}, got ${kindOf(fed)}`);
        values[this.inputSlots[i]] = fed;
        continue;
      }
      if (!fed || typeof fed !== 'object' || !('dtype' in fed) || !('shape' in fed) || !('data' in fed)) {
        throw new GraphError(`run: feed "${vi.name}" must be a Tensor, got ${fed instanceof TensorSequence || fed instanceof OptionalValue ? kindOf(fed) : typeof fed}`);
      }
      const t = fed as Tensor;
      if (vi.dtype !== undefined && t.dtype !== vi.dtype) {
        throw new DTypeError(`run: input "${vi.name}" must be ${vi.dtype}, got ${t.dtype}`);
      }
      if (vi.shape !== undefined) {
        if (t.shape.length !== vi.shape.length) {
          throw new ShapeError(`run: input "${vi.name}" must have rank ${vi.shape.length} (${formatDims(vi.shape)}), got ${formatShape(t.shape)}`);
        }
        for (let d = 0; d < vi.shape.length; d++) {
          const want = vi.shape[d];
          const got = t.shape[d];
          if (typeof want === 'number' && want >= 0 && got !== want) {
            throw new ShapeError(`run: input "${vi.name}" dim ${d} must be ${want} (declared ${formatDims(vi.shape)}), got ${formatShape(t.shape)}`);
          }
          if (typeof want === 'string' && want !== '') {
            const seen = symbols.get(want);
            if (seen === undefined) symbols.set(want, { size: got, input: vi.name });
            else if (seen.size !== got) {
              throw new ShapeError(
                `run: input "${vi.name}" dim ${d} ("${want}") is ${got} but input "${seen.input}" bound "${want}" to ${seen.size}`,
              );
            }
          }
        }
      }
      values[this.inputSlots[i]] = t;
    }
  }

  /** Builds (once per distinct output list) the nodes to run and the release points of their values. */
  private planFor(requested: readonly string[] | undefined): Plan {
    const names = requested ?? this.outputNames;
    const key = names.join('\u0000');
    const cached = this.plans.get(key);
    if (cached) return cached;
    const outputSlots = Int32Array.from(names, (name) => {
      const s = this.slotOf.get(name);
      if (s === undefined) {
        const fusedInto = this.fusedAway.get(name);
        throw new GraphError(
          fusedInto !== undefined
            ? `run: requested output "${name}" was fused into node "${fusedInto}" at load (Conv → Add → Relu → BatchNormalization → MaxPool, dynamic MatMul or Gelu chain); create the session with { fuse: false } to read it`
            : `run: requested output "${name}" is not a value of the graph`,
        );
      }
      return s;
    });
    // Walk back from the outputs to find the nodes that matter.
    const byIndex = new Map<number, PreparedNode>();
    for (const p of this.prepared) byIndex.set(p.index, p);
    const needed = new Set<number>();
    const stack = Array.from(outputSlots);
    const seen = new Set<number>();
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      const prod = this.producerOf[s];
      if (prod < 0 || needed.has(prod)) continue;
      needed.add(prod);
      for (const i of byIndex.get(prod)!.inputSlots) if (i >= 0) stack.push(i);
    }
    const nodes = this.prepared.filter((p) => needed.has(p.index));
    const keep = new Set<number>(outputSlots);
    const lastUse = new Map<number, number>();
    nodes.forEach((p, n) => {
      for (const s of p.inputSlots) if (s >= 0) lastUse.set(s, n);
      // An output nobody reads dies right after its producer.
      for (const s of p.outputSlots) if (s >= 0 && !lastUse.has(s)) lastUse.set(s, n);
    });
    const frees = nodes.map(() => [] as number[]);
    for (const [s, n] of lastUse) {
      if (keep.has(s) || this.isConstantSlot(s)) continue;
      frees[n].push(s);
    }
    const donors = new Int32Array(nodes.length);
    nodes.forEach((p, n) => {
      if (p.memo !== 0) return;
      const dying = new Set(frees[n]);
      p.inputSlots.forEach((s, j) => {
        const once = p.inputSlots.indexOf(s) === j && p.inputSlots.lastIndexOf(s) === j;
        if (j < 31 && s >= 0 && once && dying.has(s) && this.memoSlot[s] === 0 && !this.inputSlots.includes(s)) donors[n] |= 1 << j;
      });
    });
    // A requested intermediate of a shape subgraph is kept for later runs (memo): the caller gets a copy of it, as
    // graph outputs are never memoized for the same reason.
    const copyOut = Uint8Array.from(outputSlots, (s) => ((this.memoSlot[s] === 1 && this.producerOf[s] >= 0) || (this.isSubgraph && this.isConstantSlot(s)) ? 1 : 0));
    const plan: Plan = { nodes, frees: frees.map((f) => Int32Array.from(f)), donors, outputNames: names.slice(), outputSlots, copyOut };
    this.plans.set(key, plan);
    return plan;
  }

  private isConstantSlot(s: number): boolean {
    return this.constants[s] !== undefined && !this.inputSlots.includes(s);
  }
}

/**
 * Loads a model (or bare graph) into an {@link InferenceSession}.
 *
 * @param source - a {@link Model} or a {@link Graph}
 * @param options - {@link SessionOptions}
 * @returns the session
 * @throws {@link UnsupportedOpError} listing every unsupported op
 * @throws {@link GraphError} for a malformed graph
 * @example
 * ```ts
 * const session = createSession(model);
 * const { output } = session.run({ input });
 * ```
 */
export function createSession(source: Model | Graph, options: SessionOptions = {}): InferenceSession {
  return InferenceSession.create(source, options);
}


function formatDims(dims: readonly (number | string | undefined)[]): string {
  return `[${dims.map((d) => (d === undefined ? '?' : String(d))).join(',')}]`;
}

/** Re-throws a node's failure as the same kind of error, naming the node. */
/**
 * The backend of SessionOptions: an object, `'js'`, or nothing. Any other value (the name `'wasm'`, a typo) would
 * otherwise be ignored and the session would quietly run on the globally selected backend.
 */
function sessionBackend(choice: unknown): KernelBackend | undefined {
  if (choice === undefined) return undefined;
  if (choice === 'js') return (jsBackend ??= createJsBackend());
  if (typeof choice === 'string') {
    throw new GraphError(
      `create: options.backend ${JSON.stringify(choice)} is a name; InferenceSession.create takes 'js' or a backend object. ` +
        (choice === 'wasm'
          ? "The WASM backend is created asynchronously: pass `await createWasmBackend()` (@qint/kernels-wasm), or use qint's `await createSession(model, { backend: 'wasm' })`."
          : 'Known backends are js and wasm.'),
    );
  }
  const b = choice as Partial<KernelBackend> | null;
  if (typeof b !== 'object' || b === null || b.specificationVersion !== 'v1' || typeof b.name !== 'string') {
    throw new GraphError(`create: options.backend must be a KernelBackend (specificationVersion 'v1'), got ${b === null ? 'null' : typeof b}`);
  }
  return b as KernelBackend;
}

let jsBackend: KernelBackend | undefined;

function wrapNodeError(e: unknown, p: PreparedNode): unknown {
  if (e instanceof GraphError) return e.node !== undefined ? e : new GraphError(`${p.label}: ${e.message}`, { cause: e, node: p.nodeName });
  const raw = e instanceof Error ? e.message : String(e);
  const message = raw.startsWith(p.label) ? raw : `${p.label}: ${raw}`;
  if (e instanceof ShapeError) return new ShapeError(message, { cause: e, overflow: e.code === 'ERR_OVERFLOW' });
  if (e instanceof DTypeError) return new DTypeError(message, { cause: e });
  if (e instanceof ValueError) return new ValueError(message, { cause: e, quantParams: e.code === 'ERR_QUANT_PARAMS' });
  if (e instanceof MemoryLimitError) return new MemoryLimitError(message, e.bytes, e.limit, { cause: e });
  if (e instanceof QintError) return e;
  return new GraphError(message, { cause: e, node: p.nodeName });
}
