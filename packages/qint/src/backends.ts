import { createJsBackend, type KernelBackend } from '@qint/kernels';
import { createWasmBackend } from '@qint/kernels-wasm';
import { InputError } from './input-error';

/** The backends the facade knows by name. */
export type BackendName = 'js' | 'wasm';

let wasmBackend: Promise<KernelBackend> | undefined;
let jsBackend: KernelBackend | undefined;

/**
 * Returns the kernel backend for a name, creating it once (the WASM module is compiled on first use).
 *
 * @param name - `'js'` or `'wasm'`
 * @returns the backend
 * @throws {@link InputError} for an unknown name; `BackendInitError` when WebAssembly cannot start
 * @example
 * ```ts
 * const backend = await resolveBackend('wasm');
 * ```
 */
export async function resolveBackend(name: string): Promise<KernelBackend> {
  if (name === 'js') return (jsBackend ??= createJsBackend());
  if (name === 'wasm') {
    wasmBackend ??= createWasmBackend().catch((error: unknown) => {
      wasmBackend = undefined;
      throw error;
    });
    return wasmBackend;
  }
  throw new InputError(`backend must be "js" or "wasm", got ${JSON.stringify(name)}`);
}
