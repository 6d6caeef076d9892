import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { loadTestCase } from './load-test-case';
import { OnnxError } from './onnx-error';
import type { OnnxTestCase } from './onnx-test-case';
import { runConformanceCase } from './run-conformance-case';
import { testCaseFromFiles } from './test-case-from-files';
import { encodeModel } from './encode-model';
import { encodeTensor } from './encode-tensor';
import { int, len, text } from '../test/helpers/wire';

const NODE = join(__dirname, '../test/__fixtures__/onnx-node');

/** A case folder read into memory, as an archive reader would give it. */
function filesOf(dir: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>([['model.onnx', readFileSync(join(dir, 'model.onnx'))]]);
  for (const set of readdirSync(dir).filter((d) => d.startsWith('test_data_set_'))) {
    for (const f of readdirSync(join(dir, set))) files.set(`${set}/${f}`, readFileSync(join(dir, set, f)));
  }
  return files;
}

const tensorValue = (tensor: Tensor) => ({ value: tensor, tensor });

describe('testCaseFromFiles', () => {
  it('builds the same case as loadTestCase from the folder', () => {
    const dir = join(NODE, 'test_qlinearconv');
    const a = testCaseFromFiles('test_qlinearconv', filesOf(dir));
    const b = loadTestCase(dir);
    expect(a.dataSets.map((s) => s.name)).toEqual(b.dataSets.map((s) => s.name));
    expect(a.dataSets[0].inputs.length).toBe(8);
    a.dataSets[0].inputs.forEach((t, i) => {
      expect(t.tensor!.dtype).toBe(b.dataSets[0].inputs[i].tensor!.dtype);
      expect(Array.from(t.tensor!.values())).toEqual(Array.from(b.dataSets[0].inputs[i].tensor!.values()));
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
    // Identity on a COMPLEX64 input (hand-written protobuf: qint has no complex dtype).
    const valueInfo = [...text(1, 'x'), ...len(2, len(1, int(1, 14)))];
    const out = [...text(1, 'y'), ...len(2, len(1, int(1, 14)))];
    const graph = [...len(1, [...text(1, 'x'), ...text(2, 'y'), ...text(4, 'Identity')]), ...text(2, 'g'), ...len(11, valueInfo), ...len(12, out)];
    const model = new Uint8Array([...int(1, 8), ...len(8, [...text(1, ''), ...int(2, 17)]), ...len(7, graph)]);
    const files = new Map([['model.onnx', model], ['test_data_set_0/input_0.pb', new Uint8Array()], ['test_data_set_0/output_0.pb', new Uint8Array()]]);
    const dir = mkdtempSync(join(tmpdir(), 'qint-complex-'));
    try {
      for (const [f, bytes] of files) {
        mkdirSync(join(dir, f, '..'), { recursive: true });
        writeFileSync(join(dir, f), bytes);
      }
      const fromDir = await runConformanceCase(dir);
      expect(fromDir).toMatchObject({ status: 'skip', reason: 'unsupported-type' });
      const r = await runConformanceCase({ name: 'complex', load: () => testCaseFromFiles('complex', files) });
      expect(r).toMatchObject({ name: 'complex', status: 'skip', reason: 'unsupported-type' });
      expect(r.detail).toMatch(/COMPLEX64.*which qint cannot hold/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('outputs of a random op that differ from the recorded draw are a skip (random); a run-time error still fails', async () => {
    const model = (shape: number[]): Uint8Array =>
      encodeModel({
        irVersion: 8,
        opsetImports: { '': 22 },
        producerName: 'test',
        producerVersion: '0',
        metadata: {},
        graph: {
          name: 'g',
          nodes: [{ name: 'r', opType: 'RandomUniformLike', domain: '', inputs: ['x'], outputs: ['y'], attributes: { seed: { type: 'float', value: 3 } } }],
          initializers: new Map(),
          inputs: [{ name: 'x', dtype: 'float32', shape }],
          outputs: [{ name: 'y', dtype: 'float32', shape }],
          valueInfo: [],
        },
      });
    const x = Tensor.from('float32', [4], [0, 0, 0, 0]);
    // Uniform [0, 1) draws are never all exactly 2.
    const files = new Map([['model.onnx', model([4])], ['test_data_set_0/input_0.pb', encodeTensor(x, 'x')], ['test_data_set_0/output_0.pb', encodeTensor(Tensor.from('float32', [4], [2, 2, 2, 2]), 'y')]]);
    const r = await runConformanceCase(testCaseFromFiles('random', files), { backend: 'js' });
    expect(r).toMatchObject({ status: 'skip', reason: 'random' });
    expect(r.detail).toMatch(/^outputs drawn by RandomUniformLike: test_data_set_0 output 0 \(y\): /);
    // A case with a random op is still a failure when it does not run: here an int8 input where float32 is declared.
    const bad = new Map(files);
    bad.set('test_data_set_0/input_0.pb', encodeTensor(Tensor.from('int8', [4], [0, 0, 0, 0]), 'x'));
    expect(await runConformanceCase(testCaseFromFiles('random-bad', bad), { backend: 'js' })).toMatchObject({ status: 'fail' });
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
    const y = tc.dataSets[0].outputs[0].tensor!;
    // relu(x) with element 3 off by 0.5 and element 5 off by 0.25.
    const off = Float32Array.from(y.values() as ArrayLike<number>, (v, i) => (i === 3 ? v + 0.5 : i === 5 ? v - 0.25 : v));
    const altered: OnnxTestCase = { ...tc, dataSets: [{ ...tc.dataSets[0], outputs: [{ name: 'y', ...tensorValue(Tensor.from('float32', y.shape, off)) }] }] };
    const r = await runConformanceCase(altered, { backend: 'js' });
    expect(r).toMatchObject({ status: 'fail', reason: 'wrong' });
    expect(r.maxAbsError).toBeCloseTo(0.5, 6);
    expect(r.detail).toMatch(/test_data_set_0 output 0 \(y\): 2 of 60 elements differ/);
    expect(await runConformanceCase(altered, { backend: 'js', atol: 0.6 })).toMatchObject({ status: 'pass' });
  });

  it('an error at run time after a successful load is a failure (run-error)', async () => {
    const tc = loadTestCase(join(NODE, 'test_add'));
    // Feeding a [2]-shaped second input cannot broadcast with [3,4,5].
    const set = tc.dataSets[0];
    const bad: OnnxTestCase = { ...tc, dataSets: [{ ...set, inputs: [set.inputs[0], { name: 'y', ...tensorValue(Tensor.from('float32', [2], [1, 2])) }] }] };
    const r = await runConformanceCase(bad, { backend: 'js' });
    expect(r).toMatchObject({ status: 'fail', reason: 'run-error' });
    expect(r.detail).toMatch(/^test_data_set_0: /);
  });

  it('a case that does not load for another reason is a failure (load-error)', async () => {
    const r = await runConformanceCase({ name: 'test_broken', load: () => testCaseFromFiles('test_broken', new Map([['model.onnx', new Uint8Array([0xff, 0xff, 0xff])]])) });
    expect(r).toMatchObject({ name: 'test_broken', status: 'fail', reason: 'load-error' });
  });
});
