import { bytesSource } from './bytes-source';
import { openQint } from './open-qint';
import type { DecodeQintOptions, QintInfo } from './qint-types';
import type { RangeSource } from './range-source';

/**
 * Reads and validates only the header of a `.qint` file and summarizes it: version, producer, graph ops, the
 * tensor table (dtype, shape, byte range, checksum, quantization) and metadata. Tensor data is not read.
 *
 * @param input - the file's bytes, or a {@link RangeSource}
 * @param options - {@link DecodeQintOptions} (`verifyChecksums` covers the header only here)
 * @returns the {@link QintInfo}
 * @throws {@link FormatError} when the header is invalid
 * @example
 * ```ts
 * const info = await inspectQint(bytes);
 * for (const t of info.tensors) console.log(t.name, t.dtype, t.shape, t.byteLength);
 * ```
 */
export async function inspectQint(input: Uint8Array | RangeSource, options: DecodeQintOptions = {}): Promise<QintInfo> {
  const reader = await openQint(input instanceof Uint8Array ? bytesSource(input) : input, options);
  const { info } = reader;
  await reader.close();
  return info;
}

