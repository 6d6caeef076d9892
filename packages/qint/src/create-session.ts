import { InferenceSession, type Model, type SessionOptions } from '@qint/graph';
import type { KernelBackend } from '@qint/kernels';
import { resolveBackend, type BackendName } from './backends';
import { InputError } from './input-error';

/** Options of {@link createSession}: those of `InferenceSession.create`, with backends also by name. */
export interface CreateSessionOptions extends Omit<SessionOptions, 'backend'> {
  /** `'wasm'` (default, as for every facade function), `'js'`, or a backend object. */
  backend?: BackendName | KernelBackend;
}

/**
 * Loads a model for repeated runs, on a backend given by name or as an object (the WASM backend by default, created
 * once). The facade's version of `InferenceSession.create`, which is synchronous and so takes only `'js'` or a
 * backend object.
 *
 * @param model - a model from `loadModel` or `quantize`
 * @param options - {@link CreateSessionOptions}
 * @returns the session
 * @throws {@link InputError} for an unknown backend name; `BackendInitError` when WebAssembly cannot start (a memory
 *   reservation failure falls back to JS with a warning); the errors of `InferenceSession.create`
 * @example
 * ```ts
 * const session = await createSession(model, { backend: 'wasm' });
 * const { logits } = session.run({ x });
 * ```
 */
export async function createSession(model: Model, options: CreateSessionOptions = {}): Promise<InferenceSession> {
  const choice = options.backend ?? 'wasm';
  if (typeof choice !== 'string' && (typeof choice !== 'object' || choice === null)) {
    throw new InputError(`backend must be "js", "wasm" or a KernelBackend, got ${choice === null ? 'null' : typeof choice}`);
  }
  const backend = typeof choice === 'string' ? await resolveBackend(choice) : choice;
  return InferenceSession.create(model, { ...options, backend });
}
