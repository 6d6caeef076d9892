import { join } from 'node:path';
import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { OnnxError } from './onnx-error';
import { compareTensors } from './compare-tensors';
import { loadTestCase } from './load-test-case';
import { runTestCase } from './run-test-case';

const NODE = join(__dirname, '../test/__fixtures__/onnx-node');

describe('compareTensors', () => {
  it('compares integers exactly whatever the tolerance', () => {
    const e = Tensor.from('int8', [3], [1, 2, 3]);
    expect(compareTensors(Tensor.from('int8', [3], [1, 2, 3]), e, 1, 1).pass).toBe(true);
    const off = compareTensors(Tensor.from('int8', [3], [1, 2, 4]), e, 1, 1);
    expect(off).toMatchObject({ pass: false, mismatches: 1, maxAbsError: 1 });
    expect(off.message).toMatch(/element 2: got 4, expected 3/);
  });

  it('compares floats with atol + rtol·|expected|, NaN equal to NaN', () => {
    const e = Tensor.from('float32', [3], [1000, 0, NaN]);
    expect(compareTensors(Tensor.from('float32', [3], [1000.009, 0, NaN]), e, 1e-5, 0).pass).toBe(true);
    expect(compareTensors(Tensor.from('float32', [3], [1000.02, 0, NaN]), e, 1e-5, 0).pass).toBe(false);
    expect(compareTensors(Tensor.from('float32', [3], [1000, 0, 1]), e, 1e-5, 0).pass).toBe(false);
  });

  it('reports dtype and shape mismatches', () => {
    const e = Tensor.from('float32', [2], [1, 2]);
    expect(compareTensors(Tensor.from('float32', [1, 2], [1, 2]), e, 0, 0).message).toMatch(/shape \[1,2\], expected \[2\]/);
    expect(compareTensors(Tensor.from('int32', [2], [1, 2]), e, 0, 0).message).toMatch(/dtype int32, expected float32/);
  });
});

describe('runTestCase', () => {
  it('passes a case that the executor computes correctly and fails when the expected output is altered', async () => {
    const tc = loadTestCase(join(NODE, 'test_relu'));
    expect(tc.dataSets[0].inputs.length).toBe(1);
    expect((await runTestCase(tc, { backend: 'js' })).pass).toBe(true);
    const expected = tc.dataSets[0].outputs[0].tensor!;
    const altered = Tensor.from('float32', expected.shape, Float32Array.from(expected.data as Float32Array, (v, i) => (i === 7 ? v + 1 : v)));
    const bad = await runTestCase({ ...tc, dataSets: [{ ...tc.dataSets[0], outputs: [{ name: 'y', tensor: altered, value: altered }] }] }, { backend: 'js' });
    expect(bad.pass).toBe(false);
    expect(bad.outputs[0]).toMatchObject({ pass: false, mismatches: 1, name: 'y' });
  });

  it('refuses a folder without a model', () => {
    expect(() => loadTestCase(join(NODE, 'no_such_case'))).toThrow(OnnxError);
  });
});
