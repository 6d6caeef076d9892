import { QintError, type QintErrorOptions } from '@qint/tensor';

/**
 * A problem with ONNX input: corrupt or truncated protobuf, a field with a wrong type or an impossible size, a data
 * type qint cannot hold, external data outside the model's folder, a test case that does not load. The message names
 * the field (e.g. `graph.initializer[3] "conv1.weight" raw_data`) and what was expected.
 *
 * @example
 * ```ts
 * try { decodeModel(bytes); } catch (e) { if (e instanceof OnnxError) console.error(e.message); }
 * ```
 */
export class OnnxError extends QintError {
  declare readonly code: 'ERR_ONNX';
  /**
   * @param message - names the bad field or file, what it held and what was expected
   * @param options - `cause` of the error
   */
  constructor(message: string, options?: QintErrorOptions) {
    super('ERR_ONNX', message, options);
  }
}
