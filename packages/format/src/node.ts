// Node-only entry (`@qint/format/node`): file I/O through node:fs, kept out of the main entry so that browser
// bundles of `@qint/format` never import node:fs.
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { decodeQint } from './decode-qint';
import { FormatError } from './format-error';
import type { Model } from './internal/ir';
import { openQint } from './open-qint';
import type { DecodeQintOptions, QintDocument } from './qint-types';
import type { QintReader } from './qint-reader';
import type { QintSink } from './qint-sink';
import type { RangeSource } from './range-source';
import { writeQint, type WriteQintOptions } from './write-qint';

function ioError(what: string, path: string, e: unknown): FormatError {
  return new FormatError('IO', `${what} ${path} failed: ${(e as Error)?.message ?? String(e)}`, { field: 'path', offset: -1, cause: e });
}

/**
 * Reads a whole `.qint` file with one `readFile` and decodes it (tensors are views on the read buffer). Node reads
 * at most 2 GiB at once: open larger files with {@link openQintFile}.
 *
 * @param path - the file
 * @param options - {@link DecodeQintOptions}
 * @returns the decoded document
 * @throws {@link FormatError} for an invalid file, or `IO` when it cannot be read
 * @example
 * ```ts
 * import { readQintFile } from '@qint/format/node';
 * const { model } = await readQintFile('mnist-int8.qint');
 * ```
 */
export async function readQintFile(path: string, options: DecodeQintOptions = {}): Promise<QintDocument> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    throw ioError('reading', path, e);
  }
  return decodeQint(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), options);
}

/**
 * A {@link RangeSource} over a Node file: one positioned `read` per range, into a fresh buffer.
 *
 * @param path - the file
 * @returns the source (call `close()`, or close the reader built on it)
 * @throws {@link FormatError} (`IO`) when the file cannot be opened
 * @example
 * ```ts
 * const reader = await openQint(await fileSource('big.qint'));
 * ```
 */
export async function fileSource(path: string): Promise<RangeSource> {
  let handle;
  let size: number;
  try {
    handle = await open(path, 'r');
    size = (await handle.stat()).size;
  } catch (e) {
    await handle?.close();
    throw ioError('opening', path, e);
  }
  const fh = handle;
  return {
    size,
    async read(offset: number, length: number): Promise<Uint8Array> {
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await fh.read(out, done, length - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done === length ? out : out.subarray(0, done);
    },
    async close(): Promise<void> {
      await fh.close();
    },
  };
}

/**
 * Opens a `.qint` file for lazy reading: the header is read and validated now, each tensor later with one read.
 *
 * @param path - the file
 * @param options - {@link DecodeQintOptions}
 * @returns a {@link QintReader}; close it when done
 * @throws {@link FormatError} for an invalid header, or `IO`
 * @example
 * ```ts
 * const reader = await openQintFile('big.qint');
 * const w = await reader.readTensor('layer0.weight');
 * await reader.close();
 * ```
 */
export async function openQintFile(path: string, options: DecodeQintOptions = {}): Promise<QintReader> {
  const source = await fileSource(path);
  try {
    return await openQint(source, options);
  } catch (e) {
    await source.close?.();
    throw e;
  }
}

/**
 * A {@link QintSink} over an open Node `FileHandle`, writing at the handle's current position (for writing a
 * `.qint` into a file you manage, e.g. after your own prefix). Handles partial writes.
 *
 * @param handle - a handle opened for writing
 * @returns the sink, for {@link writeQint}
 * @example
 * ```ts
 * const fh = await open('out.qint', 'w');
 * await writeQint(model, fileHandleSink(fh));
 * await fh.close();
 * ```
 */
export function fileHandleSink(handle: FileHandle): QintSink {
  return {
    async write(chunk: Uint8Array): Promise<void> {
      // One write() moves at most ~2 GiB on Linux: loop until the whole chunk is out.
      for (let done = 0; done < chunk.byteLength; ) {
        const { bytesWritten } = await handle.write(chunk, done, chunk.byteLength - done);
        if (bytesWritten === 0) throw new Error('the file accepted no bytes'); // wrapped into FormatError('IO') by writeQint
        done += bytesWritten;
      }
    },
  };
}

/**
 * Writes a model to a `.qint` file, streaming tensor by tensor (no in-memory copy of the file).
 *
 * @param path - the file to create or replace
 * @param model - the model
 * @param options - {@link WriteQintOptions}
 * @returns the number of bytes written
 * @throws {@link FormatError} when the model cannot be written, or `IO`
 * @example
 * ```ts
 * await saveQintFile('model.qint', model, { metadata: { user: { note: 'int8 static' } } });
 * ```
 */
export async function saveQintFile(path: string, model: Model, options: WriteQintOptions = {}): Promise<number> {
  let fh;
  try {
    fh = await open(path, 'w');
  } catch (e) {
    throw ioError('creating', path, e);
  }
  try {
    return await writeQint(model, fileHandleSink(fh), options);
  } finally {
    await fh.close();
  }
}
