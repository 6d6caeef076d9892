import { DTypeError, QintError, ShapeError, ValueError } from '@qint/tensor';
import { UnsupportedVariant } from '../unsupported-variant';

/**
 * Runs a node's load-time preparation, prefixing the node label to the message of a typed error it throws (the
 * executor labels run-time errors itself, but not those of `build`). `UnsupportedVariant` and errors already labelled (a `GraphError` of the attribute reader) pass unchanged: the
 * session reports it with the node.
 *
 * @param label - the node label (`LSTM "lstm1"`)
 * @param fn - the preparation
 * @returns what `fn` returns
 */
export function withNodeLabel<T>(label: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof UnsupportedVariant || !(e instanceof QintError) || e.message.startsWith(label)) throw e;
    const message = `${label}: ${e.message}`;
    if (e instanceof ShapeError) throw new ShapeError(message, { cause: e });
    if (e instanceof DTypeError) throw new DTypeError(message, { cause: e });
    if (e instanceof ValueError) throw new ValueError(message, { cause: e });
    throw e;
  }
}
