// Node-only entry (`@qint/format/node`): file I/O through node:fs, kept out of the main entry so that browser
// bundles of `@qint/format` never import node:fs.
import { randomBytes } from 'node:crypto';
import { chmod, open, readFile, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
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
 * Writes a model to a `.qint` file, streaming tensor by tensor (no in-memory copy of the file), atomically: a
 * temporary file beside it is fsynced and renamed over `path` (see {@link createAtomicFile}); a failure leaves the
 * previous file intact and no partial file.
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
  const file = await createAtomicFile(path);
  let n: number;
  try {
    n = await writeQint(model, file.sink, options);
  } catch (e) {
    await file.abort();
    throw e;
  }
  await file.commit();
  return n;
}

/** A file being written atomically: see {@link createAtomicFile}. */
export interface AtomicFile {
  /** The temporary file's path (in the target's folder). */
  readonly tempPath: string;
  /** Writes to the temporary file. */
  readonly sink: QintSink;
  /** Flushes the data to disk (fsync), closes the file and renames it over the target. */
  commit(): Promise<void>;
  /** Closes and deletes the temporary file; the target is untouched. Never throws. */
  abort(): Promise<void>;
}

/**
 * Starts writing `path` atomically: bytes go to a new temporary file in the same folder (so the final rename cannot
 * cross file systems), which `commit` fsyncs and renames over `path`. Until then, and whenever writing fails, the
 * previous file stays as it was and `abort` leaves nothing behind; a reader never sees a half-written file. A process
 * killed mid-write leaves the old file and a `.<name>.<random>.tmp` beside it, never a truncated target. The new file
 * keeps the permission bits of the file it replaces.
 *
 * @param path - the file to create or replace
 * @returns the open {@link AtomicFile}
 * @throws {@link FormatError} (`IO`) when the temporary file cannot be created (missing folder, no permission)
 * @example
 * ```ts
 * const f = await createAtomicFile('model.qint');
 * try { await f.sink.write(bytes); } catch (e) { await f.abort(); throw e; }
 * await f.commit();
 * ```
 */
export async function createAtomicFile(path: string): Promise<AtomicFile> {
  const tempPath = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let mode: number | undefined;
  try {
    const existing = await stat(path);
    if (existing.isDirectory()) throw new Error('it is a directory');
    mode = existing.mode & 0o7777;
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOENT') throw ioError('replacing', path, e);
  }
  let fh: FileHandle;
  try {
    // 'wx': never reuse (or follow a symlink planted at) an existing temporary name.
    fh = await open(tempPath, 'wx');
  } catch (e) {
    throw ioError('creating', path, e);
  }
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await fh.close();
  };
  const abort = async (): Promise<void> => {
    await close().catch(() => undefined);
    await unlink(tempPath).catch(() => undefined);
  };
  const inner = fileHandleSink(fh);
  return {
    tempPath,
    sink: {
      async write(chunk: Uint8Array): Promise<void> {
        try {
          await inner.write(chunk);
        } catch (e) {
          throw ioError('writing', path, e);
        }
      },
    },
    async commit(): Promise<void> {
      try {
        await fh.sync();
        await close();
        if (mode !== undefined) await chmod(tempPath, mode);
        await rename(tempPath, path);
      } catch (e) {
        await abort();
        throw ioError('writing', path, e);
      }
      // The rename itself is durable once the folder is synced; not every platform can open a folder (Windows).
      try {
        const dir = await open(dirname(path), 'r');
        await dir.sync().finally(() => dir.close());
      } catch {
        // best effort
      }
    },
    abort,
  };
}
