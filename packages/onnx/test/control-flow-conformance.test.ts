// The ONNX node cases of If, Loop, Scan, the Sequence ops and Optional, on every backend: expected outputs are
// onnx's own test data (sequences and optionals compared element by element).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, loadTestCase, runTestCase } from '../src/index';
import { BACKENDS } from './helpers/backends';

const DIR = join(__dirname, '__fixtures__', 'onnx-node-control-flow');
const cases = readdirSync(DIR).filter((c) => existsSync(join(DIR, c, 'model.onnx')));

describe('control-flow conformance fixtures', () => {
  it('has all 40 cases', () => expect(cases.length).toBe(40));

  it.each(cases)('%s survives ONNX export and re-import (subgraphs, sequence/optional types, TYPE_PROTO attributes)', async (name) => {
    const tc = loadTestCase(join(DIR, name));
    const again = decodeModel(encodeModel(tc.model));
    expect(again.graph.inputs).toEqual(tc.model.graph.inputs);
    expect(again.graph.outputs).toEqual(tc.model.graph.outputs);
    const result = await runTestCase({ ...tc, model: again }, { backend: 'js' });
    expect(result.outputs.filter((o) => !o.pass).map((o) => o.message)).toEqual([]);
  });
});

for (const [backend, getBackend] of BACKENDS) {
  describe(`control-flow node cases on the ${backend} backend`, () => {
    for (const name of cases) {
      it(name, async () => {
        const result = await runTestCase(join(DIR, name), { backend: await getBackend() });
        const failures = result.outputs.filter((o) => !o.pass).map((o) => `${o.dataSet}/${o.name}: ${o.message}`);
        expect(failures).toEqual([]);
        expect(result.outputs.length).toBeGreaterThan(0);
      });
    }
  });
}
