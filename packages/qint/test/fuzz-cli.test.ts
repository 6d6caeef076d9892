// Fuzz targets of the command-line tool (fixed seeds; `pnpm fuzz` runs them with FUZZ_RUNS times more inputs):
// the .npy reader on mutated files, and the output paths of `qint run` on arbitrary output names.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Model } from '@qint/graph';
import { QintError, Tensor } from '@qint/tensor';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeOnnx } from '../src/index';
import { outputFileNames } from '../src/cli/output-file-names';
import { readNpy, writeNpy } from '../src/npy';
import { cli } from './cli-helpers';

const SCALE = Math.max(1, Number(process.env.FUZZ_RUNS ?? 1));
const scratch = mkdtempSync(join(tmpdir(), 'qint-fuzz-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const seeds = [
  writeNpy(Tensor.from('float32', [2, 3], [1, 2, 3, 4, 5, 6])),
  writeNpy(Tensor.from('int64', [3], [1n, -2n, 3n])),
  writeNpy(Tensor.from('uint8', [], [7])),
  writeNpy(Tensor.from('bool', [4], [true, false, true, true])),
  writeNpy(Tensor.from('int16', [2, 2, 1], [1, -1, 300, -300])),
];
const HEADER_BYTES = [...`{}()',: 0123456789TrueFalsedescrshapefortran_order<>|=fiub`].map((c) => c.charCodeAt(0));

describe('.npy reader fuzz', () => {
  it('mutated files give a tensor that matches its shape, or an InputError; never another error', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('set'), pos: fc.nat(), value: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...HEADER_BYTES)) }),
      fc.record({ kind: fc.constant('truncate'), pos: fc.nat() }),
      fc.record({ kind: fc.constant('insert'), pos: fc.nat(), value: fc.constantFrom(...HEADER_BYTES) }),
      fc.record({ kind: fc.constant('delete'), pos: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 6 }), (which, ms) => {
        const bytes = Array.from(seeds[which]);
        for (const m of ms) {
          const at = m.pos % (bytes.length + 1);
          if (m.kind === 'set' && bytes.length) bytes[at % bytes.length] = m.value!;
          else if (m.kind === 'truncate') bytes.length = at;
          else if (m.kind === 'insert') bytes.splice(at, 0, m.value!);
          else if (m.kind === 'delete') bytes.splice(at, 1);
        }
        let t: Tensor;
        try {
          t = readNpy(Uint8Array.from(bytes), 'fuzz.npy');
        } catch (e) {
          expect(e).toBeInstanceOf(QintError);
          expect((e as Error).message).toMatch(/^fuzz\.npy: /);
          return;
        }
        expect(t.size).toBe(t.shape.reduce((a, b) => a * b, 1));
        // Whatever was read writes back and reads again to the same tensor.
        const again = readNpy(writeNpy(t));
        expect(again.shape).toEqual(t.shape);
        expect(again.dtype).toBe(t.dtype);
        expect(Array.from(again.data as ArrayLike<unknown>)).toEqual(Array.from(t.data as ArrayLike<unknown>));
      }),
      { seed: 20261208, numRuns: 400 * SCALE },
    );
  });
});

describe('qint run output paths fuzz', () => {
  const names = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('..', '.', '/', 'a/../../b', 'CON', 'nul.txt', 'y:0', 'y_0', 'Y_0', '.hidden', 'x.', 'x..', '\u0000', 'é', '🙂'), fc.string({ unit: 'grapheme', maxLength: 6 }));

  it('outputFileNames gives distinct, safe names inside the folder, never a taken one', () => {
    fc.assert(
      fc.property(fc.uniqueArray(names, { maxLength: 12 }), fc.uniqueArray(fc.constantFrom('x.npy', 'y_0.npy', '__.npy'), { maxLength: 3 }), (list, taken) => {
        const files = outputFileNames(list, new Set(taken));
        expect(files.map((f) => f.name)).toEqual(list);
        const lower = files.map((f) => f.file.toLowerCase());
        expect(new Set(lower).size).toBe(lower.length);
        for (const f of files) {
          expect(f.file).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9._-]*\.npy$/);
          expect(f.file.length).toBeLessThanOrEqual(220);
          expect(taken).not.toContain(f.file.toLowerCase());
          expect(f.file.replace(/\.npy$/, '')).not.toMatch(/^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i);
          if (f.file !== `${f.name}.npy`) expect(f.note).toBeDefined();
        }
      }),
      { seed: 20261208, numRuns: 500 * SCALE },
    );
  });

  it('the CLI writes each output to its own file in the output folder and nowhere else', async () => {
    const x = join(scratch, 'x.npy');
    writeFileSync(x, writeNpy(Tensor.from('float32', [1], [3])));
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(names.filter((n) => n !== '' && !n.includes('\u0000')), { minLength: 1, maxLength: 5 }), async (list) => {
        // Output i is x + i, so each file's content says which output it holds.
        const m: Model = {
          irVersion: 8,
          opsetImports: { '': 17 },
          producerName: 'fuzz',
          producerVersion: '0',
          metadata: {},
          graph: {
            name: 'g',
            nodes: list.map((n, i) => ({ name: `add${i}`, opType: 'Add', domain: '', inputs: ['x', `c${i}`], outputs: [n], attributes: {} })),
            initializers: new Map(list.map((_, i) => [`c${i}`, Tensor.from('float32', [1], [i])])),
            inputs: [{ name: 'x', dtype: 'float32', shape: [1] }],
            outputs: list.map((name) => ({ name })),
            valueInfo: [],
          },
        };
        const dir = mkdtempSync(join(scratch, 'run-'));
        const path = join(dir, 'm.onnx');
        writeFileSync(path, encodeOnnx(m));
        const outDir = join(dir, 'out');
        const r = await cli('run', path, '-i', `x=${x}`, '-o', outDir, '--backend', 'js', '--json');
        expect(r.code, r.err).toBe(0);
        const written = JSON.parse(r.out).outputs as { name: string; file: string }[];
        expect(written.map((w) => w.name).sort()).toEqual([...list].sort());
        for (const w of written) {
          expect(resolve(w.file).startsWith(resolve(outDir) + '/')).toBe(true);
          const t = readNpy(new Uint8Array(readFileSync(w.file)));
          expect(Array.from(t.data as Float32Array)).toEqual([3 + list.indexOf(w.name)]);
        }
        expect(readdirSync(outDir)).toHaveLength(list.length);
        expect(readdirSync(dir).sort()).toEqual(['m.onnx', 'out']);
        rmSync(dir, { recursive: true, force: true });
      }),
      { seed: 20261208, numRuns: 8 * SCALE },
    );
  });
});
