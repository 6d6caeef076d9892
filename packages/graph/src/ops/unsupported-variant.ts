import { QintError } from '@qint/tensor';

/**
 * Thrown by an op's `build` when the node uses an attribute value or input type that qint does not support; the
 * session collects these into its {@link UnsupportedOpError} with the reason.
 *
 * @example
 * ```ts
 * throw new UnsupportedVariant('mode "cubic" is not supported');
 * ```
 */
export class UnsupportedVariant extends QintError {
  declare readonly code: 'ERR_UNSUPPORTED_OP';
  /** @param reason - what is not supported */
  constructor(reason: string) {
    super('ERR_UNSUPPORTED_OP', reason);
  }
}
