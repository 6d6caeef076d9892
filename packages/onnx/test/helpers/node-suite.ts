// The vendored ONNX node suite (test/__fixtures__/onnx-node-suite) and its expectation file, shared by the suite test
// and the scripts that regenerate the expectations and the coverage table.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConformanceResult } from '../../src/index';
import { readTarGz } from './read-tar-gz';

export const SUITE_ARCHIVE = join(__dirname, '..', '__fixtures__', 'onnx-node-suite', 'onnx-node-v1.22.0-full.tar.gz');
export const EXPECTED_FILE = join(__dirname, '..', 'node-suite-expected.txt');

const CASE_FILE = /(?:^|\/)(test_[^/]+)\/(model\.onnx|test_data_set_\d+\/[^/]+\.pb)$/;

/** case name → (path relative to the case folder → bytes), sorted by case name. */
export function readSuiteCases(archive = SUITE_ARCHIVE): Map<string, Map<string, Uint8Array>> {
  const cases = new Map<string, Map<string, Uint8Array>>();
  for (const [path, bytes] of readTarGz(readFileSync(archive))) {
    const m = CASE_FILE.exec(path);
    if (m === null) continue;
    let files = cases.get(m[1]);
    if (files === undefined) cases.set(m[1], (files = new Map()));
    files.set(m[2], bytes);
  }
  return new Map([...cases.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** `pass`, `skip unsupported-type`, `fail unsupported-op`, ...: what the test compares. */
export type OutcomeKind = string;

/** One backend's outcome as written in the expectation file: its kind, then `: ` and a short detail. */
export function formatOutcome(r: ConformanceResult): string {
  if (r.status === 'pass') return 'pass';
  const kind = `${r.status} ${r.reason}`;
  let detail = r.detail ?? '';
  if (r.reason === 'unsupported-type') {
    const m = /element type (\w+)|is (a sequence|an optional|a map|a sparse tensor|not a tensor)|data type (\w+)/.exec(detail);
    detail = m === null ? detail : (m[1] ?? m[3] ?? m[2].replace(/^an? /, ''));
  } else if (r.reason === 'unsupported-op') {
    detail = (r.ops ?? []).join(', ');
    const why = /\]: ([^;]*)/.exec(r.detail ?? '');
    if (why !== null) detail += ` (${why[1]})`;
  } else if (r.reason === 'wrong' || r.reason === 'random-output') {
    const bad = r.outputs?.find((o) => !o.pass);
    const size = bad === undefined || Number.isNaN(bad.maxAbsError) ? (bad?.message ?? '') : `${bad.mismatches} mismatches, max finite abs error ${bad.maxAbsError.toPrecision(2)}`;
    detail = `${bad?.name ?? '?'}: ${size}`;
  }
  detail = detail.replace(/\s+/g, ' ').trim();
  if (detail.length > 150) detail = `${detail.slice(0, 147)}...`;
  return detail === '' ? kind : `${kind}: ${detail}`;
}

/** The comparable part of a formatted outcome. */
export function outcomeKind(outcome: string): OutcomeKind {
  return outcome.split(':')[0].trim();
}

export type Backend = 'js' | 'wasm';

/** A line: `<case> <outcome>` when both backends agree, else `<case> js: <outcome> || wasm: <outcome>`. */
export function formatLine(name: string, js: string, wasm: string): string {
  return js === wasm ? `${name} ${js}` : `${name} js: ${js} || wasm: ${wasm}`;
}

/** Parses the expectation file: case → backend → formatted outcome. `#` lines and blank lines are comments. */
export function readExpected(path = EXPECTED_FILE): Map<string, Record<Backend, string>> {
  const out = new Map<string, Record<Backend, string>>();
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '' || line.startsWith('#')) return;
      const m = /^(\S+) (.*)$/.exec(line);
      if (m === null) throw new Error(`${path}:${i + 1}: expected "<case> <outcome>"`);
      const split = /^js: (.*) \|\| wasm: (.*)$/.exec(m[2]);
      out.set(m[1], split === null ? { js: m[2], wasm: m[2] } : { js: split[1], wasm: split[2] });
    });
  return out;
}

export const EXPECTED_HEADER = [
  '# Expected outcome of every ONNX node test case (onnx v1.22.0, test/__fixtures__/onnx-node-suite) on qint, per backend.',
  '# One line per case: "<case> <outcome>" when js and wasm agree, else "<case> js: <outcome> || wasm: <outcome>".',
  '# <outcome> is "pass", "skip unsupported-type: ..." (a value type qint cannot hold: element type, sequence, optional),',
  '# "skip random-output: ..." (a random op drew other values: not checkable by value),',
  '# or "fail <reason>: ..." with reason unsupported-op, load-error, run-error or wrong (see ConformanceReason).',
  '# test/node-suite.test.ts fails when a "pass" case does not pass, and on any wrong answer or run-time error not listed here.',
  '# Regenerate with: pnpm --filter @qint/onnx conformance:update (then review the diff: it must not turn pass into fail).',
];
