import type { QintErrorOptions } from '@qint/tensor';
import { GraphError } from './graph-error';

/** What went wrong in a control-flow node. */
export type ControlFlowFailure = 'loop-limit' | 'branch-mismatch' | 'body-mismatch';

/**
 * A control-flow node (If, Loop, Scan, SequenceMap) that cannot run as given: a Loop or Scan past the session's
 * `maxLoopIterations`, an If branch whose outputs disagree (in count, element type or rank) with what is declared,
 * or a body whose inputs/outputs do not fit the node. A {@link GraphError} (code `ERR_GRAPH`) with a `reason`.
 *
 * @example
 * ```ts
 * try { session.run(feeds); } catch (e) { if (e instanceof ControlFlowError && e.reason === 'loop-limit') ... }
 * ```
 */
export class ControlFlowError extends GraphError {
  /** Which rule was broken. */
  readonly reason: ControlFlowFailure;

  /**
   * @param reason - which rule was broken
   * @param message - one line naming the node, the op and what was wrong
   * @param options - `cause` and the `node` it concerns
   */
  constructor(reason: ControlFlowFailure, message: string, options: QintErrorOptions & { node?: string } = {}) {
    super(message, options);
    this.reason = reason;
  }
}
