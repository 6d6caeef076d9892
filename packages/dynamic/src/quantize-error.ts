import { QintError, type QintErrorOptions } from '@qint/tensor';

/**
 * A model or option that the quantizer cannot turn into a correct quantized model: nothing to quantize, a weight
 * with NaN/Inf, an excluded or overridden node that does not exist, an option out of range, or a quantized graph
 * that has no form in the requested ONNX flavour (e.g. 3-bit weights for onnxruntime).
 *
 * @example
 * ```ts
 * try { quantizeDynamic(model, { exclude: ['nope'] }); }
 * catch (e) { if (e instanceof QuantizeError) console.log(e.code, e.node); } // 'ERR_QUANTIZE', 'nope'
 * ```
 */
export class QuantizeError extends QintError {
  declare readonly code: 'ERR_QUANTIZE';
  /** The node the error is about, when there is one. */
  readonly node?: string;

  /**
   * @param message - what was wrong with which input, and what was expected
   * @param options - `cause` and the `node` concerned
   */
  constructor(message: string, options: QintErrorOptions & { node?: string } = {}) {
    super('ERR_QUANTIZE', message, options);
    if (options.node !== undefined) this.node = options.node;
  }
}
