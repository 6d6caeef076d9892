import { InferenceSession, type Model } from '@qint/graph';
import type { KernelBackend } from '@qint/kernels';
import type { Tensor } from '@qint/tensor';
import { resolveBackend, type BackendName } from './backends';

/** Options of {@link run}. */
export interface RunModelOptions {
  /** Kernel backend (default `'wasm'`). */
  backend?: BackendName | KernelBackend;
}

/**
 * Runs a model once. For repeated runs, create an `InferenceSession` once and call its `run`.
 *
 * @param model - a model from {@link loadModel} or {@link quantize}
 * @param inputs - feeds by input name
 * @param options - {@link RunModelOptions}
 * @returns the outputs by name
 * @throws `ShapeError`/`DTypeError` naming the input when a feed does not fit; `GraphError` for a missing input
 * @example
 * ```ts
 * const { Plus214_Output_0: logits } = await run(model, { Input3: image });
 * ```
 */
export async function run(model: Model, inputs: Readonly<Record<string, Tensor>>, options: RunModelOptions = {}): Promise<Record<string, Tensor>> {
  const backend = typeof options.backend === 'object' ? options.backend : await resolveBackend(options.backend ?? 'wasm');
  return InferenceSession.create(model, { backend }).run(inputs);
}
