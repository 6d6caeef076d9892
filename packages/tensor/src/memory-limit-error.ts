import { QintError, type QintErrorOptions } from './qint-error';

/**
 * An allocation larger than the tensor size limit ({@link setMaxTensorBytes}, the session option `maxTensorBytes`,
 * the CLI's `--max-memory`), refused before any memory is taken. A small model file can describe huge tensors
 * (an `Expand` to `[1e6, 1e6]`); this error stops it with the size asked for and the limit.
 *
 * @example
 * ```ts
 * try { session.run(feeds); } catch (e) { if (e instanceof MemoryLimitError) console.log(e.bytes, e.limit); }
 * ```
 */
export class MemoryLimitError extends QintError {
  declare readonly code: 'ERR_MEMORY_LIMIT';
  /** Bytes the refused allocation needed. */
  readonly bytes: number;
  /** The limit in force, in bytes. */
  readonly limit: number;
  /**
   * @param message - what was to be allocated, where, and the limit
   * @param bytes - bytes needed
   * @param limit - the limit in force
   * @param options - `cause`
   */
  constructor(message: string, bytes: number, limit: number, options?: QintErrorOptions) {
    super('ERR_MEMORY_LIMIT', message, options);
    this.bytes = bytes;
    this.limit = limit;
  }
}
