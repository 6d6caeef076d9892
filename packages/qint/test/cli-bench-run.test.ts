// `qint bench --shape/--input` (models with symbolic non-batch dims) and `qint run` on .qint files.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeModel } from '@qint/onnx';
import { afterAll, describe, expect, it } from 'vitest';
import { readNpy, saveModel } from '../src/index';
import { cli } from './cli-helpers';

const DIR = join(__dirname, '__fixtures__', 'real-graphs');
const scratch = mkdtempSync(join(tmpdir(), 'qint-cli-bench-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The shuffled-order MLP with input x declared as ['batch', 'features']: a symbolic non-batch dim. */
async function symbolicModel(): Promise<string> {
  const model = decodeModel(readFileSync(join(DIR, 'shuffled-order.onnx')));
  const inputs = model.graph.inputs.map((v) => (v.name === 'x' ? { ...v, shape: ['batch', 'features'] } : v));
  const path = join(scratch, 'symbolic.onnx');
  await saveModel({ ...model, graph: { ...model.graph, inputs } }, path);
  return path;
}

describe('qint bench with symbolic dims', () => {
  it('refuses without --shape, naming the input, the dim and the option', async () => {
    const { code, err } = await cli('bench', await symbolicModel(), '--iterations', '1');
    expect(code).toBe(3); // bad input (exit codes of issue 19): the model's dims need a --shape
    expect(err.trim()).toBe('qint: input "x" has a symbolic dim 1 (features); give its shape (--shape x=1x… on the command line, shapes: { "x": [...] } in the API)');
  });

  it('runs with --shape name=AxB', async () => {
    const { code, out } = await cli('bench', await symbolicModel(), '--shape', 'x=4x6', '--iterations', '2', '--backend', 'js', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ batch: 4, iterations: 2, inputShapes: { x: [4, 6] } });
  });

  it('feeds --input name=file.npy instead of random data', async () => {
    const { code, out } = await cli('bench', await symbolicModel(), '--input', `x=${join(DIR, 'shuffled-order.x.npy')}`, '--iterations', '2', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out).inputShapes).toEqual({ x: [3, 6] });
  });

  it('refuses a bad --shape and an unknown input name in one line', async () => {
    const path = await symbolicModel();
    const bad = await cli('bench', path, '--shape', 'x=4xq');
    expect(bad.err.trim()).toBe('qint: --shape x=4xq: expected <input name>=<dims>, e.g. x=1x576 (non-negative integers separated by x)');
    const unknown = await cli('bench', path, '--shape', 'y=4x6');
    expect(unknown.err.trim()).toBe('qint: shapes: the model has no input named "y"; its inputs are x');
  });
});

describe('qint run', () => {
  it('says in --help that it runs .qint files too', async () => {
    const { out } = await cli('run', '--help');
    expect(out).toContain('an .onnx or .qint file');
  });

  it('runs a .qint file, writing the outputs onnxruntime gives', async () => {
    const model = decodeModel(readFileSync(join(DIR, 'shuffled-order.onnx')));
    const path = join(scratch, 'mlp.qint');
    await saveModel(model, path);
    const outDir = join(scratch, 'out');
    const { code } = await cli('run', path, '--input', `x=${join(DIR, 'shuffled-order.x.npy')}`, '--output-dir', outDir);
    expect(code).toBe(0);
    const y = readNpy(readFileSync(join(outDir, 'y.npy')));
    const expected = readNpy(readFileSync(join(DIR, 'shuffled-order.ort.y.npy')));
    expect(y.shape).toEqual(expected.shape);
    const a = y.data as Float32Array;
    const b = expected.data as Float32Array;
    for (let i = 0; i < b.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(b[i])));
  });
});
