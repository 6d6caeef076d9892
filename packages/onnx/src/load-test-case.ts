import { loadModel } from './load-model';
import { loadValuePb } from './load-tensor-pb';
import type { OnnxTestCase } from './onnx-test-case';
import { nodeFs, nodePath } from './node-builtins';
import { OnnxError } from './onnx-error';

const byIndex = (prefix: string) => (a: string, b: string): number =>
  Number(a.slice(prefix.length).replace(/\.pb$/, '')) - Number(b.slice(prefix.length).replace(/\.pb$/, ''));

function tensorFiles(dir: string, prefix: string): string[] {
  return nodeFs('loadTestCase')
    .readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && /^\w+_\d+\.pb$/.test(f))
    .sort(byIndex(prefix));
}

/**
 * Loads an ONNX backend test case folder: `model.onnx` plus `test_data_set_*` folders of `input_N.pb` / `output_N.pb`.
 * Node only.
 *
 * @param dir - the case folder
 * @returns the model and data sets, in index order
 * @throws {@link OnnxError} when the folder has no model or data sets, or a file does not decode
 * @example
 * ```ts
 * const tc = loadTestCase('onnx-node/test_quantizelinear_int4');
 * tc.dataSets[0].inputs.length; // 3
 * ```
 */
export function loadTestCase(dir: string): OnnxTestCase {
  const { existsSync, readdirSync, statSync } = nodeFs('loadTestCase');
  const { basename, join } = nodePath('loadTestCase');
  const modelPath = join(dir, 'model.onnx');
  if (!existsSync(modelPath)) throw new OnnxError(`test case ${JSON.stringify(dir)} has no model.onnx`);
  const model = loadModel(modelPath);
  const sets = readdirSync(dir)
    .filter((d) => /^test_data_set_\d+$/.test(d) && statSync(join(dir, d)).isDirectory())
    .sort(byIndex('test_data_set_'));
  if (sets.length === 0) throw new OnnxError(`test case ${JSON.stringify(dir)} has no test_data_set_* folder`);
  // Files are fed by position to the inputs without an initializer; their declared types say how each file is stored.
  const g = model.graph;
  const feedTypes = g.inputs.filter((vi) => !g.initializers.has(vi.name)).map((vi) => vi.type);
  const outputTypes = g.outputs.map((vi) => vi.type);
  const dataSets = sets.map((name) => {
    const setDir = join(dir, name);
    return {
      name,
      inputs: tensorFiles(setDir, 'input_').map((f, i) => loadValuePb(join(setDir, f), feedTypes[i])),
      outputs: tensorFiles(setDir, 'output_').map((f, i) => loadValuePb(join(setDir, f), outputTypes[i])),
    };
  });
  return { name: basename(dir), dir, model, dataSets };
}
