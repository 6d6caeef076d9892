// The largest tensor qint allocates. Every shape a model computes (Expand, Tile, ConstantOfShape, Range, Pad, Resize
// targets, MatMul outputs, ...) comes from an untrusted file: without a cap a 100-byte model asks for gigabytes and
// only the process limit stops it. The cap is checked before memory is taken, by allocateData (which Tensor.zeros and
// the ops use) and by the ops that build index maps before their output. A session makes its own cap current while it
// runs (SessionOptions.maxTensorBytes); outside a session the process-wide default applies.
import { MemoryLimitError } from './memory-limit-error';
import { ValueError } from './value-error';

/** The default cap on one tensor's bytes: 2 GiB (`setMaxTensorBytes` or the CLI's `--max-memory` change it). */
export const DEFAULT_MAX_TENSOR_BYTES = 2 ** 31;

let limit = DEFAULT_MAX_TENSOR_BYTES;

function formatLimit(bytes: number): string {
  if (bytes >= 2 ** 30) return `${+(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${+(bytes / 2 ** 20).toFixed(2)} MiB`;
  if (bytes >= 2 ** 10) return `${+(bytes / 2 ** 10).toFixed(2)} KiB`;
  return `${bytes} B`;
}

/**
 * The cap on one tensor's bytes now in force.
 *
 * @returns bytes
 * @example
 * ```ts
 * maxTensorBytes(); // 2147483648 by default
 * ```
 */
export function maxTensorBytes(): number {
  return limit;
}

/**
 * Sets the cap on one tensor's bytes (process-wide, or for the duration of a session's run when the session sets it).
 *
 * @param bytes - a positive number of bytes (`Infinity` for no cap)
 * @returns the previous cap, to restore
 * @throws {@link ValueError} for a value that is not a positive number
 * @example
 * ```ts
 * const previous = setMaxTensorBytes(512 * 2 ** 20);
 * try { run(); } finally { setMaxTensorBytes(previous); }
 * ```
 */
export function setMaxTensorBytes(bytes: number): number {
  if (typeof bytes !== 'number' || !(bytes > 0)) throw new ValueError(`maxTensorBytes must be a positive number of bytes, got ${String(bytes)}`);
  const previous = limit;
  limit = bytes;
  return previous;
}

/**
 * Refuses an allocation of `bytes` above the cap, before anything is allocated.
 *
 * @param bytes - bytes about to be allocated (may be non-finite for an overflowing size)
 * @param what - what is allocated, for the message (e.g. `Expand output [1000000, 1000000] of float32`)
 * @throws {@link MemoryLimitError} naming `what`, the size and the cap, and how to raise the cap
 * @example
 * ```ts
 * checkAllocation(count * 4, `Expand output ${formatShape(shape)}`);
 * ```
 */
export function checkAllocation(bytes: number, what: string): void {
  if (bytes <= limit) return;
  const size = Number.isFinite(bytes) ? `${formatLimit(bytes)} (${bytes} bytes)` : 'a size beyond any memory';
  throw new MemoryLimitError(
    `${what} needs ${size}, above the tensor size limit of ${formatLimit(limit)}; raise it with the session option maxTensorBytes or the CLI's --max-memory if the model really needs it`,
    bytes,
    limit,
  );
}
