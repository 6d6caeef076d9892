import { QintError, type QintErrorOptions } from '@qint/tensor';

/**
 * Bad user input to the facade or the command-line tool: a missing or unreadable file, a malformed `.npy`, an
 * unknown input name, an option with an impossible value.
 *
 * @example
 * ```ts
 * throw new InputError('--input: no input named "x"; the model has: Input3');
 * ```
 */
export class InputError extends QintError {
  declare readonly code: 'ERR_INPUT';
  /** @param message - what was wrong with which input, and what was expected */
  constructor(message: string, options?: QintErrorOptions) {
    super('ERR_INPUT', message, options);
  }
}
