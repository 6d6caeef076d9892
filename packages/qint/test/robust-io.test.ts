// Data loss and hangs (issue 19, group 1): atomic writes, output file names, non-regular files, allocation bombs and
// WASM under a virtual-memory limit. The subprocess tests run the built CLI (dist/, built before tests).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Model } from '@qint/graph';
import { Tensor } from '@qint/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeOnnx } from '../src/index';
import { readNpy, writeNpy } from '../src/npy';
import { outputFileNames } from '../src/cli/output-file-names';
import { cli } from './cli-helpers';

const mnist = join(__dirname, '__fixtures__', 'mnist-8', 'model.onnx');
const CLI = join(__dirname, '..', 'dist', 'cli.js');
const scratch = mkdtempSync(join(tmpdir(), 'qint-robust-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const posix = process.platform !== 'win32';

function model(nodes: Model['graph']['nodes'], inputs: string[], outputs: string[], initializers: [string, Tensor][] = []): Model {
  return {
    irVersion: 8,
    opsetImports: { '': 17 },
    producerName: 'test',
    producerVersion: '0',
    metadata: {},
    graph: {
      name: 'g',
      nodes,
      initializers: new Map(initializers),
      inputs: inputs.map((name) => ({ name, dtype: 'float32' as const, shape: [2] })),
      outputs: outputs.map((name) => ({ name })),
      valueInfo: [],
    },
  };
}

const identity = (input: string, output: string) => ({ name: `id_${output}`, opType: 'Identity', domain: '', inputs: [input], outputs: [output], attributes: {} });
const neg = (input: string, output: string) => ({ name: `neg_${output}`, opType: 'Neg', domain: '', inputs: [input], outputs: [output], attributes: {} });

describe('every file qint writes is replaced atomically', () => {
  for (const ext of ['qint', 'onnx']) {
    it.runIf(posix)(`quantize -o x.${ext} failing mid-write (file size limit) keeps the previous model and leaves no partial file`, () => {
      const dir = mkdtempSync(join(scratch, `atomic-${ext}-`));
      const out = join(dir, `model.${ext}`);
      writeFileSync(out, 'PREVIOUS MODEL');
      // RLIMIT_FSIZE 8 KiB (ulimit -f counts 512-byte blocks in sh): the ~10 KB int8 mnist-8 cannot be written.
      const r = spawnSync('sh', ['-c', `ulimit -f 16; exec node "$0" quantize "$1" -o "$2"`, CLI, mnist, out], { encoding: 'utf8' });
      expect(r.status).toBe(3);
      expect(r.stderr).toMatch(/cannot write .*model\.(qint|onnx).*(EFBIG|too large).*the previous file \(if any\) is unchanged/i);
      expect(readFileSync(out, 'utf8')).toBe('PREVIOUS MODEL');
      expect(readdirSync(dir)).toEqual([`model.${ext}`]);
      // Without the limit the same command replaces it.
      execFileSync('node', [CLI, 'quantize', mnist, '-o', out]);
      expect(readFileSync(out).length).toBeGreaterThan(8192);
      expect(readdirSync(dir)).toEqual([`model.${ext}`]);
    });
  }
});

describe('qint run output file names', () => {
  it('tells apart outputs whose safe names collide, and renames unsafe ones, saying so', async () => {
    const names = ['y:0', 'y_0', 'Y_0', '..', 'CON', 'a/../../b', ''];
    const m = model(
      names.map((n, i) => (i % 2 ? neg('x', n || 'empty') : identity('x', n || 'empty'))),
      ['x'],
      names.map((n) => n || 'empty'),
    );
    const path = join(scratch, 'names.onnx');
    writeFileSync(path, encodeOnnx(m));
    const x = join(scratch, 'x.npy');
    writeFileSync(x, writeNpy(Tensor.from('float32', [2], [1.5, -2])));
    const dir = join(scratch, 'names-out');
    const r = await cli('run', path, '-i', `x=${x}`, '-o', dir, '--backend', 'js', '--json');
    expect(r.code).toBe(0);
    const outputs = JSON.parse(r.out).outputs as { name: string; file: string }[];
    const fileOf = Object.fromEntries(outputs.map((o) => [o.name, o.file.slice(dir.length + 1)]));
    expect(fileOf).toEqual({ 'y:0': 'y_0.npy', y_0: 'y_0_2.npy', Y_0: 'Y_0_3.npy', '..': '__.npy', CON: '_CON.npy', 'a/../../b': 'a_.._.._b.npy', empty: 'empty.npy' });
    // Each file holds its own output: Identity (even index) or Neg (odd).
    names.forEach((n, i) => {
      const t = readNpy(new Uint8Array(readFileSync(join(dir, fileOf[n || 'empty']))));
      expect(Array.from(t.data as Float32Array), n).toEqual(i % 2 ? [-1.5, 2] : [1.5, -2]);
    });
    expect(readdirSync(dir).sort()).toEqual(Object.values(fileOf).sort());
    expect(r.err).toContain('qint: note: output "y_0" is written as y_0_2.npy (y_0.npy is already output "y:0")');
    expect(r.err).toContain('qint: note: output "y:0" is written as y_0.npy (not a safe file name)');
  });

  it('never overwrites an input file in the output folder', () => {
    expect(outputFileNames(['x', 'y'], new Set(['x.npy']))).toEqual([{ name: 'x', file: 'x_2.npy', note: 'x.npy is an input file' }, { name: 'y', file: 'y.npy' }]);
  });
});

describe('only regular files are opened', () => {
  it.runIf(posix)('a FIFO or a directory as model, input or external data fails at once instead of blocking', async () => {
    const dir = mkdtempSync(join(scratch, 'fifo-'));
    execFileSync('mkfifo', [join(dir, 'pipe.onnx')]);
    mkdirSync(join(dir, 'folder.npy'));
    const asModel = await cli('inspect', join(dir, 'pipe.onnx'));
    expect(asModel.code).toBe(3);
    expect(asModel.err.trim()).toMatch(/^qint: cannot read model ".*pipe\.onnx": it is a FIFO \(named pipe\), not a regular file$/);
    const asInput = await cli('run', mnist, '-i', join(dir, 'folder.npy'));
    expect(asInput.err.trim()).toMatch(/^qint: --input .*folder\.npy: it is a directory, not a regular file$/);
    // External data that is a FIFO: the model names "weights.bin" beside it.
    execFileSync('mkfifo', [join(dir, 'weights.bin')]);
    const ext = model([{ name: 'add', opType: 'Add', domain: '', inputs: ['x', 'w'], outputs: ['y'], attributes: {} }], ['x'], ['y'], [['w', Tensor.from('float32', [2], [1, 2])]]);
    const { encodeModelWithExternalData } = await import('@qint/onnx');
    const enc = encodeModelWithExternalData(ext, { location: 'weights.bin', minBytes: 1 });
    writeFileSync(join(dir, 'ext.onnx'), enc.model);
    const r = await cli('inspect', join(dir, 'ext.onnx'));
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/external data "weights\.bin" is a FIFO \(named pipe\), not a regular file/);
  });
});

describe('allocation bombs', () => {
  const bomb = (): string => {
    // 3 nodes, a few hundred bytes: Expand of a scalar to [100000, 100000] float32 = 40 GB.
    const m0 = model([{ name: 'bomb', opType: 'Expand', domain: '', inputs: ['x', 's'], outputs: ['y'], attributes: {} }], ['x'], ['y'], [['s', Tensor.from('int64', [2], [100000n, 100000n])]]);
    const m: Model = { ...m0, graph: { ...m0.graph, inputs: [{ name: 'x', dtype: 'float32', shape: [1] }] } };
    const path = join(scratch, 'bomb.onnx');
    writeFileSync(path, encodeOnnx(m));
    writeFileSync(join(scratch, 'one.npy'), writeNpy(Tensor.from('float32', [1], [1])));
    return path;
  };

  it('are refused before allocating, naming the node; --max-memory raises or lowers the limit', async () => {
    const path = bomb();
    const r = await cli('run', path, '-i', join(scratch, 'one.npy'), '--backend', 'js', '-o', join(scratch, 'bomb-out'), '--json');
    expect(r.code).toBe(3);
    const { error } = JSON.parse(r.out);
    expect(error).toMatchObject({ kind: 'input', code: 'ERR_MEMORY_LIMIT', exitCode: 3 });
    expect(error.message).toMatch(/^Expand "bomb": Expand output \[100000,100000\] of float32 needs 37.25 GiB \(40000000000 bytes\), above the tensor size limit of 2 GiB/);
    writeFileSync(join(scratch, 'mnist-in.npy'), writeNpy(Tensor.zeros('float32', [1, 1, 28, 28])));
    const low2 = await cli('run', mnist, '-i', join(scratch, 'mnist-in.npy'), '--max-memory', '1KB', '--backend', 'js', '-o', join(scratch, 'm-out'));
    expect(low2.code).toBe(3);
    expect(low2.err.trim()).toMatch(/^qint: Conv "Convolution28": .*needs 6.13 KiB \(6272 bytes\), above the tensor size limit of 1000 B/);
    const ok = await cli('run', mnist, '-i', join(scratch, 'mnist-in.npy'), '--max-memory', '64KiB', '--backend', 'js', '-o', join(scratch, 'm-out'));
    expect(ok.code).toBe(0);
    const bad = await cli('run', mnist, '--max-memory', 'lots');
    expect(bad.code).toBe(2);
    expect(bad.err.trim()).toBe('qint: --max-memory must be a size such as 512MB, 2GiB or a byte count, got "lots"');
  });
});

describe('WASM under a virtual-memory limit', () => {
  it.runIf(process.platform === 'linux')('falls back to JS with a warning that says what to do', () => {
    // 4 GB of address space: below the ~10 GB V8 reserves per WebAssembly memory, enough for Node itself.
    const r = spawnSync('sh', ['-c', 'ulimit -v 4000000; exec node "$0" bench "$1" --iterations 2 --backend wasm --json', CLI, mnist], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).backend).toBe('js');
    expect(r.stderr).toMatch(/^qint: warning: the WASM backend is not available, using the JS backend \(same results, slower\): createWasmBackend: WebAssembly could not reserve its memory .*ulimit -v.*--disable-wasm-trap-handler/);
  });
});
