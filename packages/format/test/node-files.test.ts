import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError, encodeQint, writeQint } from '../src/index';
import { open } from 'node:fs/promises';
import { fileHandleSink, openQintFile, readQintFile, saveQintFile } from '../src/node';
import { canonical } from './canonical';
import { kitchenSinkModel } from './models';

const dir = mkdtempSync(join(tmpdir(), 'qint-format-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Node file I/O', () => {
  it('streams to a file and reads it back in one read or lazily', async () => {
    const model = kitchenSinkModel();
    const path = join(dir, 'k.qint');
    const n = await saveQintFile(path, model, { metadata: { user: { k: 'v' } } });
    const onDisk = new Uint8Array(readFileSync(path));
    expect(onDisk.byteLength).toBe(n);
    expect(onDisk).toEqual(await encodeQint(model, { metadata: { user: { k: 'v' } } }));
    const doc = await readQintFile(path);
    expect(canonical(doc.model)).toEqual(canonical(model));
    expect(doc.metadata.user).toEqual({ k: 'v' });
    const reader = await openQintFile(path);
    const w = await reader.readTensor('w_block_i4');
    expect(w.shape).toEqual([3, 70]);
    expect(canonical(w)).toEqual(canonical(model.graph.initializers.get('w_block_i4')));
    expect(canonical((await reader.readModel()).model)).toEqual(canonical(model));
    await reader.close();
    await expect(reader.readTensor(0)).rejects.toMatchObject({ reason: 'IO' });
  });

  it('writes through a FileHandle the caller owns', async () => {
    const model = kitchenSinkModel();
    const path = join(dir, 'fh.qint');
    const fh = await open(path, 'w');
    await fh.write(new Uint8Array(0));
    const n = await writeQint(model, fileHandleSink(fh));
    await fh.close();
    const onDisk = new Uint8Array(readFileSync(path));
    expect(onDisk.byteLength).toBe(n);
    expect(onDisk).toEqual(await encodeQint(model));
  });

  it('reports a corrupt tensor by name when read lazily, and missing files as IO errors', async () => {
    const model = kitchenSinkModel();
    const bytes = await encodeQint(model);
    const reader0 = await openQintFile(await write('ok.qint', bytes));
    const entry = reader0.info.tensors.find((t) => t.name === 'u8')!;
    await reader0.close();
    bytes[entry.byteOffset] ^= 0x40;
    const reader = await openQintFile(await write('bad.qint', bytes));
    await expect(reader.readTensor('i8')).resolves.toBeDefined();
    await expect(reader.readTensor('u8')).rejects.toMatchObject({ reason: 'CHECKSUM_MISMATCH', offset: entry.byteOffset, message: expect.stringContaining('"u8"') });
    await reader.close();
    await expect(readQintFile(join(dir, 'nope.qint'))).rejects.toBeInstanceOf(FormatError);
    await expect(openQintFile(join(dir, 'nope.qint'))).rejects.toMatchObject({ reason: 'IO' });
  });
});

async function write(name: string, bytes: Uint8Array): Promise<string> {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}
