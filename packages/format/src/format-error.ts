import { QintError, type QintErrorOptions } from '@qint/tensor';

/** Why a `.qint` file (or a model being saved) was rejected. */
export type FormatErrorReason =
  | 'BAD_MAGIC'
  | 'UNSUPPORTED_VERSION'
  | 'HEADER_TOO_LARGE'
  | 'TRUNCATED'
  | 'TRAILING_BYTES'
  | 'BAD_UTF8'
  | 'BAD_JSON'
  | 'DUPLICATE_KEY'
  | 'BAD_FIELD'
  | 'BAD_DTYPE'
  | 'BAD_SHAPE'
  | 'RANGE_OUT_OF_BOUNDS'
  | 'RANGE_OVERLAP'
  | 'RANGE_GAP'
  | 'CHECKSUM_MISMATCH'
  | 'BAD_QUANT_PARAMS'
  | 'DANGLING_REFERENCE'
  | 'DUPLICATE_REFERENCE'
  | 'UNREFERENCED_TENSOR'
  | 'BAD_ARGUMENT'
  | 'IO';

/** Options of {@link FormatError}. */
export interface FormatErrorOptions extends QintErrorOptions {
  /** The header field or file part at fault, as a path: `tensors[3].shape[1]`, `preamble.headerLength`, `header`. */
  field: string;
  /** Byte offset in the file where the bad value starts (-1 when the problem has no place in a file, e.g. a bad argument). */
  offset: number;
}

/**
 * A `.qint` file is malformed, corrupt, too new, or a model cannot be written. `reason` says which rule was
 * broken, `field` names the header field and `offset` the byte position in the file, so a hostile or damaged file can
 * be diagnosed without a hex dump.
 *
 * @example
 * ```ts
 * try { await decodeQint(bytes); }
 * catch (e) { if (e instanceof FormatError) console.log(e.reason, e.field, e.offset); } // 'CHECKSUM_MISMATCH' 'tensors[2]' 4096
 * ```
 */
export class FormatError extends QintError {
  declare readonly code: 'ERR_FORMAT';
  /** Which validation rule failed. */
  readonly reason: FormatErrorReason;
  /** The header field or file part at fault. */
  readonly field: string;
  /** Byte offset in the file (-1 when not applicable). */
  readonly offset: number;

  /**
   * @param reason - which rule failed
   * @param message - what was wrong, and what was expected
   * @param options - `field`, `offset` and an optional `cause`
   */
  constructor(reason: FormatErrorReason, message: string, options: FormatErrorOptions) {
    super('ERR_FORMAT', `${message} (${reason} at ${options.field}${options.offset >= 0 ? `, byte ${options.offset}` : ''})`, options);
    this.reason = reason;
    this.field = options.field;
    this.offset = options.offset;
  }
}
