// @qint/onnx must bundle for browsers: no static imports of Node built-ins in its sources, and without Node's
// process.getBuiltinModule only the file-reading functions fail (with an OnnxError), while decoding works.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OnnxError, decodeModel, encodeModelWithExternalData, loadModel } from '../src/index';

const SRC = join(__dirname, '..', 'src');
const MNIST = join(__dirname, '__fixtures__', 'models', 'mnist-8', 'model.onnx');
const proc = process as unknown as { getBuiltinModule?: unknown };
const original = proc.getBuiltinModule;
afterEach(() => {
  proc.getBuiltinModule = original;
});

describe('browser safety', () => {
  it('no source file imports a Node built-in at run time', () => {
    const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const text = readFileSync(join(SRC, f), 'utf8');
      expect(text, f).not.toMatch(/^import (?!type)[^;]*from 'node:/m);
      expect(text, f).not.toMatch(/require\(['"]node:/);
    }
  });

  it('without process.getBuiltinModule, decoding (with in-memory external data) works and file loading says why it cannot', () => {
    const bytes = new Uint8Array(readFileSync(MNIST));
    const { model, data, location } = encodeModelWithExternalData(decodeModel(bytes), { minBytes: 64 });
    proc.getBuiltinModule = undefined;
    expect(decodeModel(model, { externalData: { [location]: data } })).toEqual(decodeModel(bytes));
    expect(() => loadModel(MNIST)).toThrow(OnnxError);
    expect(() => loadModel(MNIST)).toThrow(/Node\.js >= 20\.16/);
    expect(() => decodeModel(model, { baseDir: '/tmp' })).toThrow(/reads files/);
  });
});
