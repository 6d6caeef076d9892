import { InputError } from './input-error';

/**
 * Reads a whole file (Node), refusing anything that is not a regular file: reading a FIFO blocks until a writer
 * comes (forever), a device such as /dev/zero never ends, a directory has no bytes.
 *
 * @param path - the file
 * @param what - what the file is, for messages (e.g. `model`, `--input`)
 * @returns the bytes (a view of the buffer read)
 * @throws {@link InputError} for a missing, unreadable or non-regular file
 */
export async function readRegularFile(path: string, what: string): Promise<Uint8Array> {
  // Imported lazily so that browser bundles of the facade never load node:fs.
  const { open } = await import('node:fs/promises');
  const { constants } = await import('node:fs');
  // Flags read as `--input x.npy: no such file`, models as `cannot read model "m.onnx": no such file`.
  const label = what.startsWith('--') ? `${what} ${path}` : `cannot read ${what} ${JSON.stringify(path)}`;
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO does not wait for a writer; the stat below then refuses it.
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    throw new InputError(`${label}${code === 'ENOENT' ? ': no such file' : code ? `: cannot read (${code})` : ''}`, { cause });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      const kind = stat.isDirectory() ? 'a directory' : stat.isFIFO() ? 'a FIFO (named pipe)' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : 'not a regular file';
      throw new InputError(`${label}: it is ${kind}, not a regular file`);
    }
    const buf = await handle.readFile();
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (cause) {
    if (cause instanceof InputError) throw cause;
    const code = (cause as { code?: string }).code;
    throw new InputError(`${label}: cannot read (${code ?? 'error'})`, { cause });
  } finally {
    await handle.close();
  }
}
