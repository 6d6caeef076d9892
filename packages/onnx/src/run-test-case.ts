import { InferenceSession, type Value } from '@qint/graph';
import { getBackend, setBackend, type KernelBackend } from '@qint/kernels';
import { compareValues } from './compare-values';
import { loadTestCase } from './load-test-case';
import type { OnnxTestCase, OutputComparison, RunTestCaseOptions, TestCaseResult } from './onnx-test-case';
import { OnnxError } from './onnx-error';

/**
 * Runs an ONNX backend test case on qint's executor and compares every output of every data set. Inputs are fed by
 * position to the graph inputs that are not initializers (as ONNX's backend test runner does); outputs are compared by
 * position.
 *
 * @param source - a case folder, or a case from {@link loadTestCase}
 * @param options - backend and tolerances
 * @returns per-output comparisons; `pass` is true when all passed
 * @throws {@link OnnxError} when the case does not load or has more inputs than the graph
 * @throws the executor's errors (`UnsupportedOpError`, `GraphError`, ...) when the model cannot run
 * @example
 * ```ts
 * const result = await runTestCase('onnx-node/test_qlinearconv', { backend: 'wasm' });
 * if (!result.pass) console.log(result.outputs.filter((o) => !o.pass));
 * ```
 */
export async function runTestCase(source: string | OnnxTestCase, options: RunTestCaseOptions = {}): Promise<TestCaseResult> {
  const tc = typeof source === 'string' ? loadTestCase(source) : source;
  const rtol = options.rtol ?? 1e-3;
  const atol = options.atol ?? 1e-7;
  const backend = await resolveBackend(options.backend);
  const session = InferenceSession.create(tc.model, backend === undefined ? {} : { backend });
  const feedNames = session.requiredInputs.map((vi) => vi.name);
  const outputNames = session.outputNames;
  const outputs: OutputComparison[] = [];
  for (const set of tc.dataSets) {
    if (set.inputs.length > feedNames.length) {
      throw new OnnxError(`${tc.name}/${set.name} has ${set.inputs.length} inputs but the graph takes ${feedNames.length}`);
    }
    const feeds: Record<string, Value> = {};
    set.inputs.forEach((input, i) => {
      feeds[feedNames[i]] = input.value;
    });
    const result = session.runValues(feeds);
    set.outputs.forEach((expected, i) => {
      const name = outputNames[i] ?? expected.name;
      outputs.push({ dataSet: set.name, index: i, name, ...compareValues(result[name], expected.value, rtol, atol) });
    });
  }
  return { name: tc.name, pass: outputs.every((o) => o.pass), outputs };
}

/**
 * A backend object as is; a name through the registry of @qint/kernels (which may create it), leaving the global
 * selection as it was. Internal (shared with runConformanceCase).
 */
export async function resolveBackend(backend: string | KernelBackend | undefined): Promise<KernelBackend | undefined> {
  if (backend === undefined || typeof backend !== 'string') return backend;
  const previous = getBackend().backend;
  try {
    return (await setBackend(backend)).backend;
  } finally {
    await setBackend(previous);
  }
}
