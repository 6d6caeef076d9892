import type { Model } from '@qint/graph';
import type { KernelBackend } from '@qint/kernels';
import type { NamedValue } from './named-tensor';

/** One `test_data_set_N` folder: inputs and expected outputs, in file order. */
export interface OnnxTestDataSet {
  readonly name: string;
  readonly inputs: readonly NamedValue[];
  readonly outputs: readonly NamedValue[];
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
