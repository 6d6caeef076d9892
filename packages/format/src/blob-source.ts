import type { RangeSource } from './range-source';

/**
 * A {@link RangeSource} over a `Blob` or `File` (browsers, Node ≥ 18): each read is `blob.slice(a, b).arrayBuffer()`,
 * so only the header and the tensors you read are loaded.
 *
 * @param blob - the file
 * @returns the source
 * @example
 * ```ts
 * const reader = await openQint(blobSource(input.files[0]));
 * const { model } = await reader.readModel();
 * ```
 */
export function blobSource(blob: Blob): RangeSource {
  return {
    size: blob.size,
    async read(offset: number, length: number): Promise<Uint8Array> {
      return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
    },
  };
}
