import { InferenceSession, type Model } from '@qint/graph';
import type { KernelBackend } from '@qint/kernels';
import { Tensor, formatShape, type DType } from '@qint/tensor';
import { resolveBackend, type BackendName } from './backends';
import { InputError } from './input-error';
import { warn } from './warnings';

/** Options of {@link benchmarkModel}. */
export interface BenchmarkOptions {
  backend?: BackendName | KernelBackend;
  /** Size of a symbolic batch dim (default 1). */
  batch?: number;
  /** Shapes for inputs with other symbolic dims, by input name. */
  shapes?: Record<string, number[]>;
  /** Tensors to feed instead of random data, by input name (their shapes win over `shapes` and `batch`). */
  inputs?: Record<string, Tensor>;
  /** Timed samples (default 30); each sample averages enough back-to-back runs to last about 5 ms. */
  iterations?: number;
  /** Untimed runs first (default 5). */
  warmup?: number;
  /** Called after each timed run. */
  onProgress?: (done: number, total: number) => void;
}

/** What {@link benchmarkModel} measured. */
export interface BenchmarkResult {
  backend: string;
  batch: number;
  iterations: number;
  medianMs: number;
  p90Ms: number;
  minMs: number;
  meanMs: number;
  /** Samples per second at the median latency. */
  throughput: number;
  /** Peak bytes of inputs and intermediates alive at once during a run. */
  peakLiveBytes: number;
  /** Bytes of the model's constants. */
  constantBytes: number;
  inputShapes: Record<string, number[]>;
}

/** Deterministic pseudo-random inputs (xorshift), so that runs are comparable. */
function randomTensor(dtype: DType, shape: number[], seed: number): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  if (dtype === 'float32') return Tensor.from('float32', shape, Float32Array.from({ length: size }, () => next() * 2 - 1));
  if (dtype === 'uint8') return Tensor.from('uint8', shape, Uint8Array.from({ length: size }, () => Math.floor(next() * 256)));
  if (dtype === 'int8') return Tensor.from('int8', shape, Int8Array.from({ length: size }, () => Math.floor(next() * 256) - 128));
  if (dtype === 'int64') return Tensor.from('int64', shape, BigInt64Array.from({ length: size }, () => BigInt(Math.floor(next() * 8))));
  if (dtype === 'int32') return Tensor.from('int32', shape, Int32Array.from({ length: size }, () => Math.floor(next() * 8)));
  throw new InputError(`cannot make random inputs of dtype ${dtype}`);
}

/**
 * Measures a model's latency on random inputs of its declared input shapes (symbolic batch dims set to `batch`).
 *
 * @param model - the model
 * @param options - {@link BenchmarkOptions}
 * @returns median/p90/min/mean latency, throughput and peak memory
 * @throws {@link InputError} when an input has symbolic dims besides the batch dim and no shape was given
 * @example
 * ```ts
 * const { medianMs } = await benchmarkModel(model, { backend: 'wasm', batch: 64 });
 * ```
 */
export async function benchmarkModel(model: Model, options: BenchmarkOptions = {}): Promise<BenchmarkResult> {
  const backend = typeof options.backend === 'object' ? options.backend : await resolveBackend(options.backend ?? 'wasm');
  const session = InferenceSession.create(model, { backend });
  const batch = options.batch ?? 1;
  const iterations = options.iterations ?? 30;
  const warmup = options.warmup ?? 5;
  const feeds: Record<string, Tensor> = {};
  const inputShapes: Record<string, number[]> = {};
  const graphInputs = model.graph.inputs.filter((i) => !model.graph.initializers.has(i.name));
  const names = graphInputs.map((i) => i.name);
  for (const [what, given] of [['shapes', options.shapes], ['inputs', options.inputs]] as const) {
    for (const name of Object.keys(given ?? {})) {
      if (!names.includes(name)) throw new InputError(`${what}: the model has no input named "${name}"; its inputs are ${names.join(', ')}`);
    }
  }
  graphInputs
    .forEach((input, index) => {
      const fed = options.inputs?.[input.name];
      if (fed) {
        inputShapes[input.name] = fed.shape.slice();
        feeds[input.name] = fed;
        return;
      }
      const given = options.shapes?.[input.name];
      const shape =
        given ??
        (input.shape ?? []).map((d, axis) => {
          if (typeof d === 'number') return d;
          if (axis === 0) return batch;
          throw new InputError(`input "${input.name}" has a symbolic dim ${axis} (${d ?? '?'}); give its shape (--shape ${input.name}=1x… on the command line, shapes: { "${input.name}": [...] } in the API)`);
        });
      inputShapes[input.name] = shape;
      feeds[input.name] = randomTensor(input.dtype ?? 'float32', shape, 12345 + index);
    });
  const firstBatch = Object.values(inputShapes)[0]?.[0];
  if (options.batch !== undefined && options.batch !== 1 && firstBatch !== undefined && firstBatch !== options.batch) {
    // A fixed batch dim cannot take another size: say so rather than time batch 1 under the name of batch 64.
    const [name, shape] = Object.entries(inputShapes)[0];
    warn(`batch ${options.batch} cannot apply: input "${name}" has a fixed batch dim (${formatShape(shape)}); benchmarking batch ${firstBatch}`);
  }
  const warmStart = performance.now();
  for (let i = 0; i < Math.max(1, warmup); i++) session.run(feeds);
  // Browsers round performance.now() to 0.1 ms or coarser: each sample times enough back-to-back runs to last ~5 ms.
  const perRun = (performance.now() - warmStart) / Math.max(1, warmup);
  const repeat = Math.max(1, Math.min(1000, Math.ceil(5 / Math.max(perRun, 1e-3))));
  const times: number[] = [];
  let peakLiveBytes = 0;
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    for (let r = 0; r < repeat; r++) session.run(feeds);
    times.push((performance.now() - t0) / repeat);
    peakLiveBytes = Math.max(peakLiveBytes, session.lastRunStats.peakLiveBytes);
    options.onProgress?.(i + 1, iterations);
  }
  const sorted = times.slice().sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const medianMs = at(0.5);
  const firstShape = Object.values(inputShapes)[0] ?? [1];
  return {
    backend: backend.name,
    batch: firstShape[0] ?? 1,
    iterations,
    medianMs,
    p90Ms: at(0.9),
    minMs: sorted[0],
    meanMs: times.reduce((a, b) => a + b, 0) / times.length,
    throughput: ((firstShape[0] ?? 1) * 1000) / medianMs,
    peakLiveBytes,
    constantBytes: session.lastRunStats.constantBytes,
    inputShapes,
  };
}
