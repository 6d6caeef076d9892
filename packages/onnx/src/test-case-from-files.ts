import { tensorFromProto } from './decode-tensor';
import { decodeModel } from './decode-model';
import type { NamedTensor } from './named-tensor';
import type { OnnxTestCase, OnnxTestDataSet } from './onnx-test-case';
import { OnnxError } from './onnx-error';
import { decodeProto } from './proto/decode-proto';
import type { TensorProto } from './proto/proto-messages';

const TENSOR_FILE = /^test_data_set_(\d+)\/(input|output)_(\d+)\.pb$/;

function decodeNamedTensor(bytes: Uint8Array, what: string): NamedTensor {
  const msg = decodeProto<TensorProto>('TensorProto', bytes, what);
  const name = typeof msg.name === 'string' ? msg.name : '';
  return { name, tensor: tensorFromProto(msg, {}, `tensor ${JSON.stringify(name)} in ${what}`) };
}

/**
 * Builds an ONNX backend test case from its files held in memory (e.g. read from an archive, or fetched in a
 * browser): `model.onnx` and `test_data_set_N/input_M.pb` / `output_M.pb`, keyed by their path relative to the case
 * folder. Other files are ignored. Works without Node's `fs`.
 *
 * @param name - the case's name (e.g. `test_abs`)
 * @param files - relative path → bytes
 * @returns the model and data sets, in index order (`dir` is `''`)
 * @throws {@link OnnxError} when `model.onnx` or every data set is missing, or a file does not decode (including data
 *   types qint cannot hold)
 * @example
 * ```ts
 * const tc = testCaseFromFiles('test_abs', new Map([['model.onnx', model], ['test_data_set_0/input_0.pb', x], ['test_data_set_0/output_0.pb', y]]));
 * await runTestCase(tc, { backend: 'js' });
 * ```
 */
export function testCaseFromFiles(name: string, files: ReadonlyMap<string, Uint8Array>): OnnxTestCase {
  const modelBytes = files.get('model.onnx');
  if (modelBytes === undefined) throw new OnnxError(`test case ${JSON.stringify(name)} has no model.onnx`);
  const model = decodeModel(modelBytes);
  const sets = new Map<number, { inputs: [number, NamedTensor][]; outputs: [number, NamedTensor][] }>();
  for (const [path, bytes] of files) {
    const m = TENSOR_FILE.exec(path);
    if (m === null) continue;
    const index = Number(m[1]);
    let set = sets.get(index);
    if (set === undefined) sets.set(index, (set = { inputs: [], outputs: [] }));
    const tensor = decodeNamedTensor(bytes, `tensor file ${JSON.stringify(`${name}/${path}`)}`);
    (m[2] === 'input' ? set.inputs : set.outputs).push([Number(m[3]), tensor]);
  }
  if (sets.size === 0) throw new OnnxError(`test case ${JSON.stringify(name)} has no test_data_set_* tensors`);
  const byIndex = (a: [number, unknown], b: [number, unknown]): number => a[0] - b[0];
  const dataSets: OnnxTestDataSet[] = [...sets.entries()]
    .sort(byIndex)
    .map(([index, set]) => ({
      name: `test_data_set_${index}`,
      inputs: set.inputs.sort(byIndex).map(([, t]) => t),
      outputs: set.outputs.sort(byIndex).map(([, t]) => t),
    }));
  return { name, dir: '', model, dataSets };
}
