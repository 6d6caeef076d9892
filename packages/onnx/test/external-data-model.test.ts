// External data end to end, with onnxruntime as the oracle: a model written with its weights in a side file loads in
// ORT and in decodeModel, and both give the stored outputs.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceSession } from '@qint/graph';
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxError, decodeModel, encodeModelWithExternalData, loadModel, loadTestCase } from '../src/index';
import { runOrt } from './helpers/ort';

const MODELS = join(__dirname, '__fixtures__', 'models');
const dir = mkdtempSync(join(tmpdir(), 'qint-onnx-extmodel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('models with external data', () => {
  it('super-resolution-10 with weights in model.onnx.data: ORT and qint read the same weights', async () => {
    const original = loadModel(join(MODELS, 'super-resolution-10', 'model.onnx'));
    const { model, data, location } = encodeModelWithExternalData(original, { minBytes: 1024 });
    expect(location).toBe('model.onnx.data');
    expect(model.length).toBeLessThan(10_000); // the 240 KB of weights moved out
    writeFileSync(join(dir, 'model.onnx'), model);
    writeFileSync(join(dir, location), data);

    const decoded = decodeModel(readFileSync(join(dir, 'model.onnx')), { baseDir: dir });
    expect(decoded).toEqual(original);

    // ORT resolves the data file next to the model path; its output must equal the stored reference output.
    const tc = loadTestCase(join(MODELS, 'super-resolution-10'));
    const [ortOut] = await runOrt(join(dir, 'model.onnx'), [tc.dataSets[0].inputs[0].tensor!]);
    const expected = tc.dataSets[0].outputs[0].tensor!.data as Float32Array;
    expect(ortOut.data).toEqual(expected);
  });

  it('mnist-8 from external data runs on qint and matches the stored outputs', () => {
    const original = loadModel(join(MODELS, 'mnist-8', 'model.onnx'));
    const sub = mkdtempSync(join(dir, 'mnist-'));
    const { model, data, location } = encodeModelWithExternalData(original, { location: 'weights/mnist.bin', minBytes: 64, align: 64 });
    rmSync(join(sub, 'weights'), { recursive: true, force: true });
    writeFileSync(join(sub, 'model.onnx'), model);
    expect(() => loadModel(join(sub, 'model.onnx'))).toThrow(OnnxError); // data file not written yet
    mkdirSync(join(sub, 'weights'));
    writeFileSync(join(sub, location), data);
    const session = InferenceSession.create(loadModel(join(sub, 'model.onnx')));
    const tc = loadTestCase(join(MODELS, 'mnist-8'));
    for (const set of tc.dataSets) {
      const out = session.run({ Input3: set.inputs[0].tensor! }).Plus214_Output_0.values();
      const e = set.outputs[0].tensor!.values();
      for (let i = 0; i < e.length; i++) expect(Math.abs(out[i] - e[i])).toBeLessThanOrEqual(1e-5 * Math.abs(e[i]) + 1e-3);
    }
  });

  it('refuses to write a location outside the model folder', () => {
    const m = loadModel(join(MODELS, 'mnist-8', 'model.onnx'));
    for (const location of ['../x.bin', '/tmp/x.bin', 'C:\\x.bin', '']) {
      expect(() => encodeModelWithExternalData(m, { location })).toThrow(OnnxError);
    }
  });
});
