import { decodeModel } from './decode-model';
import { decodeValuePb } from './load-tensor-pb';
import type { NamedValue } from './named-tensor';
import type { OnnxTestCase, OnnxTestDataSet } from './onnx-test-case';
import { OnnxError } from './onnx-error';

const TENSOR_FILE = /^test_data_set_(\d+)\/(input|output)_(\d+)\.pb$/;

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
  // Files are fed by position to the inputs without an initializer; their declared types say how each is stored.
  const g = model.graph;
  const feedTypes = g.inputs.filter((vi) => !g.initializers.has(vi.name)).map((vi) => vi.type);
  const outputTypes = g.outputs.map((vi) => vi.type);
  const sets = new Map<number, { inputs: [number, NamedValue][]; outputs: [number, NamedValue][] }>();
  for (const [path, bytes] of files) {
    const m = TENSOR_FILE.exec(path);
    if (m === null) continue;
    const index = Number(m[1]);
    let set = sets.get(index);
    if (set === undefined) sets.set(index, (set = { inputs: [], outputs: [] }));
    const slot = Number(m[3]);
    const value = decodeValuePb(bytes, `${name}/${path}`, (m[2] === 'input' ? feedTypes : outputTypes)[slot]);
    (m[2] === 'input' ? set.inputs : set.outputs).push([slot, value]);
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
