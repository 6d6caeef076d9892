// Every .qint written to disk goes through a temporary file that is fsynced and renamed: a failure mid-write leaves
// the previous file as it was and nothing else in the folder.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeQint, FormatError } from '../src/index';
import { createAtomicFile } from '../src/node';
import { kitchenSinkModel } from './models';


const dir = mkdtempSync(join(tmpdir(), 'qint-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('atomic file writes', () => {
  it('abort leaves the old file and no temporary; commit replaces it and keeps its mode', async () => {
    const path = join(dir, 'a.bin');
    writeFileSync(path, 'OLD');
    chmodSync(path, 0o640);
    const f = await createAtomicFile(path);
    await f.sink.write(new Uint8Array([1, 2, 3]));
    expect(readFileSync(path, 'utf8')).toBe('OLD'); // nothing visible before commit
    await f.abort();
    expect(readFileSync(path, 'utf8')).toBe('OLD');
    expect(readdirSync(dir)).toEqual(['a.bin']);
    const g = await createAtomicFile(path);
    await g.sink.write(new Uint8Array([7, 8]));
    await g.commit();
    expect([...readFileSync(path)]).toEqual([7, 8]);
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['a.bin']);
  });

  it('a folder that does not exist is an IO FormatError', async () => {
    await expect(createAtomicFile(join(dir, 'missing', 'x.qint'))).rejects.toBeInstanceOf(FormatError);
  });

  it('saveQintFile failing mid-write (file size limit) leaves the previous model intact and no partial file', async () => {
    const sub = mkdtempSync(join(dir, 'efbig-'));
    const path = join(sub, 'model.qint');
    const old = await encodeQint(kitchenSinkModel());
    writeFileSync(path, old);
    // A child process with RLIMIT_FSIZE = 1 KiB (ulimit -f counts 512-byte blocks in sh): writes past 1 KiB fail
    // with EFBIG, as a full disk fails with ENOSPC. Node ignores SIGXFSZ, so the error reaches the writer. The child
    // runs the built package (dist/, built before tests).
    if (process.platform === 'win32') return;
    const source = join(sub, 'source.bin');
    writeFileSync(source, old);
    const dist = (f: string): string => JSON.stringify(pathToFileURL(join(__dirname, '../dist', f)).href);
    const script = `import { readFileSync } from 'node:fs'; const { decodeQint } = await import(${dist('index.js')}); const { saveQintFile } = await import(${dist('node.js')});
      const { model } = await decodeQint(new Uint8Array(readFileSync(${JSON.stringify(source)})));
      try { await saveQintFile(${JSON.stringify(path)}, model, { metadata: { user: { big: 'x'.repeat(4096) } } }); console.log('wrote'); }
      catch (e) { console.log(e.name + ': ' + e.message); }`;
    const out = execFileSync('sh', ['-c', 'ulimit -f 2; exec node --input-type=module -e "$0"', script], { encoding: 'utf8' });
    expect(out).toMatch(/FormatError: .*EFBIG|file too large/i);
    expect(new Uint8Array(readFileSync(path))).toEqual(old);
    expect(readdirSync(sub).sort()).toEqual(['model.qint', 'source.bin']);
  });
});
