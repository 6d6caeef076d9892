import { BackendInitError, createJsBackend, setBackend as selectKernelBackend, type BackendInfo, type KernelBackend } from '@qint/kernels';
import { createWasmBackend } from '@qint/kernels-wasm';
import { InputError } from './input-error';
import { warn } from './warnings';

/** The backends the facade knows by name. */
export type BackendName = 'js' | 'wasm';

let wasmBackend: Promise<KernelBackend> | undefined;
let jsBackend: KernelBackend | undefined;

/**
 * Returns the kernel backend for a name, creating it once (the WASM module is compiled on first use). When WebAssembly
 * cannot reserve its memory (e.g. under `ulimit -v`), `'wasm'` gives the JS backend with a warning (see
 * `setWarningHandler`) that says how to get WASM back.
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
      // WebAssembly that cannot reserve its memory (a virtual-memory limit) is a property of the process, not of
      // the call: run on JS (same results, slower) and say so once, with what to do.
      if (error instanceof BackendInitError && error.memoryReservation) {
        warn(`the WASM backend is not available, using the JS backend (same results, slower): ${error.message}`);
        return (jsBackend ??= createJsBackend());
      }
      wasmBackend = undefined;
      throw error;
    });
    return wasmBackend;
  }
  throw new InputError(`backend must be "js" or "wasm", got ${JSON.stringify(name)}`);
}

/**
 * Selects the backend that every op uses by default: `'js'`, `'wasm'` (created on first use), a backend object or a
 * promise of one. The facade's version of `setBackend` from @qint/kernels, which knows `'wasm'` without anything being
 * registered on import.
 *
 * @param choice - `'js'`, `'wasm'`, another name registered with `registerBackend`, a `KernelBackend`, or a promise of one
 * @returns what `getBackend()` now reports
 * @throws `BackendInitError` when the backend cannot start
 * @example
 * ```ts
 * await setBackend('wasm');
 * ```
 */
export async function setBackend(choice: string | KernelBackend | PromiseLike<KernelBackend>): Promise<BackendInfo> {
  return selectKernelBackend(choice === 'wasm' || choice === 'js' ? await resolveBackend(choice) : choice);
}
