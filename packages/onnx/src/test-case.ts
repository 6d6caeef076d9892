import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InferenceSession, type Model } from '@qint/graph';
import { getBackend, setBackend, type KernelBackend } from '@qint/kernels';
import type { Tensor } from '@qint/tensor';
import { loadModel } from './load-model';
import { loadTensorPb, type NamedTensor } from './load-tensor-pb';
import { OnnxError } from './onnx-error';

/** One `test_data_set_N` folder: inputs and expected outputs, in file order. */
export interface OnnxTestDataSet {
  readonly name: string;
  readonly inputs: readonly NamedTensor[];
  readonly outputs: readonly NamedTensor[];
}

/** An ONNX backend test case: a model and its data sets. */
export interface OnnxTestCase {
  /** The case folder's name, e.g. `test_quantizelinear_int4`. */
  readonly name: string;
  readonly dir: string;
  readonly model: Model;
  readonly dataSets: readonly OnnxTestDataSet[];
}

/** Options of {@link runTestCase}. */
export interface RunTestCaseOptions {
  /**
   * The kernel backend to run on: a backend object, or a name known to @qint/kernels (`'js'`, or one registered with
   * `registerBackend`). Passed to the session; the global selection (`setBackend`) is left unchanged.
   */
  backend?: string | KernelBackend;
  /** Relative tolerance for float outputs (default 1e-3, as ONNX's backend tests). */
  rtol?: number;
  /** Absolute tolerance for float outputs (default 1e-7, as ONNX's backend tests). */
  atol?: number;
}

/** How one output of one data set compared. Integer and bool outputs must match exactly; floats within tolerance. */
export interface OutputComparison {
  readonly dataSet: string;
  readonly index: number;
  readonly name: string;
  readonly pass: boolean;
  /** Elements outside tolerance (or different, for integer types). */
  readonly mismatches: number;
  /** Largest |actual − expected| (0 for exact matches; NaN when shapes or dtypes differ). */
  readonly maxAbsError: number;
  /** Largest |actual − expected| / |expected| over elements with expected ≠ 0. */
  readonly maxRelError: number;
  /** Why it failed, when it did: dtype or shape mismatch, or the first differing element. */
  readonly message?: string;
}

/** The result of {@link runTestCase}. */
export interface TestCaseResult {
  readonly name: string;
  readonly pass: boolean;
  readonly outputs: readonly OutputComparison[];
}

const byIndex = (prefix: string) => (a: string, b: string): number =>
  Number(a.slice(prefix.length).replace(/\.pb$/, '')) - Number(b.slice(prefix.length).replace(/\.pb$/, ''));

function tensorFiles(dir: string, prefix: string): string[] {
  return readdirSync(dir)
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
  const modelPath = join(dir, 'model.onnx');
  if (!existsSync(modelPath)) throw new OnnxError(`test case ${JSON.stringify(dir)} has no model.onnx`);
  const model = loadModel(modelPath);
  const sets = readdirSync(dir)
    .filter((d) => /^test_data_set_\d+$/.test(d) && statSync(join(dir, d)).isDirectory())
    .sort(byIndex('test_data_set_'));
  if (sets.length === 0) throw new OnnxError(`test case ${JSON.stringify(dir)} has no test_data_set_* folder`);
  const dataSets = sets.map((name) => {
    const setDir = join(dir, name);
    return {
      name,
      inputs: tensorFiles(setDir, 'input_').map((f) => loadTensorPb(join(setDir, f))),
      outputs: tensorFiles(setDir, 'output_').map((f) => loadTensorPb(join(setDir, f))),
    };
  });
  return { name: basename(dir), dir, model, dataSets };
}

function isFloat(t: Tensor): boolean {
  return t.dtype === 'float32' || t.dtype === 'float16';
}

