/**
 * Machine-readable error codes shared by every qint package. Each subclass of {@link QintError} narrows `code`
 * to its own members of this union, so `switch (err.code)` is exhaustive across the toolkit.
 */
export type QintErrorCode =
  | 'ERR_DTYPE'
  | 'ERR_SHAPE'
  | 'ERR_VALUE'
  | 'ERR_QUANT_PARAMS'
  | 'ERR_OVERFLOW'
  | 'ERR_BACKEND_INIT'
  | 'ERR_BACKEND'
  | 'ERR_UNSUPPORTED_OP'
  | 'ERR_GRAPH'
  | 'ERR_ONNX'
  | 'ERR_FORMAT'
  | 'ERR_OBSERVER'
  | 'ERR_QUANTIZE'
  | 'ERR_BUDGET'
  | 'ERR_INPUT'
  | 'ERR_MEMORY_LIMIT';

/** Options accepted by every qint error constructor. */
export interface QintErrorOptions {
  /** The underlying error, when this one wraps another. */
  cause?: unknown;
}

/**
 * Base class of every error thrown by qint. Public functions never throw a bare `Error`: catch `QintError` to
 * handle all of them, or a subclass (`DTypeError`, `ShapeError`, …) for one kind.
 *
 * @example
 * ```ts
 * try { Tensor.from('int8', [2], [1, 2, 3]); }
 * catch (e) { if (e instanceof QintError) console.log(e.code); } // 'ERR_SHAPE'
 * ```
 */
export class QintError extends Error {
  /** Stable machine-readable code. */
  readonly code: QintErrorCode;

  /**
   * @param code - the machine-readable code
   * @param message - what was wrong with which input, and what was expected
   * @param options - `cause` of the error
   */
  constructor(code: QintErrorCode, message: string, options: QintErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}
