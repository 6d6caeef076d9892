import type { KernelBackend } from '@qint/kernels';
import type { OpRegistry } from './op-registry';

/**
 * Options of {@link createSession} / {@link InferenceSession.create}.
 *
 * @example
 * ```ts
 * createSession(graph, { opsetImports: { '': 13 }, backend: createJsBackend() });
 * ```
 */
export interface SessionOptions {
  /** The op implementations to use; defaults to {@link createDefaultRegistry}'s. */
  readonly registry?: OpRegistry;
  /**
   * Opset versions per domain when a bare `Graph` (not a `Model`) is given.
   * Defaults to `{ '': 21, 'com.microsoft': 1 }`. Ignored for a `Model`, whose `opsetImports` apply.
   */
  readonly opsetImports?: Readonly<Record<string, number>>;
  /**
   * Run the heavy ops (MatMul, Gemm, Conv, the integer ops) on this backend instead of the globally selected one
   * (`setBackend` of @qint/kernels). Primitives it lacks fall back to the JS backend. `'js'` names the JS backend; other
   * names are refused with a `GraphError` (creating the WASM backend is asynchronous: pass `await createWasmBackend()`,
   * or use the `qint` facade's `createSession(model, { backend: 'wasm' })`, which takes names).
   */
  readonly backend?: KernelBackend | 'js';
  /**
   * Fuse `Conv → Add(per-channel constant) → Relu → BatchNormalization(constant statistics)` chains (also for ai.qint
   * DynamicConv) into one node at load, as onnxruntime does (default true; see also `foldBatchNorm`); likewise the dynamic activation MatMul chain (DynamicQuantizeLinear ×2 →
   * MatMulInteger → Cast → Mul [→ Div]), PyTorch's exact-Gelu chain (Div → Erf → Add → Mul → Mul) and attention's
   * head split (Slice → Reshape → Transpose), into ai.qint `FusedDynamicMatMul` / `FusedGelu` /
   * `FusedSliceReshapeTranspose` with bit-identical results (on the JS backend; see the README for WASM). The fused values can no longer be requested with
   * `run(feeds, { outputs })`.
   */
  readonly fuse?: boolean;
  /**
   * With `fuse`, fold a BatchNormalization that directly follows a float Conv with constant weights into those
   * weights and the bias (default true), as onnxruntime does: `W·k` and `b·k + β − μ·k` are rounded to float32 once
   * at load, so outputs differ from the unfused graph by float rounding (within 1e-6 relative of the output scale
   * on the fixtures). `false` keeps the exact order: the normalization then still runs in the conv's output pass
   * (bit-identical), only not inside the weights.
   */
  readonly foldBatchNorm?: boolean;
  /**
   * The largest tensor a run may allocate, in bytes (default: the process-wide cap of @qint/tensor's
   * `maxTensorBytes()`, 2 GiB unless `setMaxTensorBytes` changed it). A model file is untrusted: a few bytes of
   * Expand/Tile/ConstantOfShape/Range/Pad/Resize can ask for terabytes. Checked before memory is taken; a larger
   * output fails with a `MemoryLimitError` that names the node.
   */
  readonly maxTensorBytes?: number;

  /**
   * The most iterations one `Loop` or `Scan` node may run per call (default: unlimited, as ONNX allows a Loop that
   * only its condition ends). Exceeding it throws a `ControlFlowError` naming the node.
   */
  readonly maxLoopIterations?: number;
}

/**
 * Options of {@link InferenceSession.run}.
 *
 * @example
 * ```ts
 * session.run({ x }, { outputs: ['conv1_out', 'logits'] });
 * ```
 */
export interface RunOptions {
  /**
   * Names of the values to return: graph outputs or any intermediate value (for calibration and debugging).
   * Defaults to the graph outputs. Only the nodes needed to compute them run.
   */
  readonly outputs?: readonly string[];
  /** Time every node (`performance.now()` around each kernel) into {@link RunStats.profile}. Off by default. */
  readonly profile?: boolean;
}

/**
 * Time spent in one node during a profiled run.
 *
 * @example
 * ```ts
 * session.run({ x }, { profile: true });
 * for (const p of session.lastRunStats.profile ?? []) console.log(p.opType, p.node, p.ms.toFixed(3));
 * ```
 */
export interface NodeProfile {
  readonly node: string;
  readonly opType: string;
  readonly domain: string;
  readonly ms: number;
}

/**
 * Memory and work accounting of the most recent {@link InferenceSession.run}.
 *
 * @example
 * ```ts
 * session.run({ x });
 * console.log(session.lastRunStats.peakLiveBytes);
 * ```
 */
export interface RunStats {
  /**
   * The largest number of bytes held at once by feeds and intermediate values (each distinct buffer counted once;
   * views such as Reshape outputs share their input's buffer). Initializers are not included (see `constantBytes`),
   * nor the outputs of shape subgraphs, which the session keeps across runs (see `nodesReused`).
   */
  readonly peakLiveBytes: number;
  /** Bytes held by the session's constant initializers. */
  readonly constantBytes: number;
  /** Nodes executed. */
  readonly nodesRun: number;
  /**
   * Of those, nodes of shape subgraphs (`Shape` and pure ops on constants and shapes) whose outputs were reused from
   * the previous run because the shapes they depend on did not change (no kernel ran; exact).
   */
  readonly nodesReused: number;
  /** Intermediate values released before the run ended, right after their last use. */
  readonly valuesFreed: number;
  /** Per-node times, in execution order, when the run asked for `profile`. */
  readonly profile?: readonly NodeProfile[];
}
