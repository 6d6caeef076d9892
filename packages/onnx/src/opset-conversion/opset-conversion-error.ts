import { OnnxError } from '../onnx-error';

/**
 * An ONNX export had to raise a domain's opset, and a node written for an older version of its operator cannot be
 * rewritten into the newer version's form (no known conversion, or one whose preconditions the node does not meet).
 * The message names the node, its op, both versions and what is missing.
 *
 * @example
 * ```ts
 * try { encodeModel(model); } catch (e) { if (e instanceof OpsetConversionError) console.error(e.node, e.opType); }
 * ```
 */
export class OpsetConversionError extends OnnxError {
  /** The node's name (or `#index` when it has none). */
  readonly node: string;
  /** The node's operator. */
  readonly opType: string;
  /** The schema version the node was written for. */
  readonly fromVersion: number;
  /** The schema version the export needs. */
  readonly toVersion: number;

  /**
   * @param message - the one-line reason
   * @param info - the node, its op and the two versions
   */
  constructor(message: string, info: { node: string; opType: string; fromVersion: number; toVersion: number }) {
    super(message);
    this.node = info.node;
    this.opType = info.opType;
    this.fromVersion = info.fromVersion;
    this.toVersion = info.toVersion;
  }
}