/**
 * Compares an actual output with the expected one: exact for integer and bool dtypes, `|a − e| ≤ atol + rtol·|e|`
 * for floats (NaN matches NaN; infinities must be equal).
 *
 * @param actual - what ran
 * @param expected - the reference
 * @param rtol - relative tolerance
 * @param atol - absolute tolerance
 * @returns counts and the largest errors, with a message on failure
 * @example
 * ```ts
 * compareTensors(actual, expected, 1e-3, 1e-7).pass; // true when every element is within tolerance
 * ```
 */
export function compareTensors(
  actual: Tensor | undefined,
  expected: Tensor,
  rtol: number,
  atol: number,
): Omit<OutputComparison, 'dataSet' | 'index' | 'name'> {
  if (actual === undefined) return { pass: false, mismatches: expected.size, maxAbsError: NaN, maxRelError: NaN, message: 'no output produced' };
  if (actual.dtype !== expected.dtype) {
    return { pass: false, mismatches: expected.size, maxAbsError: NaN, maxRelError: NaN, message: `dtype ${actual.dtype}, expected ${expected.dtype}` };
  }
  if (actual.shape.length !== expected.shape.length || actual.shape.some((d, i) => d !== expected.shape[i])) {
    return {
      pass: false,
      mismatches: expected.size,
      maxAbsError: NaN,
      maxRelError: NaN,
      message: `shape [${actual.shape.join(',')}], expected [${expected.shape.join(',')}]`,
    };
  }
  const a = actual.values();
  const e = expected.values();
  const float = isFloat(expected);
  let mismatches = 0;
  let maxAbs = 0;
  let maxRel = 0;
  let first: string | undefined;
  for (let i = 0; i < e.length; i++) {
    const x = a[i];
    const y = e[i];
    let ok: boolean;
    if (!float) ok = x === y;
    else if (Number.isNaN(y)) ok = Number.isNaN(x);
    else if (!Number.isFinite(y)) ok = x === y;
    else ok = Math.abs(x - y) <= atol + rtol * Math.abs(y);
    const diff = Math.abs(x - y);
    if (Number.isFinite(diff)) {
      if (diff > maxAbs) maxAbs = diff;
      if (y !== 0 && diff / Math.abs(y) > maxRel) maxRel = diff / Math.abs(y);
    }
    if (!ok) {
      mismatches++;
      if (first === undefined) first = `element ${i}: got ${x}, expected ${y}`;
    }
  }
  return mismatches === 0
    ? { pass: true, mismatches, maxAbsError: maxAbs, maxRelError: maxRel }
    : { pass: false, mismatches, maxAbsError: maxAbs, maxRelError: maxRel, message: `${mismatches} of ${e.length} elements differ; first at ${first}` };
}

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
  {
    const session = InferenceSession.create(tc.model, backend === undefined ? {} : { backend });
    const initializers = tc.model.graph.initializers;
    const feedNames = session.inputs.filter((vi) => !initializers.has(vi.name)).map((vi) => vi.name);
    const outputNames = session.outputNames;
    const outputs: OutputComparison[] = [];
    for (const set of tc.dataSets) {
      if (set.inputs.length > feedNames.length) {
        throw new OnnxError(`${tc.name}/${set.name} has ${set.inputs.length} inputs but the graph takes ${feedNames.length}`);
      }
      const feeds: Record<string, Tensor> = {};
      set.inputs.forEach((input, i) => {
        feeds[feedNames[i]] = input.tensor;
      });
      const result = session.run(feeds);
      set.outputs.forEach((expected, i) => {
        const name = outputNames[i] ?? expected.name;
        outputs.push({ dataSet: set.name, index: i, name, ...compareTensors(result[name], expected.tensor, rtol, atol) });
      });
    }
    return { name: tc.name, pass: outputs.every((o) => o.pass), outputs };
  }
}

/**
 * A backend object as is; a name through the registry of @qint/kernels (which may create it), leaving the global
 * selection as it was.
 */
async function resolveBackend(backend: string | KernelBackend | undefined): Promise<KernelBackend | undefined> {
  if (backend === undefined || typeof backend !== 'string') return backend;
  const previous = getBackend().backend;
  try {
    return (await setBackend(backend)).backend;
  } finally {
    await setBackend(previous);
  }
}
