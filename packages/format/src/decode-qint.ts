import { QINT_PREAMBLE_BYTES } from './constants';
import { FormatError } from './format-error';
import type { DecodeQintOptions, QintDocument } from './qint-types';
import { buildDocument, checkModel } from './internal/build-model';
import { loadChecksum } from './internal/checksum';
import { headerCap, parseHeader, parsePreamble } from './internal/read-header';
import { assertLittleEndian } from './internal/shared';
import { tensorFromBytes } from './internal/tensor-view';

/**
 * Reads a `.qint` file held in memory. The whole file is validated (preamble, header, tensor table, graph
 * references, quantization params, and by default every checksum) before any tensor is built. Tensor data is not
 * copied: each tensor's typed array is a view on `bytes.buffer` (unless the data is misaligned for its element
 * type, then it is copied), so do not modify `bytes` while the model is in use.
 *
 * @param bytes - the file's bytes (e.g. from `fs.readFile`, `await blob.arrayBuffer()`, or {@link encodeQint})
 * @param options - {@link DecodeQintOptions}: `verifyChecksums` (default true), `maxHeaderBytes`
 * @returns the model, its metadata and unknown header fields
 * @throws {@link FormatError} naming the rule (`reason`), the header field and the byte offset of the first problem
 * @example
 * ```ts
 * const { model, metadata } = await decodeQint(new Uint8Array(await (await fetch('net.qint')).arrayBuffer()));
 * ```
 */
export async function decodeQint(bytes: Uint8Array, options: DecodeQintOptions = {}): Promise<QintDocument> {
  await loadChecksum();
  return decodeQintLoaded(bytes, options);
}

/** {@link decodeQint} once the checksum WASM is loaded (synchronous). */
export function decodeQintLoaded(bytes: Uint8Array, options: DecodeQintOptions = {}): QintDocument {
  assertLittleEndian();
  if (!(bytes instanceof Uint8Array)) {
    throw new FormatError('BAD_ARGUMENT', `decodeQint expects a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`, { field: 'bytes', offset: -1 });
  }
  const verify = options.verifyChecksums ?? true;
  const preamble = parsePreamble(bytes.subarray(0, QINT_PREAMBLE_BYTES), bytes.byteLength, headerCap(options));
  const header = parseHeader(
    bytes.subarray(0, QINT_PREAMBLE_BYTES),
    bytes.subarray(QINT_PREAMBLE_BYTES, QINT_PREAMBLE_BYTES + preamble.headerLength),
    preamble,
    verify,
  );
  checkModel(header);
  const tensors = header.tensors.map((entry) => {
    const start = preamble.dataOffset + entry.offset;
    return tensorFromBytes(bytes.subarray(start, start + entry.length), entry, start, verify);
  });
  return buildDocument(header, tensors);
}
