import type { RangeSource } from './range-source';

/**
 * A {@link RangeSource} over bytes already in memory (reads are views, not copies).
 *
 * @param bytes - the file's bytes
 * @returns the source
 * @example
 * ```ts
 * const info = (await openQint(bytesSource(bytes))).info;
 * ```
 */
export function bytesSource(bytes: Uint8Array): RangeSource {
  return {
    size: bytes.byteLength,
    async read(offset: number, length: number): Promise<Uint8Array> {
      return bytes.subarray(offset, offset + length);
    },
  };
}
