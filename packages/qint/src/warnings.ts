// Where the facade's warnings go: things that work but not as asked (a fallback backend, a flag that cannot apply).
// By default a Node process warning (or console.warn in a browser); the CLI prints them as `qint: warning: ...`.

/** Receives each warning's one-line text. */
export type WarningHandler = (message: string) => void;

const defaultHandler: WarningHandler = (message) => {
  const proc = (globalThis as { process?: { emitWarning?: (m: string, type: string) => void } }).process;
  if (typeof proc?.emitWarning === 'function') proc.emitWarning(message, 'QintWarning');
  else console.warn(`qint: ${message}`);
};

let handler: WarningHandler = defaultHandler;

/**
 * Sends the facade's warnings to `fn` instead of Node's process warnings (`undefined` restores the default).
 *
 * @param fn - the handler, or undefined
 * @returns the previous handler
 * @example
 * ```ts
 * setWarningHandler((m) => log.warn(m));
 * ```
 */
export function setWarningHandler(fn: WarningHandler | undefined): WarningHandler {
  const previous = handler;
  handler = fn ?? defaultHandler;
  return previous;
}

/** Emits a warning through the current handler. */
export function warn(message: string): void {
  handler(message);
}
