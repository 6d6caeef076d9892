import { QintError, type QintErrorOptions } from './qint-error';

/**
 * A value outside what is allowed: NaN or non-positive scales, zero points outside the dtype's range, an index
 * out of bounds, an option with an unknown value.
 *
 * @example
 * ```ts
 * throw new ValueError('scale[3] must be finite and > 0, got NaN');
 * ```
 */
export class ValueError extends QintError {
  declare readonly code: 'ERR_VALUE' | 'ERR_QUANT_PARAMS';
  /** @param message - names the argument, what it was and what was expected */
  constructor(message: string, options?: QintErrorOptions & { quantParams?: boolean }) {
    super(options?.quantParams ? 'ERR_QUANT_PARAMS' : 'ERR_VALUE', message, options);
  }
}
