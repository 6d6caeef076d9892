// The transformer ops against their references: ONNX node cases of Attention / RotaryEmbedding / RMSNormalization
// (the onnx reference's outputs, tolerance as the suite's), and one-node com.microsoft models whose expected outputs
// onnxruntime-node recorded (float ops to rel 1e-5; QAttention's integer projection is exact on both sides, see
// __fixtures__/ms-ops/make-models.py), on both backends.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTestCase } from '../src/index';
import { BACKENDS } from './helpers/backends';

const SUITE = join(__dirname, '__fixtures__', 'onnx-node-transformer');
const MS = join(__dirname, '__fixtures__', 'ms-ops');
const list = (dir: string) => readdirSync(dir).filter((c) => existsSync(join(dir, c, 'model.onnx')));

describe('transformer fixtures', () => {
  it('are all there', () => {
    expect(list(SUITE).length).toBe(19);
    expect(list(MS).length).toBe(35);
  });
});

for (const [backend, getBackend] of BACKENDS) {
  describe(`transformer ops on the ${backend} backend`, () => {
    for (const name of list(SUITE)) {
      it(name, async () => {
        const result = await runTestCase(join(SUITE, name), { backend: await getBackend() });
        expect(result.outputs.filter((o) => !o.pass).map((o) => `${o.name}: ${o.message}`)).toEqual([]);
        expect(result.outputs.length).toBeGreaterThan(0);
      });
    }
    for (const name of list(MS)) {
      it(`${name} equals onnxruntime`, async () => {
        const result = await runTestCase(join(MS, name), { backend: await getBackend(), rtol: 1e-5, atol: 1e-6 });
        expect(result.outputs.filter((o) => !o.pass).map((o) => `${o.name}: ${o.message}`)).toEqual([]);
        expect(result.outputs.length).toBeGreaterThan(0);
      });
    }
  });
}
