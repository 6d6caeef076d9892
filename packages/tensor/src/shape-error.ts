import { QintError, type QintErrorOptions } from './qint-error';

/**
 * A shape that is invalid (negative or non-integer dims, a size that overflows) or that does not agree with
 * another (data length, broadcasting, matrix dimensions).
 *
 * @example
 * ```ts
 * throw new ShapeError('reshape: cannot reshape [2,3] (6 elements) to [4] (4 elements)');
 * ```
 */
export class ShapeError extends QintError {
  declare readonly code: 'ERR_SHAPE' | 'ERR_OVERFLOW';
  /** @param message - names the argument, what it was and what was expected */
  constructor(message: string, options?: QintErrorOptions & { overflow?: boolean }) {
    super(options?.overflow ? 'ERR_OVERFLOW' : 'ERR_SHAPE', message, options);
  }
}
