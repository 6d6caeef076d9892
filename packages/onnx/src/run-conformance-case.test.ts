import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { loadTestCase } from './load-test-case';
import { OnnxError } from './onnx-error';
import { onnxTypes } from './proto/onnx-schema';
import type { OnnxTestCase } from './onnx-test-case';
import { runConformanceCase } from './run-conformance-case';
import { testCaseFromFiles } from './test-case-from-files';

const NODE = join(__dirname, '../test/__fixtures__/onnx-node');

/** A case folder read into memory, as an archive reader would give it. */
function filesOf(dir: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>([['model.onnx', readFileSync(join(dir, 'model.onnx'))]]);
  for (const set of readdirSync(dir).filter((d) => d.startsWith('test_data_set_'))) {
    for (const f of readdirSync(join(dir, set))) files.set(`${set}/${f}`, readFileSync(join(dir, set, f)));
  }
  return files;
}

describe('testCaseFromFiles', () => {
  it('builds the same case as loadTestCase from the folder', () => {
    const dir = join(NODE, 'test_qlinearconv');
    const a = testCaseFromFiles('test_qlinearconv', filesOf(dir));
    const b = loadTestCase(dir);
    expect(a.dataSets.map((s) => s.name)).toEqual(b.dataSets.map((s) => s.name));
    expect(a.dataSets[0].inputs.length).toBe(8);
    a.dataSets[0].inputs.forEach((t, i) => {
      const [ta, tb] = [t.value as Tensor, b.dataSets[0].inputs[i].value as Tensor];
      expect(ta.dtype).toBe(tb.dtype);
      expect(Array.from(ta.values())).toEqual(Array.from(tb.values()));
    });
    expect(a.model.graph.nodes.map((n) => n.opType)).toEqual(['QLinearConv']);
  });

  it('refuses a case without a model or without data', () => {
    expect(() => testCaseFromFiles('x', new Map())).toThrow(/test case "x" has no model.onnx/);
    const model = filesOf(join(NODE, 'test_relu')).get('model.onnx') as Uint8Array;
    expect(() => testCaseFromFiles('x', new Map([['model.onnx', model]]))).toThrow(OnnxError);
  });
});

describe('runConformanceCase', () => {
  it('passes a correct case and reports its error size', async () => {
    const r = await runConformanceCase(join(NODE, 'test_relu'), { backend: 'js' });
    expect(r).toMatchObject({ name: 'test_relu', status: 'pass', maxAbsError: 0 });
  });

  it('a value type qint cannot hold is a skip (unsupported-type), from a folder or a loader', async () => {
    // A one-node Identity model whose input and output are maps (int64 → float tensor), which qint does not hold.
    const seq = { mapType: { keyType: 7, valueType: { tensorType: { elemType: 1 } } } };
    const model = onnxTypes()
      .ModelProto.encode({
        irVersion: 8,
        opsetImport: [{ domain: '', version: 17 }],
        graph: { name: 'g', node: [{ opType: 'Identity', input: ['x'], output: ['y'] }], input: [{ name: 'x', type: seq }], output: [{ name: 'y', type: seq }] },
      })
      .finish();
    const dir = mkdtempSync(join(tmpdir(), 'qint-map-case-'));
    try {
      mkdirSync(join(dir, 'test_data_set_0'));
      writeFileSync(join(dir, 'model.onnx'), model);
      const fromDir = await runConformanceCase(dir);
      expect(fromDir).toMatchObject({ status: 'skip', reason: 'unsupported-type' });
      expect(fromDir.detail).toMatch(/graph input\[0\] "x" is a map/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const r = await runConformanceCase({ name: 'seq', load: () => testCaseFromFiles('seq', new Map([['model.onnx', model]])) });
    expect(r).toMatchObject({ name: 'seq', status: 'skip', reason: 'unsupported-type' });
  });

  it('a missing operator is a failure (unsupported-op) naming it', async () => {
    const tc = loadTestCase(join(NODE, 'test_relu'));
    const node = { ...tc.model.graph.nodes[0], opType: 'Frobnicate' };
    const broken: OnnxTestCase = { ...tc, model: { ...tc.model, graph: { ...tc.model.graph, nodes: [node] } } };
    const r = await runConformanceCase(broken, { backend: 'js' });
    expect(r).toMatchObject({ status: 'fail', reason: 'unsupported-op', ops: ['Frobnicate'] });
  });

  it('a wrong answer is a failure with the largest errors; tolerances apply', async () => {
    const tc = loadTestCase(join(NODE, 'test_relu'));
    const y = tc.dataSets[0].outputs[0].tensor as Tensor;
    // relu(x) with element 3 off by 0.5 and element 5 off by 0.25.
    const off = Float32Array.from(y.values() as ArrayLike<number>, (v, i) => (i === 3 ? v + 0.5 : i === 5 ? v - 0.25 : v));
    const altered: OnnxTestCase = { ...tc, dataSets: [{ ...tc.dataSets[0], outputs: [{ name: 'y', value: Tensor.from('float32', y.shape, off) }] }] };
    const r = await runConformanceCase(altered, { backend: 'js' });
    expect(r).toMatchObject({ status: 'fail', reason: 'wrong' });
    expect(r.maxAbsError).toBeCloseTo(0.5, 6);
    expect(r.detail).toMatch(/test_data_set_0 output 0 \(y\): 2 of 60 elements differ/);
    expect(await runConformanceCase(altered, { backend: 'js', atol: 0.6 })).toMatchObject({ status: 'pass' });
  });

  it('a random op whose draws differ is a skip (random-output) if dtypes and shapes match, else wrong', async () => {
    const tc = loadTestCase(join(NODE, 'test_relu'));
    const node = { ...tc.model.graph.nodes[0], opType: 'RandomUniformLike', attributes: { seed: { type: 'float' as const, value: 1 } } };
    const random: OnnxTestCase = { ...tc, model: { ...tc.model, graph: { ...tc.model.graph, nodes: [node] } } };
    const r = await runConformanceCase(random, { backend: 'js' });
    expect(r).toMatchObject({ status: 'skip', reason: 'random-output' });
    expect(r.detail).toMatch(/^random draws, not checkable by value; test_data_set_0 output 0/);
    const y = tc.dataSets[0].outputs[0].tensor as Tensor;
    const reshaped: OnnxTestCase = { ...random, dataSets: [{ ...tc.dataSets[0], outputs: [{ name: 'y', value: y.reshape([60]) }] }] };
    expect(await runConformanceCase(reshaped, { backend: 'js' })).toMatchObject({ status: 'fail', reason: 'wrong' });
  });

  it('an error at run time after a successful load is a failure (run-error)', async () => {
    const tc = loadTestCase(join(NODE, 'test_add'));
    // Feeding a [2]-shaped second input cannot broadcast with [3,4,5].
    const set = tc.dataSets[0];
    const bad: OnnxTestCase = { ...tc, dataSets: [{ ...set, inputs: [set.inputs[0], { name: 'y', value: Tensor.from('float32', [2], [1, 2]) }] }] };
    const r = await runConformanceCase(bad, { backend: 'js' });
    expect(r).toMatchObject({ status: 'fail', reason: 'run-error' });
    expect(r.detail).toMatch(/^test_data_set_0: /);
  });

  it('a case that does not load for another reason is a failure (load-error)', async () => {
    const r = await runConformanceCase({ name: 'test_broken', load: () => testCaseFromFiles('test_broken', new Map([['model.onnx', new Uint8Array([0xff, 0xff, 0xff])]])) });
    expect(r).toMatchObject({ name: 'test_broken', status: 'fail', reason: 'load-error' });
  });
});
