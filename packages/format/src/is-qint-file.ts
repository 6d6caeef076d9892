import { QINT_MAGIC } from './constants';

/**
 * Returns whether `bytes` start with the `.qint` magic (a cheap sniff, e.g. to choose between ONNX and `.qint`).
 *
 * @param bytes - at least the first 8 bytes of a file
 * @returns true when the magic matches
 * @example
 * ```ts
 * isQintFile(await readFile('model.bin')); // true for .qint files
 * ```
 */
export function isQintFile(bytes: Uint8Array): boolean {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength < QINT_MAGIC.length) return false;
  for (let i = 0; i < QINT_MAGIC.length; i++) if (bytes[i] !== QINT_MAGIC[i]) return false;
  return true;
}
