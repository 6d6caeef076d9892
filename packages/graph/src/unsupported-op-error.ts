import { QintError, type QintErrorOptions } from '@qint/tensor';

/**
 * One operator the executor cannot run, with every node that uses it.
 *
 * @example
 * ```ts
 * const info: UnsupportedOpInfo = { domain: '', opType: 'Loop', opset: 13, nodes: ['loop_0'] };
 * ```
 */
export interface UnsupportedOpInfo {
  /** Operator domain: `''` for ai.onnx, `'com.microsoft'`, ... */
  readonly domain: string;
  readonly opType: string;
  /** The opset version of `domain` the model imports (what the op was resolved against). */
  readonly opset: number;
  /** Names of the nodes that use it (node index `#i` when a node has no name). */
  readonly nodes: readonly string[];
  /** Why it is unsupported when it is not simply unknown (e.g. an unsupported attribute value). */
  readonly reason?: string;
}

/**
 * A model uses operators (or operator variants) that the executor cannot run. Thrown at load time, listing ALL of
 * them at once, so one attempt tells the whole story.
 *
 * @example
 * ```ts
 * try { createSession(model); }
 * catch (e) { if (e instanceof UnsupportedOpError) console.log(e.ops.map((o) => o.opType)); }
 * ```
 */
export class UnsupportedOpError extends QintError {
  declare readonly code: 'ERR_UNSUPPORTED_OP';
  /** Every unsupported operator, in order of first use. */
  readonly ops: readonly UnsupportedOpInfo[];

  /**
   * @param ops - the unsupported operators (at least one)
   * @param options - `cause` of the error
   */
  constructor(ops: readonly UnsupportedOpInfo[], options?: QintErrorOptions) {
    const list = ops
      .map((o) => {
        const domain = o.domain === '' ? 'ai.onnx' : o.domain;
        const nodes = o.nodes.length > 5 ? `${o.nodes.slice(0, 5).join(', ')}, … (${o.nodes.length} nodes)` : o.nodes.join(', ');
        return `${domain}::${o.opType} (opset ${o.opset}) used by [${nodes}]${o.reason ? `: ${o.reason}` : ''}`;
      })
      .join('; ');
    super('ERR_UNSUPPORTED_OP', `the graph uses ${ops.length} unsupported operator(s): ${list}`, options);
    this.ops = Object.freeze(ops.slice());
  }
}
