import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTensor } from './decode-tensor';
import { OnnxError } from './onnx-error';
import type { TensorProto } from './proto/proto-messages';

let root: string;
let modelDir: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'qint-onnx-ext-'));
  modelDir = join(root, 'model');
  mkdirSync(join(modelDir, 'sub'), { recursive: true });
  // 16 bytes: four float32 values 1..4, little-endian, at offset 0 of weights.bin; 8 filler bytes before them in padded.bin.
  const floats = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);
  writeFileSync(join(modelDir, 'weights.bin'), floats);
  writeFileSync(join(modelDir, 'sub', 'padded.bin'), new Uint8Array([...new Uint8Array(8).fill(9), ...floats]));
  writeFileSync(join(root, 'secret.bin'), floats);
  symlinkSync(join(root, 'secret.bin'), join(modelDir, 'escape.bin'));
  symlinkSync(join(modelDir, 'weights.bin'), join(modelDir, 'inside-link.bin'));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function external(entries: Record<string, string>, dims = [4]): TensorProto {
  return {
    name: 'w',
    dims,
    dataType: 1,
    dataLocation: 1,
    externalData: Object.entries(entries).map(([key, value]) => ({ key, value })),
  };
}

function error(fn: () => unknown): OnnxError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(OnnxError);
    return e as OnnxError;
  }
  throw new Error('expected an OnnxError');
}

describe('external data', () => {
  it('reads a file inside the model folder, with and without offset/length', () => {
    expect(decodeTensor(external({ location: 'weights.bin' }), { baseDir: modelDir }).toArray()).toEqual([1, 2, 3, 4]);
    const t = decodeTensor(external({ location: 'sub/padded.bin', offset: '8', length: '16' }), { baseDir: modelDir });
    expect(t.toArray()).toEqual([1, 2, 3, 4]);
  });

  it('follows a symlink that stays inside the folder', () => {
    expect(decodeTensor(external({ location: 'inside-link.bin' }), { baseDir: modelDir }).toArray()).toEqual([1, 2, 3, 4]);
  });

  it('reads from in-memory files', () => {
    const bytes = new Uint8Array(new Float32Array([5, 6, 7, 8]).buffer);
    expect(decodeTensor(external({ location: 'mem.bin' }), { externalData: { 'mem.bin': bytes } }).toArray()).toEqual([5, 6, 7, 8]);
  });

  it('refuses absolute paths, ".." and symlinks leading out of the folder', () => {
    expect(error(() => decodeTensor(external({ location: join(root, 'secret.bin') }), { baseDir: modelDir })).message).toMatch(/is absolute/);
    expect(error(() => decodeTensor(external({ location: '../secret.bin' }), { baseDir: modelDir })).message).toMatch(/contains "\.\."/);
    expect(error(() => decodeTensor(external({ location: 'sub/../../secret.bin' }), { baseDir: modelDir })).message).toMatch(/contains "\.\."/);
    expect(error(() => decodeTensor(external({ location: 'sub\\..\\..\\secret.bin' }), { baseDir: modelDir })).message).toMatch(/contains "\.\."/);
    expect(error(() => decodeTensor(external({ location: 'C:/x.bin' }), { baseDir: modelDir })).message).toMatch(/is absolute/);
    expect(error(() => decodeTensor(external({ location: 'escape.bin' }), { baseDir: modelDir })).message).toMatch(/outside the model's folder/);
  });

  it('checks offset and length against the file size and the tensor size', () => {
    expect(error(() => decodeTensor(external({ location: 'weights.bin', offset: '4096' }), { baseDir: modelDir })).message).toMatch(/offset 4096 is beyond the end/);
    expect(error(() => decodeTensor(external({ location: 'weights.bin', offset: '8', length: '16' }), { baseDir: modelDir })).message).toMatch(/runs past the end/);
    expect(error(() => decodeTensor(external({ location: 'weights.bin' }, [1 << 30, 1 << 20]), { baseDir: modelDir })).message).toMatch(/need 4503599627370496/);
    expect(error(() => decodeTensor(external({ location: 'weights.bin', length: '-1' }), { baseDir: modelDir })).message).toMatch(/decimal byte count/);
    expect(error(() => decodeTensor(external({ location: 'weights.bin', offset: '1e3' }), { baseDir: modelDir })).message).toMatch(/decimal byte count/);
  });

  it('reports missing files and a missing location', () => {
    expect(error(() => decodeTensor(external({ location: 'nope.bin' }), { baseDir: modelDir })).message).toMatch(/"nope.bin" was not found/);
    expect(error(() => decodeTensor(external({ offset: '0' }), { baseDir: modelDir })).message).toMatch(/without a "location"/);
  });

  it('refuses a FIFO, a directory and a device without opening them (a FIFO would block forever)', () => {
    mkdirSync(join(modelDir, 'dir.bin'));
    expect(error(() => decodeTensor(external({ location: 'dir.bin' }), { baseDir: modelDir })).message).toBe(
      'tensor "w" external data "dir.bin" is a directory, not a regular file; only regular files are read',
    );
    if (process.platform === 'win32') return;
    execFileSync('mkfifo', [join(modelDir, 'pipe.bin')]);
    expect(error(() => decodeTensor(external({ location: 'pipe.bin' }), { baseDir: modelDir })).message).toMatch(/"pipe.bin" is a FIFO \(named pipe\), not a regular file/);
    // /dev is its own folder here: a device file inside the model folder.
    expect(error(() => decodeTensor(external({ location: 'null' }), { baseDir: '/dev' })).message).toMatch(/"null" is a device, not a regular file/);
  });
});
