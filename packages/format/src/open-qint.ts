import type { Tensor } from '@qint/tensor';
import { QINT_PREAMBLE_BYTES } from './constants';
import { FormatError } from './format-error';
import type { DecodeQintOptions, QintDocument } from './qint-types';
import type { QintReader } from './qint-reader';
import type { RangeSource } from './range-source';
import { buildDocument, checkModel } from './internal/build-model';
import { loadChecksum } from './internal/checksum';
import { headerInfo } from './internal/info';
import { headerCap, parseHeader, parsePreamble, type TensorEntry } from './internal/read-header';
import { assertLittleEndian } from './internal/shared';
import { tensorFromBytes } from './internal/tensor-view';

async function readExact(source: RangeSource, offset: number, length: number, field: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await source.read(offset, length);
  } catch (e) {
    if (e instanceof FormatError) throw e;
    throw new FormatError('IO', `reading bytes ${offset}..${offset + length} failed: ${(e as Error)?.message ?? String(e)}`, { field, offset, cause: e });
  }
  if (!(bytes instanceof Uint8Array) || bytes.byteLength !== length) {
    throw new FormatError('TRUNCATED', `reading bytes ${offset}..${offset + length} returned ${bytes instanceof Uint8Array ? bytes.byteLength : 'no'} bytes (was the file changed while open?)`, { field, offset });
  }
  return bytes;
}

/**
 * Opens a `.qint` file for lazy, per-tensor reading from any {@link RangeSource} (see `blobSource`, and
 * `fileSource` in `@qint/format/node`). The preamble and header are read and fully validated here (two reads,
 * the header no larger than `maxHeaderBytes`); nothing is allocated from sizes the file claims before they are
 * checked against the source's real size.
 *
 * @param source - where the bytes come from
 * @param options - {@link DecodeQintOptions}
 * @returns a {@link QintReader}
 * @throws {@link FormatError} for an invalid or corrupt header, or a failing source (`IO`)
 * @example
 * ```ts
 * const reader = await openQint(blobSource(file));
 * console.log(reader.info.tensors.length);
 * const w = await reader.readTensor('fc1.weight');
 * ```
 */
export async function openQint(source: RangeSource, options: DecodeQintOptions = {}): Promise<QintReader> {
  assertLittleEndian();
  await loadChecksum();
  if (source === null || typeof source !== 'object' || typeof source.read !== 'function' || !Number.isSafeInteger(source.size) || source.size < 0) {
    throw new FormatError('BAD_ARGUMENT', 'source must be a RangeSource with a non-negative integer size and a read(offset, length) method', { field: 'source', offset: -1 });
  }
  const verify = options.verifyChecksums ?? true;
  const size = source.size;
  const head = await readExact(source, 0, Math.min(QINT_PREAMBLE_BYTES, size), 'preamble');
  const preamble = parsePreamble(head, size, headerCap(options));
  const headerBytes = await readExact(source, QINT_PREAMBLE_BYTES, preamble.headerLength, 'header');
  const header = parseHeader(head, headerBytes, preamble, verify);
  checkModel(header);
  const info = headerInfo(header);
  // Name lookup built once (the first entry wins, as a linear search would).
  const byName = new Map<string, TensorEntry>();
  for (const t of header.tensors) if (!byName.has(t.name)) byName.set(t.name, t);
  let closed = false;

  const load = async (entry: TensorEntry): Promise<Tensor> => {
    if (closed) throw new FormatError('IO', `cannot read ${entry.name}: the reader is closed`, { field: entry.field, offset: -1 });
    const at = preamble.dataOffset + entry.offset;
    return tensorFromBytes(await readExact(source, at, entry.length, entry.field), entry, at, verify);
  };

  return {
    info,
    async readTensor(nameOrIndex: string | number): Promise<Tensor> {
      const entry = typeof nameOrIndex === 'number' ? header.tensors[nameOrIndex] : byName.get(nameOrIndex);
      if (!entry) {
        throw new FormatError('BAD_ARGUMENT', `no tensor ${JSON.stringify(nameOrIndex)} in the file (it has ${header.tensors.length})`, { field: 'nameOrIndex', offset: -1 });
      }
      return load(entry);
    },
    async readModel(): Promise<QintDocument> {
      const tensors: Tensor[] = [];
      for (const entry of header.tensors) tensors.push(await load(entry));
      return buildDocument(header, tensors);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await source.close?.();
    },
  };
}
