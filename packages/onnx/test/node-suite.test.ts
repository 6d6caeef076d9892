// The whole ONNX node suite (1,765 cases, vendored as a tarball) on both backends, against node-suite-expected.txt.
// Fails when a case the file expects to pass does not, or when a case loads and then gives a wrong answer or a
// run-time error that the file does not list. QINT_CONFORMANCE_UPDATE=1 (pnpm conformance:update) rewrites the file.
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runConformanceCase, testCaseFromFiles, type ConformanceResult } from '../src/index';
import { BACKENDS } from './helpers/backends';
import { caseOp, writeCoverageTable } from './helpers/coverage-table';
import { EXPECTED_FILE, EXPECTED_HEADER, formatLine, formatOutcome, outcomeKind, readExpected, readSuiteCases, type Backend } from './helpers/node-suite';

const UPDATE = process.env.QINT_CONFORMANCE_UPDATE === '1';
const cases = readSuiteCases();
const expected = UPDATE ? new Map<string, Record<Backend, string>>() : readExpected();
const actual: Record<Backend, Map<string, string>> = { js: new Map(), wasm: new Map() };

describe('the vendored ONNX node suite', () => {
  it('holds all 1,765 cases, each with a model and data', () => {
    expect(cases.size).toBe(1765);
    for (const [name, files] of cases) {
      expect(files.has('model.onnx'), name).toBe(true);
      expect([...files.keys()].some((f) => f.startsWith('test_data_set_')), name).toBe(true);
    }
  });

  it.skipIf(UPDATE)('the expectation file has exactly one line per case', () => {
    expect([...expected.keys()].sort()).toEqual([...cases.keys()]);
  });
});

for (const [backend, getBackend] of BACKENDS) {
  describe(`the ONNX node suite on the ${backend} backend`, () => {
    it('every case expected to pass passes; no unlisted wrong answer or run-time error', async () => {
      const be = await getBackend();
      const regressions: string[] = [];
      const improved: string[] = [];
      const counts: Record<string, number> = {};
      for (const [name, files] of cases) {
        const r: ConformanceResult = await runConformanceCase({ name, load: () => testCaseFromFiles(name, files) }, { backend: be });
        const got = formatOutcome(r);
        actual[backend].set(name, got);
        counts[outcomeKind(got)] = (counts[outcomeKind(got)] ?? 0) + 1;
        if (UPDATE) continue;
        const want = expected.get(name)?.[backend];
        if (want === undefined) continue; // reported by the one-line-per-case test
        const [gotKind, wantKind] = [outcomeKind(got), outcomeKind(want)];
        if (wantKind === 'pass' && gotKind !== 'pass') regressions.push(`${name}: expected pass, got ${got}`);
        else if ((r.reason === 'wrong' || r.reason === 'run-error') && gotKind !== wantKind) regressions.push(`${name}: ${got} (expected ${want})`);
        else if (gotKind === 'pass' && wantKind !== 'pass') improved.push(name);
      }
      console.log(`node suite on ${backend}: ${JSON.stringify(counts)}`);
      if (improved.length > 0) {
        console.log(`${improved.length} cases now pass on ${backend} that node-suite-expected.txt does not expect to (run pnpm --filter @qint/onnx conformance:update): ${improved.join(', ')}`);
      }
      expect(regressions).toEqual([]);
    });
  });
}

describe.runIf(UPDATE)('conformance:update', () => {
  it('writes node-suite-expected.txt and the coverage table of @qint/graph\'s README', () => {
    const lines = [...cases.keys()].map((name) => formatLine(name, actual.js.get(name) ?? 'missing', actual.wasm.get(name) ?? 'missing'));
    writeFileSync(EXPECTED_FILE, `${[...EXPECTED_HEADER, ...lines].join('\n')}\n`);
    writeCoverageTable(new Map([...cases].map(([name, files]) => [name, caseOp(files.get('model.onnx') as Uint8Array)])), actual);
    const bad = lines.filter((l) => /fail (wrong|run-error)/.test(l));
    if (bad.length > 0) console.warn(`${bad.length} cases give a wrong answer or a run-time error (listed in the file; the goal is none):\n${bad.join('\n')}`);
  });
});
