import { InputError } from './input-error';

/** Bytes to write: one buffer, text, or chunks written in order (e.g. a model streamed tensor by tensor). */
export type FileContents = string | Uint8Array | readonly Uint8Array[] | ((sink: { write(chunk: Uint8Array): Promise<void> }) => Promise<unknown>);

/**
 * Writes a file (Node) the way every file qint writes is written: into a temporary file in the same folder, fsynced,
 * then renamed over `path`. A failed write (full disk, file size limit, bad data half-way) leaves the previous file
 * intact and no partial file; a reader never sees a half-written one.
 *
 * @param path - the file to create or replace
 * @param contents - text, bytes, chunks, or a function that writes chunks to the sink it is given
 * @returns the number of bytes written
 * @throws {@link InputError} when the file cannot be written (the old file, if any, is untouched); errors thrown
 *   by a writer function pass through unchanged
 * @example
 * ```ts
 * await writeFileAtomic('report.html', html);
 * ```
 */
export async function writeFileAtomic(path: string, contents: FileContents): Promise<number> {
  // Imported lazily so that browser bundles of the facade never load node:fs.
  const { createAtomicFile } = await import('@qint/format/node');
  let file: Awaited<ReturnType<typeof createAtomicFile>>;
  try {
    file = await createAtomicFile(path);
  } catch (cause) {
    throw new InputError(`cannot write ${JSON.stringify(path)}: ${reasonOf(cause)}`, { cause });
  }
  let bytes = 0;
  let sinkFailed: unknown;
  const sink = {
    async write(chunk: Uint8Array): Promise<void> {
      try {
        await file.sink.write(chunk);
      } catch (e) {
        sinkFailed = e;
        throw e;
      }
      bytes += chunk.byteLength;
    },
  };
  try {
    if (typeof contents === 'function') await contents(sink);
    else if (typeof contents === 'string') await sink.write(new TextEncoder().encode(contents));
    else if (contents instanceof Uint8Array) await sink.write(contents);
    else for (const chunk of contents) await sink.write(chunk);
  } catch (cause) {
    await file.abort();
    if (sinkFailed === undefined) throw cause;
    throw new InputError(`cannot write ${JSON.stringify(path)}: ${reasonOf(sinkFailed)}; the previous file (if any) is unchanged`, { cause });
  }
  try {
    await file.commit();
  } catch (cause) {
    throw new InputError(`cannot write ${JSON.stringify(path)}: ${reasonOf(cause)}; the previous file (if any) is unchanged`, { cause });
  }
  return bytes;
}

function reasonOf(e: unknown): string {
  // FormatError('IO') from @qint/format/node wraps the system error: report the system's words and code.
  let inner: unknown = e;
  while ((inner as { cause?: unknown })?.cause !== undefined) inner = (inner as { cause: unknown }).cause;
  const code = (inner as { code?: string })?.code;
  const message = inner instanceof Error ? inner.message : String(inner);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}
