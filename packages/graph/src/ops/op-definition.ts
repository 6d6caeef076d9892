import type { KernelBackend } from '@qint/kernels';
import type { Tensor } from '@qint/tensor';
import type { Dim, Node, ValueInfo } from '../ir';
import type { Value } from '../values';
import type { AttributeReader } from './attribute-reader';

/**
 * Runs one node: receives its inputs in order (`undefined` for an omitted optional input) and returns its outputs
 * in order. Built once per node at load time, with attributes already parsed, so a run does no parsing.
 * `donated` (optional, a bit mask): bit `j` set means input `j` dies at this node and nothing else holds its buffer
 * (not a feed, a constant, a view or a memoized value), so the kernel may write its output over that input's data
 * (in-place elementwise ops). Kernels that ignore it stay correct.
 *
 * @example
 * ```ts
 * const kernel: OpKernel = ([x]) => [x!.reshape([-1])];
 * ```
 */
export type OpKernel = (inputs: readonly (Tensor | undefined)[], donated?: number) => readonly Tensor[];

/**
 * What an op sees when it builds its kernel for one node.
 *
 * @example
 * ```ts
 * build: (ctx) => { const axis = ctx.attrs.int('axis', 1); const w = ctx.constant(1); return (inputs) => [...]; }
 * ```
 */
export interface OpBuildContext {
  readonly node: Node;
  /** A short label for messages: `Conv "conv1"`. */
  readonly label: string;
  /** The opset version the model imports for the node's domain. */
  readonly opset: number;
  /** The node's attributes, typed. */
  readonly attrs: AttributeReader;
  /** The kernel backend the session pins (undefined: the globally selected one, see `setBackend`). */
  readonly backend?: KernelBackend;
  /** Input `i` when it is a constant known at load (an initializer that is not also a graph input), else undefined. */
  constant(i: number): Tensor | undefined;
  /**
   * The session's `maxLoopIterations` option (Loop and Scan refuse to run more iterations than this), when set.
   */
  readonly maxLoopIterations?: number;
  /**
   * Prepares the graph attribute `attr` of the node (an If branch, a Loop or Scan body) for execution in the node's
   * scope; only the session provides it (shape inference does not).
   * @throws {@link GraphError} when the attribute is not a graph or the subgraph is malformed
   */
  subgraph?(attr: string): CompiledSubgraph;
}

/**
 * A subgraph ready to run inside its node's kernel.
 *
 * @example
 * ```ts
 * const body = ctx.subgraph!('body');
 * return (inputs) => body.run([i, cond, state], inputs);
 * ```
 */
export interface CompiledSubgraph {
  /** The subgraph's declared inputs (what `run` takes first). */
  readonly inputs: readonly ValueInfo[];
  /** The subgraph's declared outputs (what `run` returns, in order). */
  readonly outputs: readonly ValueInfo[];
  /**
   * Runs the subgraph once.
   * @param inputs - one value per declared input (undefined: omitted)
   * @param nodeArgs - the kernel's own argument array (the outer-scope values ride there, after the node's inputs)
   * @returns one value per declared output
   */
  run(inputs: readonly (Value | undefined)[], nodeArgs: readonly (Tensor | undefined)[]): Value[];
}

/**
 * Static knowledge about a value during shape inference: declared type plus the value itself when constant.
 *
 * @example
 * ```ts
 * const v: InferredValue = { dtype: 'float32', shape: ['batch', 10] };
 * ```
 */
export interface InferredValue {
  readonly dtype?: ValueInfo['dtype'];
  readonly shape?: readonly Dim[];
  /** The tensor, when the value is a known constant (initializers, and values folded from constants). */
  readonly value?: Tensor;
  /**
   * For a small 1-D (or scalar) integer value computed from shapes, its elements as possibly symbolic dims — e.g.
   * `Shape(x)` of `x: ['batch', 3]` is `['batch', 3]` — so `Reshape`/`Expand`/`ConstantOfShape` targets built by
   * `Shape → Gather → Concat` keep symbolic batch dims.
   */
  readonly dims?: readonly Dim[];
}

/**
 * Computes output types from input types; returns undefined entries where it cannot tell.
 *
 * @example
 * ```ts
 * const sameAsInput: ShapeInferrer = (_ctx, [x]) => [x ? { dtype: x.dtype, shape: x.shape } : undefined];
 * ```
 */
export type ShapeInferrer = (ctx: OpBuildContext, inputs: readonly (InferredValue | undefined)[]) => readonly (InferredValue | undefined)[];

/**
 * An operator implementation: what the registry maps `(domain, opType, sinceVersion)` to.
 *
 * @example
 * ```ts
 * const relu: OpDefinition = { domain: '', opType: 'Relu', sinceVersion: 6, build: () => ([x]) => [relu(x!)] };
 * ```
 */
export interface OpDefinition {
  readonly domain: string;
  readonly opType: string;
  /** First opset version of `domain` this implementation's semantics apply to. */
  readonly sinceVersion: number;
  /**
   * Parses attributes and builds the kernel for one node.
   * @throws {@link UnsupportedOpError}-worthy problems as `UnsupportedVariant` (an attribute value qint does not support)
   *   and bad attributes as `GraphError`.
   */
  build(ctx: OpBuildContext): OpKernel;
  /** Output dtype/shape inference; when absent, outputs are only known by evaluating constant inputs. */
  readonly infer?: ShapeInferrer;
}
