import { QintError, type QintErrorOptions } from './qint-error';

/**
 * An unknown dtype, or a dtype an operation does not accept.
 *
 * @example
 * ```ts
 * throw new DTypeError('input "x" must be float32, got int8');
 * ```
 */
export class DTypeError extends QintError {
  declare readonly code: 'ERR_DTYPE';
  /** @param message - names the argument, what it was and what was expected */
  constructor(message: string, options?: QintErrorOptions) {
    super('ERR_DTYPE', message, options);
  }
}
