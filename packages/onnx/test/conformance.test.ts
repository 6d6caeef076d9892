// Every ONNX node test case on every backend, through the backend-agnostic runner. Skips come from
// conformance-skips.json, one reason per case and backend.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OnnxError, loadTestCase, runTestCase } from '../src/index';
import { BACKENDS } from './helpers/backends';

const NODE = join(__dirname, '__fixtures__', 'onnx-node');
const SKIPS = JSON.parse(readFileSync(join(__dirname, 'conformance-skips.json'), 'utf8')) as Record<string, Record<string, string> | string>;
const cases = readdirSync(NODE).filter((c) => existsSync(join(NODE, c, 'model.onnx')));

describe('conformance fixtures', () => {
  it('has all 90 cases', () => expect(cases.length).toBe(90));

  it('skip lists name existing cases, each with a reason; a case skipped as not representable really cannot be imported', () => {
    for (const [backend] of BACKENDS) {
      const skips = SKIPS[backend] as Record<string, string>;
      for (const [name, reason] of Object.entries(skips)) {
        expect(cases, `${backend} skips unknown case ${name}`).toContain(name);
        expect(reason.length).toBeGreaterThan(10);
        if (/not representable/.test(reason)) expect(() => loadTestCase(join(NODE, name))).toThrow(OnnxError);
      }
    }
  });
});

for (const [backend, getBackend] of BACKENDS) {
  describe(`ONNX node cases on the ${backend} backend`, () => {
    const skips = SKIPS[backend] as Record<string, string>;
    for (const name of cases) {
      if (skips[name] !== undefined) {
        it.skip(`${name} (skipped: ${skips[name]})`, () => undefined);
        continue;
      }
      it(name, async () => {
        const result = await runTestCase(join(NODE, name), { backend: await getBackend() });
        const failures = result.outputs.filter((o) => !o.pass).map((o) => `${o.dataSet}/${o.name}: ${o.message}`);
        expect(failures).toEqual([]);
        expect(result.pass).toBe(true);
      });
    }
  });
}
