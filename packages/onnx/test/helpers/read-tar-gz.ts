// A minimal reader for the gzip'd ustar archive of the ONNX node suite: regular files only, ustar `prefix` and GNU
// long names (`L`) and pax `path` records honoured; everything in memory (the suite is 52 MB unpacked).
import { gunzipSync } from 'node:zlib';

const BLOCK = 512;

function cString(bytes: Uint8Array, start: number, length: number): string {
  let end = start;
  while (end < start + length && bytes[end] !== 0) end++;
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8');
}

function octal(bytes: Uint8Array, start: number, length: number, what: string): number {
  const text = cString(bytes, start, length).trim();
  if (!/^[0-7]*$/.test(text)) throw new Error(`tar: bad ${what} field ${JSON.stringify(text)}`);
  return text === '' ? 0 : parseInt(text, 8);
}

/**
 * Every regular file of a `.tar.gz`, path → bytes (views into one decompressed buffer).
 *
 * @param gz - the compressed archive
 * @returns the files, in archive order
 * @throws Error on a truncated archive or a header whose checksum or size field is bad
 */
export function readTarGz(gz: Uint8Array): Map<string, Uint8Array> {
  const tar = new Uint8Array(gunzipSync(gz));
  const files = new Map<string, Uint8Array>();
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i];
    if (sum !== octal(header, 148, 8, 'checksum')) throw new Error(`tar: header checksum mismatch at byte ${offset}`);
    const size = octal(header, 124, 12, 'size');
    const type = String.fromCharCode(header[156] || 48);
    const dataStart = offset + BLOCK;
    if (dataStart + size > tar.length) throw new Error(`tar: entry at byte ${offset} runs past the end`);
    const data = tar.subarray(dataStart, dataStart + size);
    const prefix = cString(header, 345, 155);
    const name = longName ?? (prefix === '' ? cString(header, 0, 100) : `${prefix}/${cString(header, 0, 100)}`);
    longName = undefined;
    if (type === 'L') longName = cString(data, 0, data.length);
    else if (type === 'x') {
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(Buffer.from(data).toString('utf8'));
      if (path !== null) longName = path[1];
    } else if (type === '0' || type === '7') files.set(name, data);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
  }
  return files;
}
