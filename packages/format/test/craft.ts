// Builds .qint files byte by byte for hostile-input tests, independently of the writer under test: the preamble
// layout follows the README's table and the checksum comes straight from xxhash-wasm.
import xxhash from 'xxhash-wasm';

const MAGIC = [0x89, 0x51, 0x49, 0x4e, 0x54, 0x0d, 0x0a, 0x1a];

export interface CraftOptions {
  major?: number;
  minor?: number;
  /** Overrides the data-section length field. */
  dataLength?: number;
  /** Overrides the header-length field. */
  headerLength?: number;
  /** Leave the header checksum wrong. */
  badChecksum?: boolean;
}

/** A file with the given header (object → JSON, or raw text/bytes) and data section. */
export async function craft(header: unknown, data: Uint8Array = new Uint8Array(0), o: CraftOptions = {}): Promise<Uint8Array> {
  const json = header instanceof Uint8Array ? header : new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const dataOffset = Math.ceil((32 + json.length) / 64) * 64;
  const out = new Uint8Array(dataOffset + data.length);
  out.set(MAGIC, 0);
  const v = new DataView(out.buffer);
  v.setUint16(8, o.major ?? 1, true);
  v.setUint16(10, o.minor ?? 0, true);
  v.setUint32(12, o.headerLength ?? json.length, true);
  const dl = o.dataLength ?? data.length;
  v.setUint32(24, dl % 2 ** 32, true);
  v.setUint32(28, Math.floor(dl / 2 ** 32), true);
  out.set(json, 32);
  out.set(data, dataOffset);
  const { create64 } = await xxhash();
  const h = create64(0n);
  h.update(out.subarray(0, 16));
  h.update(out.subarray(24, 32 + json.length));
  v.setBigUint64(16, o.badChecksum ? 1n : h.digest(), true);
  return out;
}

/** Splits a real file into its parsed header and data section. */
export function split(file: Uint8Array): { header: any; data: Uint8Array } {
  const v = new DataView(file.buffer, file.byteOffset);
  const len = v.getUint32(12, true);
  const header = JSON.parse(new TextDecoder().decode(file.subarray(32, 32 + len)));
  return { header, data: file.slice(Math.ceil((32 + len) / 64) * 64) };
}

export async function xxh64Hex(bytes: Uint8Array): Promise<string> {
  const { h64Raw } = await xxhash();
  return h64Raw(bytes).toString(16).padStart(16, '0');
}
