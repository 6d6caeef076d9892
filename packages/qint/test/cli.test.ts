import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeTensor, loadTensorPb } from '@qint/onnx';
import { Tensor } from '@qint/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { readNpy, writeNpy } from '../src/npy';
import { cli } from './cli-helpers';

const fixtures = join(__dirname, '__fixtures__');
const mnist = join(fixtures, 'mnist-8', 'model.onnx');
// The ONNX node cases are kept once, in @qint/onnx's fixtures.
const onnxNode = join(__dirname, '..', '..', 'onnx', 'test', '__fixtures__', 'onnx-node');
const scratch = mkdtempSync(join(tmpdir(), 'qint-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('qint inspect', () => {
  it('describes mnist-8 as its model card does', async () => {
    const { code, out } = await cli('inspect', mnist, '--json');
    expect(code).toBe(0);
    const s = JSON.parse(out);
    // Facts from the model's README: 12 nodes (Add 3, Reshape 2, Conv 2, Relu 2, MaxPool 2, MatMul 1); 5,998 initializer
    // elements of which 4 are the two int64 shape tensors, leaving 200 + 8 + 3200 + 16 + 2560 + 10 = 5,994 float weights.
    expect(s.nodeCount).toBe(12);
    expect(s.ops).toEqual({ Add: 3, Reshape: 2, Conv: 2, Relu: 2, MaxPool: 2, MatMul: 1 });
    expect(s.parameters).toBe(5994);
    expect(s.parameterBytes).toBe(5994 * 4);
    expect(s.inputs).toEqual([{ name: 'Input3', dtype: 'float32', shape: [1, 1, 28, 28] }]);
    expect(s.outputs[0]).toMatchObject({ name: 'Plus214_Output_0', dtype: 'float32', shape: [1, 10] });
    expect(s.opsets).toEqual({ '': 8 });
  });

  it('prints a readable table', async () => {
    const { code, out } = await cli('inspect', mnist);
    expect(code).toBe(0);
    expect(out).toContain('input  Input3: float32 [1, 1, 28, 28]');
    expect(out).toMatch(/5,994 parameters, 24\.0 KB/);
    expect(out).toMatch(/Conv\s+3,200\s+12\.8 KB\s+float32/);
  });
});

describe('qint run', () => {
  for (const backend of ['js', 'wasm']) {
    it(`runs mnist-8 on test_data_set_0 and matches the stored output (${backend})`, async () => {
      const input = loadTensorPb(join(fixtures, 'mnist-8', 'test_data_set_0', 'input_0.pb')).tensor;
      const expected = loadTensorPb(join(fixtures, 'mnist-8', 'test_data_set_0', 'output_0.pb')).tensor;
      const inputFile = join(scratch, 'digit.npy');
      writeFileSync(inputFile, writeNpy(input));
      const outDir = join(scratch, `out-${backend}`);
      const { code, out, err } = await cli('run', mnist, '--input', `Input3=${inputFile}`, '--backend', backend, '--output-dir', outDir, '--json');
      expect(err).toBe('');
      expect(code).toBe(0);
      const report = JSON.parse(out);
      expect(report.outputs[0].name).toBe('Plus214_Output_0');
      const got = readNpy(readFileSync(join(outDir, 'Plus214_Output_0.npy'))).toArray();
      const want = expected.toArray();
      got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-5 * Math.abs(want[i]) + 1e-3));
      expect(got.indexOf(Math.max(...got))).toBe(2); // the README's argmax for test_data_set_0
    });
  }

  it('fails with one line naming the problem, and no stack trace', async () => {
    const missing = await cli('run', join(scratch, 'nope.onnx'), '--input', 'x.npy');
    expect(missing.code).toBe(3); // bad input
    expect(missing.err.trim()).toMatch(/^qint: cannot read model ".*nope\.onnx": no such file$/);

    const input = join(scratch, 'bad.npy');
    writeFileSync(input, writeNpy(loadTensorPb(join(fixtures, 'mnist-8', 'test_data_set_0', 'input_0.pb')).tensor));
    const wrongName = await cli('run', mnist, '--input', `pixels=${input}`);
    expect(wrongName.code).toBe(2); // usage
    expect(wrongName.err.trim()).toBe(`qint: --input pixels=${input}: the model has no input named "pixels"; its inputs are Input3`);

    const { Tensor } = await import('@qint/tensor');
    writeFileSync(input, writeNpy(Tensor.zeros('float32', [1, 1, 27, 28])));
    const wrongShape = await cli('run', mnist, '--input', input, '--backend', 'js');
    expect(wrongShape.code).toBe(3);
    expect(wrongShape.err.split('\n').filter(Boolean)).toHaveLength(1);
    expect(wrongShape.err).toMatch(/^qint: .*Input3.*28/);

    const noInput = await cli('run', mnist, '--backend', 'js');
    expect(noInput.err.trim()).toBe('qint: missing --input for Input3 (give each as <name>=<file.npy>)');

    const badBackend = await cli('run', mnist, '--backend', 'gpu');
    expect(badBackend.err.trim()).toBe('qint: backend must be "js" or "wasm", got "gpu"');
  });
});

