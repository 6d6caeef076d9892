// Reads ONNX external tensor data safely. A model file is untrusted: its `location` strings could point anywhere on the
// disk (absolute paths, `../../etc/passwd`, a symlink inside the folder that leads out of it) and its offsets/lengths
// could be anything. Every check happens before a byte is read.
import type { ExternalDataOptions } from './external-data-options';
import { nodeFs, nodePath } from './node-builtins';
import { OnnxError } from './onnx-error';
import type { StringStringEntryMessage } from './proto/proto-messages';

interface Location {
  location: string;
  offset: number;
  length: number | undefined;
}

function parseDecimal(text: string, key: string, what: string): number {
  if (!/^[0-9]{1,16}$/.test(text)) throw new OnnxError(`${what} external_data "${key}" must be a decimal byte count, got ${JSON.stringify(text)}`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new OnnxError(`${what} external_data "${key}" = ${text} is too large`);
  return n;
}

function parseEntries(entries: readonly StringStringEntryMessage[], what: string): Location {
  let location: string | undefined;
  let offset = 0;
  let length: number | undefined;
  for (const entry of entries) {
    const key = entry.key ?? '';
    const value = entry.value ?? '';
    if (typeof key !== 'string' || typeof value !== 'string') throw new OnnxError(`${what} external_data entries must be strings`);
    if (key === 'location') location = value;
    else if (key === 'offset') offset = parseDecimal(value, key, what);
    else if (key === 'length') length = parseDecimal(value, key, what);
    // 'checksum' and unknown keys carry no information needed to read the data.
  }
  if (location === undefined || location === '') throw new OnnxError(`${what} has external data without a "location"`);
  return { location, offset, length };
}

function checkLocationText(location: string, what: string): void {
  // Checked without node:path so that in-memory external data works in browsers too.
  const isAbsolute = location.startsWith('/');
  if (location.includes('\0')) throw new OnnxError(`${what} external data location contains a NUL character`);
  // Both separators count: a model written on Windows may use backslashes, and on POSIX `..\\x` is harmless but odd.
  const segments = location.split(/[\\/]/);
  if (isAbsolute || location.startsWith('\\') || /^[A-Za-z]:/.test(location)) {
    throw new OnnxError(`${what} external data location ${JSON.stringify(location)} is absolute; it must be relative to the model's folder`);
  }
  if (segments.includes('..')) {
    throw new OnnxError(`${what} external data location ${JSON.stringify(location)} contains "..": it must stay inside the model's folder`);
  }
}

function checkRange(loc: Location, available: number, expected: number, what: string): number {
  const length = loc.length ?? available - loc.offset;
  if (loc.offset > available) {
    throw new OnnxError(`${what} external data offset ${loc.offset} is beyond the end of "${loc.location}" (${available} bytes)`);
  }
  if (length < 0 || loc.offset + length > available) {
    throw new OnnxError(
      `${what} external data [${loc.offset}, ${loc.offset + length}) runs past the end of "${loc.location}" (${available} bytes)`,
    );
  }
  if (length !== expected) {
    throw new OnnxError(`${what} external data length is ${length} bytes but its dims and data type need ${expected}`);
  }
  return length;
}

/** What a non-regular file is, for messages. */
function kindOf(stat: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Reads the bytes of a tensor stored as external data, after checking the location and range.
 *
 * @param entries - the tensor's `external_data` key/value pairs
 * @param expectedLength - the byte length its dims and data type require
 * @param options - where files may be read from
 * @param what - the tensor, for error messages
 * @returns a new buffer holding exactly `expectedLength` bytes
 * @throws {@link OnnxError} for a missing or unsafe location, a range outside the file, a length that does not match,
 *   or a file that cannot be read
 */
export function readExternalData(
  entries: readonly StringStringEntryMessage[],
  expectedLength: number,
  options: ExternalDataOptions,
  what: string,
): Uint8Array {
  const loc = parseEntries(entries, what);
  checkLocationText(loc.location, what);
  const inMemory = options.externalData;
  if (inMemory !== undefined && Object.prototype.hasOwnProperty.call(inMemory, loc.location)) {
    const bytes = inMemory[loc.location];
    const length = checkRange(loc, bytes.length, expectedLength, what);
    return bytes.slice(loc.offset, loc.offset + length);
  }
  if (options.baseDir === undefined) {
    throw new OnnxError(
      `${what} stores its data in external file "${loc.location}"; pass { baseDir } (the model's folder) or { externalData } to read it`,
    );
  }
  const { closeSync, constants, fstatSync, openSync, readSync, realpathSync, statSync } = nodeFs(`${what}: reading external data from baseDir`);
  const { join, sep } = nodePath('reading external data');
  let root: string;
  try {
    root = realpathSync(options.baseDir);
  } catch (cause) {
    throw new OnnxError(`baseDir ${JSON.stringify(options.baseDir)} cannot be resolved`, { cause });
  }
  let target: string;
  try {
    target = realpathSync(join(root, loc.location));
  } catch (cause) {
    throw new OnnxError(`${what} external data file "${loc.location}" was not found in ${root}`, { cause });
  }
  // realpath resolves every symlink, so this catches links inside the folder that point out of it.
  if (!target.startsWith(root.endsWith(sep) ? root : root + sep)) {
    throw new OnnxError(`${what} external data file "${loc.location}" resolves to ${target}, outside the model's folder ${root}`);
  }
  // Only regular files are opened: opening a FIFO blocks until a writer comes (forever), a device can be endless,
  // a directory is no data. Checked before open(); O_NONBLOCK makes a FIFO swapped in since then fail fast too.
  let before: ReturnType<typeof statSync>;
  try {
    before = statSync(target);
  } catch (cause) {
    throw new OnnxError(`${what} external data file "${loc.location}" cannot be read`, { cause });
  }
  if (!before.isFile()) {
    throw new OnnxError(`${what} external data "${loc.location}" is ${kindOf(before)}, not a regular file; only regular files are read`);
  }
  let fd: number;
  try {
    // O_NOFOLLOW: the resolved path has no symlinks; refuse one swapped in since the check.
    fd = openSync(target, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (cause) {
    throw new OnnxError(`${what} external data file "${loc.location}" cannot be opened`, { cause });
  }
  try {
    const stat = fstatSync(fd);
    const checked = statSync(target);
    if (!stat.isFile() || stat.ino !== checked.ino || stat.dev !== checked.dev) {
      throw new OnnxError(`${what} external data "${loc.location}" is not a regular file`);
    }
    const length = checkRange(loc, stat.size, expectedLength, what);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(fd, out, done, length - done, loc.offset + done);
      if (n === 0) throw new OnnxError(`${what} external data file "${loc.location}" ended early (changed while reading?)`);
      done += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}
