// The small tar reader the node-suite test uses, on archives built here byte by byte (ustar layout).
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readTarGz } from './helpers/read-tar-gz';

/** One ustar header + data block(s) for a regular file (or another type flag). */
function entry(name: string, data: Uint8Array, type = '0', prefix = ''): Uint8Array {
  const h = new Uint8Array(512);
  const put = (at: number, s: string) => h.set(Buffer.from(s, 'latin1'), at);
  put(0, name);
  put(100, '0000644\0');
  put(124, `${data.length.toString(8).padStart(11, '0')}\0`);
  put(156, type);
  put(257, 'ustar\0');
  put(345, prefix);
  h.fill(32, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  put(148, `${sum.toString(8).padStart(6, '0')}\0 `);
  const body = new Uint8Array(Math.ceil(data.length / 512) * 512);
  body.set(data);
  return Buffer.concat([h, body]);
}

const archive = (...parts: Uint8Array[]) => gzipSync(Buffer.concat([...parts, new Uint8Array(1024)]));

describe('readTarGz', () => {
  it('reads regular files with their ustar prefix and GNU long names; skips folders', () => {
    const long = `${'d/'.repeat(60)}model.onnx`;
    const files = readTarGz(
      archive(
        entry('onnx-node/', new Uint8Array(), '5'),
        entry('test_a/model.onnx', Uint8Array.from([1, 2, 3]), '0', 'onnx-node'),
        entry('././@LongLink', Buffer.from(`${long}\0`), 'L'),
        entry('ignored-short-name', new Uint8Array(600).fill(7)),
      ),
    );
    expect([...files.keys()]).toEqual(['onnx-node/test_a/model.onnx', long]);
    expect(Array.from(files.get('onnx-node/test_a/model.onnx')!)).toEqual([1, 2, 3]);
    expect(files.get(long)!.length).toBe(600);
  });

  it('refuses a header whose checksum does not match, and an entry that runs past the end', () => {
    const good = entry('a', Uint8Array.from([1]));
    const bad = good.slice();
    bad[0] = 'b'.charCodeAt(0);
    expect(() => readTarGz(archive(bad))).toThrow(/header checksum mismatch at byte 0/);
    expect(() => readTarGz(gzipSync(entry('a', new Uint8Array(2000)).subarray(0, 1024)))).toThrow(/runs past the end/);
  });
});
