import { storageConstructor, Tensor, type TensorData } from '@qint/tensor';
import { FormatError } from '../format-error';
import { checksumHex } from './checksum';
import type { TensorEntry } from './read-header';

/**
 * Makes a Tensor over `bytes` (exactly the entry's data). Aligned data is viewed in place; data whose absolute
 * address is not a multiple of the element size (only a foreign writer produces that, or a caller's unaligned
 * Uint8Array) is copied, because a misaligned typed-array view cannot be created.
 */
export function tensorFromBytes(bytes: Uint8Array, entry: TensorEntry, fileOffset: number, verify: boolean): Tensor {
  if (bytes.byteLength !== entry.length) {
    throw new FormatError('TRUNCATED', `${entry.field} (${entry.name}): read ${bytes.byteLength} bytes, expected ${entry.length}`, { field: entry.field, offset: fileOffset });
  }
  if (verify) {
    const actual = checksumHex(bytes);
    if (actual !== entry.checksum) {
      throw new FormatError(
        'CHECKSUM_MISMATCH',
        `tensor ${JSON.stringify(entry.name)} is corrupt: its data (bytes ${fileOffset}..${fileOffset + entry.length}) hashes to ${actual}, the header records ${entry.checksum}`,
        { field: entry.field, offset: fileOffset },
      );
    }
  }
  const Ctor = storageConstructor(entry.dtype);
  const bpe = Ctor.BYTES_PER_ELEMENT;
  const src = bytes.byteOffset % bpe === 0 ? bytes : bytes.slice();
  const data = new Ctor(src.buffer as ArrayBuffer, src.byteOffset, src.byteLength / bpe) as TensorData;
  try {
    return Tensor.from(entry.dtype, entry.shape, data);
  } catch (e) {
    throw new FormatError('BAD_SHAPE', `${entry.field} (${entry.name}) cannot be built: ${(e as Error).message}`, { field: entry.field, offset: fileOffset, cause: e });
  }
}
