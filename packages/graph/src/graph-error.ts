import { QintError, type QintErrorOptions } from '@qint/tensor';

/**
 * A graph that cannot be executed as given (a value used before it is produced, an output nothing produces, a
 * duplicated value name, a bad attribute), or a `run` call that does not match the graph (a missing or unknown feed).
 *
 * @example
 * ```ts
 * throw new GraphError('run: missing feed for graph input "x"');
 * ```
 */
export class GraphError extends QintError {
  declare readonly code: 'ERR_GRAPH';
  /** The node the error is about, when there is one. */
  readonly node?: string;

  /**
   * @param message - what was wrong, naming the node or value and what was expected
   * @param options - `cause` of the error and the `node` it concerns
   */
  constructor(message: string, options: QintErrorOptions & { node?: string } = {}) {
    super('ERR_GRAPH', message, options);
    if (options.node !== undefined) this.node = options.node;
  }
}
