import { QintError, type QintErrorOptions } from '@qint/tensor';

/**
 * A kernel backend could not be selected: the name is not registered, its factory threw or returned something that
 * is not a `KernelBackend` v1. The message says what was tried and how to fix it; `cause` holds the factory's error.
 *
 * @example
 * ```ts
 * try { await setBackend('wasm'); }
 * catch (e) { if (e instanceof BackendInitError) console.error(e.message); }
 * ```
 */
export class BackendInitError extends QintError {
  declare readonly code: 'ERR_BACKEND_INIT';
  /**
   * True when the backend failed only because its memory could not be reserved (e.g. WebAssembly under a
   * virtual-memory limit): the JS backend, which needs no such reservation, can stand in.
   */
  readonly memoryReservation: boolean;
  /**
   * @param message - what was tried and what failed
   * @param options - `cause` of the error; `memoryReservation` when memory could not be reserved
   */
  constructor(message: string, options?: QintErrorOptions & { memoryReservation?: boolean }) {
    super('ERR_BACKEND_INIT', message, options);
    this.memoryReservation = options?.memoryReservation === true;
  }
}
