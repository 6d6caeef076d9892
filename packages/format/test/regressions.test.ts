// Replays every input that ever made the fuzzer fail (saved by `pnpm fuzz` in __fixtures__/fuzz-regressions):
// each must decode or be rejected with a FormatError, eagerly and lazily, with and without checksum verification.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FormatError, bytesSource, decodeQint, openQint } from '../src/index';

const dir = join(__dirname, '..', '__fixtures__', 'fuzz-regressions');
const files = readdirSync(dir).filter((n) => n.endsWith('.qint')).sort();

async function settle(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e;
  }
}

describe('fuzz regression corpus', () => {
  it('has inputs to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s decodes or fails with a FormatError', async (name) => {
    const bytes = new Uint8Array(readFileSync(join(dir, name)));
    for (const verifyChecksums of [true, false]) {
      for (const outcome of [
        await settle(decodeQint(bytes, { verifyChecksums })),
        await settle(openQint(bytesSource(bytes), { verifyChecksums }).then((r) => r.readModel())),
      ]) {
        if (outcome !== 'ok') expect(outcome, String(outcome)).toBeInstanceOf(FormatError);
      }
    }
  });
});
