// PyTorch-exported fixtures (scripts/export-torch-fixtures.py): qint's outputs must match PyTorch's within 1e-4.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel, runTestCase } from '../src/index';
import { BACKENDS } from './helpers/backends';

const TORCH = join(__dirname, '__fixtures__', 'torch');
const NAMES = ['mlp', 'cnn-bn', 'transformer'];

describe('torch fixtures', () => {
  it.each(NAMES)('%s exists, is under 500 KB and uses the ops it was written to cover', (name) => {
    const file = join(TORCH, name, 'model.onnx');
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file).length).toBeLessThan(500 * 1024);
    const ops = new Set(loadModel(file).graph.nodes.map((n) => n.opType));
    const expected = { mlp: ['Gemm', 'Relu'], 'cnn-bn': ['Conv', 'BatchNormalization', 'MaxPool', 'Relu', 'Gemm'], transformer: ['LayerNormalization', 'Softmax', 'Erf', 'MatMul'] }[name]!;
    for (const op of expected) expect(ops).toContain(op);
  });
});

for (const [backend, get] of BACKENDS) {
  describe(`torch fixtures on the ${backend} backend match PyTorch (1e-4)`, () => {
    it.each(NAMES)('%s', async (name) => {
      const result = await runTestCase(join(TORCH, name), { backend: await get(), rtol: 1e-4, atol: 1e-4 });
      expect(result.outputs.length).toBe(2);
      expect(result.outputs.filter((o) => !o.pass).map((o) => `${o.dataSet}: ${o.message}`)).toEqual([]);
    });
  });
}
