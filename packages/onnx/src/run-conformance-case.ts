import { InferenceSession, UnsupportedOpError, allSubgraphs, type Value } from '@qint/graph';
import { compareValues } from './compare-values';
import type { ConformanceResult } from './conformance-result';
import { loadTestCase } from './load-test-case';
import type { OnnxTestCase, OutputComparison, RunTestCaseOptions } from './onnx-test-case';
import { OnnxError } from './onnx-error';
import { resolveBackend } from './run-test-case';

/**
 * Messages of the decoder's refusals of value types qint cannot hold: an element type (`... which qint cannot hold`),
 * a sequence, an optional, a map or a sparse tensor (`... is a sequence; qint graphs take and return dense tensors only`).
 */
const UNSUPPORTED_TYPE = /which qint cannot hold|is (?:a sequence|an optional|a map|a sparse tensor|not a tensor); qint graphs take/;

/** A case loaded on demand (e.g. from an archive), so that its decoding errors are classified too. */
export interface ConformanceCaseLoader {
  readonly name: string;
  readonly load: () => OnnxTestCase;
}

function message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

function isUnsupportedType(error: unknown): boolean {
  return error instanceof OnnxError && UNSUPPORTED_TYPE.test(error.message);
}

/** Ops whose outputs are random draws: a case using them cannot be checked by value. */
const RANDOM_OPS = new Set(['Bernoulli', 'RandomUniform', 'RandomNormal', 'RandomUniformLike', 'RandomNormalLike', 'Multinomial']);

function opName(domain: string, opType: string): string {
  return domain === '' || domain === 'ai.onnx' ? opType : `${domain}::${opType}`;
}

/**
 * Runs one ONNX backend test case and classifies the outcome the same way everywhere (the `qint conformance` command,
 * the node-suite test): `pass`; `skip` when the case uses a value type qint cannot hold (tensor element type, sequence
 * or optional), or when a graph with a random op gives outputs of the right dtypes and shapes but other draws; `fail` for a missing operator, a load error, a run-time error after a successful load, or a wrong
 * answer. Never throws for a case's own problems: every outcome is a result.
 *
 * @param source - a case folder, a loaded case, or a name and a function that loads it (its errors are classified too)
 * @param options - backend and tolerances (rtol 1e-3, atol 1e-7 by default, as ONNX's backend tests)
 * @returns the outcome, with the largest errors for cases that ran
 * @throws {@link OnnxError} only when `options.backend` names no backend
 * @example
 * ```ts
 * const r = await runConformanceCase('onnx-node/test_abs', { backend: 'js' });
 * if (r.status === 'fail') console.log(r.reason, r.detail);
 * ```
 */
export async function runConformanceCase(
  source: string | OnnxTestCase | ConformanceCaseLoader,
  options: RunTestCaseOptions = {},
): Promise<ConformanceResult> {
  const rtol = options.rtol ?? 1e-3;
  const atol = options.atol ?? 1e-7;
  const backend = await resolveBackend(options.backend);
  const fallbackName = typeof source === 'string' ? (source.split(/[\\/]/).filter(Boolean).pop() ?? source) : source.name;
  let tc: OnnxTestCase;
  try {
    tc = typeof source === 'string' ? loadTestCase(source) : 'load' in source ? source.load() : source;
  } catch (error) {
    return isUnsupportedType(error)
      ? { name: fallbackName, status: 'skip', reason: 'unsupported-type', detail: message(error) }
      : { name: fallbackName, status: 'fail', reason: 'load-error', detail: message(error) };
  }
  const name = tc.name;
  let session: InferenceSession;
  try {
    session = InferenceSession.create(tc.model, backend === undefined ? {} : { backend });
  } catch (error) {
    if (error instanceof UnsupportedOpError) {
      const ops = [...new Set(error.ops.map((o) => opName(o.domain, o.opType)))];
      return { name, status: 'fail', reason: 'unsupported-op', detail: message(error), ops };
    }
    if (isUnsupportedType(error)) return { name, status: 'skip', reason: 'unsupported-type', detail: message(error) };
    return { name, status: 'fail', reason: 'load-error', detail: message(error) };
  }
  const feedNames = session.requiredInputs.map((vi) => vi.name);
  const outputNames = session.outputNames;
  const outputs: OutputComparison[] = [];
  for (const set of tc.dataSets) {
    if (set.inputs.length > feedNames.length) {
      return { name, status: 'fail', reason: 'load-error', detail: `${set.name} has ${set.inputs.length} inputs but the graph takes ${feedNames.length}` };
    }
    const feeds: Record<string, Value> = {};
    set.inputs.forEach((input, i) => {
      feeds[feedNames[i]] = input.value;
    });
    let result: Record<string, Value>;
    try {
      result = session.runValues(feeds);
    } catch (error) {
      return { name, status: 'fail', reason: 'run-error', detail: `${set.name}: ${message(error)}` };
    }
    set.outputs.forEach((expected, i) => {
      const out = outputNames[i] ?? expected.name;
      outputs.push({ dataSet: set.name, index: i, name: out, ...compareValues(result[out], expected.value, rtol, atol) });
    });
  }
  let maxAbsError = 0;
  let maxRelError = 0;
  for (const o of outputs) {
    maxAbsError = Number.isNaN(o.maxAbsError) || Number.isNaN(maxAbsError) ? NaN : Math.max(maxAbsError, o.maxAbsError);
    maxRelError = Number.isNaN(o.maxRelError) || Number.isNaN(maxRelError) ? NaN : Math.max(maxRelError, o.maxRelError);
  }
  const bad = outputs.find((o) => !o.pass);
  if (bad === undefined) return { name, status: 'pass', maxAbsError, maxRelError, outputs };
  const detail = `${bad.dataSet} output ${bad.index} (${bad.name}): ${bad.message ?? `${bad.mismatches} mismatches`}`;
  // Values of a random draw (in the graph or any subgraph) differ; a dtype or shape difference (NaN errors) is wrong still.
  const random = [tc.model.graph, ...allSubgraphs(tc.model.graph).map((s) => s.graph)].some((g) => g.nodes.some((n) => (n.domain === '' || n.domain === 'ai.onnx') && RANDOM_OPS.has(n.opType)));
  if (random && outputs.every((o) => o.pass || !Number.isNaN(o.maxAbsError))) {
    return { name, status: 'skip', reason: 'random-output', detail: `random draws, not checkable by value; ${detail}`, maxAbsError, maxRelError, outputs };
  }
  return { name, status: 'fail', reason: 'wrong', detail, maxAbsError, maxRelError, outputs };
}
