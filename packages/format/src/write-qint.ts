import { FormatError } from './format-error';
import type { Model } from './internal/ir';
import type { EncodeQintOptions } from './qint-types';
import type { QintSink } from './qint-sink';
import { loadChecksum } from './internal/checksum';
import { planChecked } from './internal/plan-checked';

const ZEROS = new Uint8Array(64);

/** Options of {@link writeQint}. */
export interface WriteQintOptions extends EncodeQintOptions {
  /** Close a `WritableStream` sink when done (default true; the file is only complete once closed). */
  close?: boolean;
}

/**
 * Streams a model as `.qint` to a web `WritableStream` or any {@link QintSink}, tensor by tensor: the header first,
 * then each tensor's own bytes (no second copy of the model is made), with zero padding for 64-byte alignment.
 *
 * @param model - the model to write
 * @param sink - a `WritableStream<Uint8Array>` (e.g. from the File System Access API) or an object with `write(chunk)`
 * @param options - {@link WriteQintOptions}
 * @returns the number of bytes written
 * @throws {@link FormatError} when the model cannot be written (`reason` as for {@link encodeQint}) or the sink fails (`IO`)
 * @example
 * ```ts
 * const handle = await window.showSaveFilePicker();
 * await writeQint(model, await handle.createWritable());
 * ```
 */
export async function writeQint(model: Model, sink: WritableStream<Uint8Array> | QintSink, options: WriteQintOptions = {}): Promise<number> {
  await loadChecksum();
  const plan = planChecked(model, options);
  const isStream = typeof WritableStream !== 'undefined' && sink instanceof WritableStream;
  if (!isStream && (sink === null || typeof sink !== 'object' || typeof (sink as QintSink).write !== 'function')) {
    throw new FormatError('BAD_ARGUMENT', 'sink must be a WritableStream or an object with a write(chunk) method', { field: 'sink', offset: -1 });
  }
  const writer = isStream ? (sink as WritableStream<Uint8Array>).getWriter() : undefined;
  const write = async (chunk: Uint8Array): Promise<void> => {
    if (chunk.byteLength === 0) return;
    if (writer) await writer.write(chunk);
    else await (sink as QintSink).write(chunk);
  };
  let written = 0;
  try {
    await write(plan.head);
    written = plan.head.byteLength;
    for (const t of plan.tensors) {
      const at = plan.dataOffset + t.offset;
      if (at > written) await write(ZEROS.subarray(0, at - written));
      await write(t.bytes);
      written = at + t.bytes.byteLength;
    }
    if (plan.totalLength > written) await write(ZEROS.subarray(0, plan.totalLength - written));
    written = plan.totalLength;
    if (writer) {
      if (options.close ?? true) await writer.close();
      else writer.releaseLock();
    }
  } catch (e) {
    if (writer) writer.releaseLock();
    if (e instanceof FormatError) throw e;
    throw new FormatError('IO', `writing to the sink failed after ${written} bytes: ${(e as Error)?.message ?? String(e)}`, { field: 'sink', offset: written, cause: e });
  }
  return written;
}