describe('qint conformance', () => {
  it('runs ONNX node cases, one line each, and exits 0 when all pass', async () => {
    const complex = join(__dirname, '__fixtures__', 'complex-identity');
    const { code, out } = await cli('conformance', join(onnxNode, 'test_qlinearconv'), join(onnxNode, 'test_matmulinteger'), complex, '--backend', 'js');
    expect(out.split('\n').filter(Boolean)).toEqual([
      'PASS test_qlinearconv',
      'PASS test_matmulinteger',
      expect.stringMatching(/^SKIP complex-identity \(unsupported-type\): .*COMPLEX64.*which qint cannot hold/),
      '2 passed, 0 failed, 1 skipped (js, rtol 0.001, atol 1e-7): 1 unsupported-type',
    ]);
    expect(code).toBe(0);
  });

  it('reports the max error of a wrong case, honours --rtol/--atol, and summarises in --json', async () => {
    const shifted = join(scratch, 'test_relu_shifted');
    cpSync(join(onnxNode, 'test_relu'), shifted, { recursive: true });
    // Expected output relu(x) + 0.01: every element is off by exactly 0.01 (in float32).
    const out0 = loadTensorPb(join(shifted, 'test_data_set_0', 'output_0.pb')).tensor;
    const bumped = Float32Array.from(out0.values() as ArrayLike<number>, (v) => v + 0.01);
    writeFileSync(join(shifted, 'test_data_set_0', 'output_0.pb'), encodeTensor(Tensor.from('float32', out0.shape, bumped), 'y'));
    const exact = Math.max(...Array.from(bumped, (v, i) => Math.abs(v - Math.max(0, (loadTensorPb(join(shifted, 'test_data_set_0', 'input_0.pb')).tensor.values() as ArrayLike<number>)[i]))));
    const strict = await cli('conformance', shifted, '--backend', 'js', '--json');
    expect(strict.code).toBe(1);
    const report = JSON.parse(strict.out);
    expect(report.summary).toMatchObject({ backend: 'js', rtol: 1e-3, atol: 1e-7, total: 1, passed: 0, failed: 1, skipped: 0, byReason: { wrong: 1, 'unsupported-op': 0 } });
    expect(report.cases[0]).toMatchObject({ name: 'test_relu_shifted', status: 'fail', reason: 'wrong' });
    expect(report.cases[0].maxAbsError).toBeCloseTo(exact, 7);
    const text = await cli('conformance', shifted, '--backend', 'js');
    expect(text.out).toMatch(/^FAIL test_relu_shifted \(wrong\): test_data_set_0 output 0 \(y\): .* \[max abs error 0\.0100/m);
    const loose = await cli('conformance', shifted, '--backend', 'js', '--atol', '0.011');
    expect(loose.code).toBe(0);
    expect(loose.out).toMatch(/^PASS test_relu_shifted$/m);
    const bad = await cli('conformance', shifted, '--rtol', 'x');
    expect(bad.code).toBe(2); // usage
    expect(bad.err).toMatch(/--rtol must be a number/);
  });

  it('exits 1 and names the output when a case does not match', async () => {
    const broken = join(scratch, 'test_relu_broken');
    cpSync(join(onnxNode, 'test_relu'), broken, { recursive: true });
    // Replace the expected output with the input: relu(x) != x wherever x < 0.
    cpSync(join(broken, 'test_data_set_0', 'input_0.pb'), join(broken, 'test_data_set_0', 'output_0.pb'));
    const { code, out } = await cli('conformance', broken, '--backend', 'wasm', '--json');
    expect(code).toBe(1);
    const report = JSON.parse(out);
    expect(report).toMatchObject({ passed: 0, failed: 1, skipped: 0 });
    expect(report.cases[0]).toMatchObject({ name: 'test_relu_broken', status: 'fail' });
    expect(report.cases[0].detail).toMatch(/test_data_set_0 output 0/);
  });

  it('refuses a folder without cases', async () => {
    const empty = mkdtempSync(join(scratch, 'empty-'));
    const { code, err } = await cli('conformance', empty);
    expect(code).toBe(3);
    expect(err).toMatch(/no model\.onnx/);
  });
});

describe('qint (program)', () => {
  it('prints usage errors and help', async () => {
    const unknown = await cli('frobnicate');
    expect(unknown.code).not.toBe(0);
    expect(unknown.err).toMatch(/unknown command 'frobnicate'/);
    const help = await cli('run', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('Examples:');
  });
});
