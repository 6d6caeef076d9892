// Replays the single-op graphs of the indexing, detection and tensor-manipulation ops whose outputs onnxruntime-node
// computed (scripts/make-ort-fixtures-ops.mjs) through the qint executor (plain TS ops: the same on the WASM
// backend, which `qint conformance --backend wasm` checks on the ONNX suite). Integer and bool outputs
// must match exactly; float outputs within atol 1e-5 + rtol 1e-4 (ORT computes in float32 with its own order;
// qint rounds each result once from float64).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor, type DType } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { createSession } from '../src/inference-session';
import type { Attribute, Model } from '../src/ir';

interface TensorSpec {
  dtype: DType;
  shape: number[];
  values: number[];
}
interface OrtCase {
  name: string;
  opType: string;
  opset: number;
  attributes: Record<string, Attribute>;
  inputs: Record<string, TensorSpec>;
  init: Record<string, TensorSpec>;
  order: string[];
  outputs: number;
  expected: TensorSpec[];
}

const fixture = JSON.parse(readFileSync(join(__dirname, '__fixtures__', 'ort-ops-cases.json'), 'utf8')) as { oracle: string; cases: OrtCase[] };

const toTensor = (s: TensorSpec): Tensor => Tensor.from(s.dtype, s.shape, s.dtype === 'int64' ? s.values.map((v) => BigInt(v)) : s.values);

function modelOf(c: OrtCase): Model {
  const outputs = Array.from({ length: c.outputs }, (_, i) => `Y${i}`);
  return {
    irVersion: 10,
    opsetImports: { '': c.opset },
    producerName: 'test',
    producerVersion: '0',
    metadata: {},
    graph: {
      name: c.name,
      nodes: [{ name: c.name, opType: c.opType, domain: '', inputs: c.order, outputs, attributes: c.attributes }],
      initializers: new Map(Object.entries(c.init).map(([k, v]) => [k, toTensor(v)])),
      inputs: Object.entries(c.inputs).map(([name, v]) => ({ name, dtype: v.dtype, shape: v.shape })),
      outputs: outputs.map((name) => ({ name })),
      valueInfo: [],
    },
  };
}

{
  describe(`indexing/detection ops against ${fixture.oracle}`, () => {
    it('has the cases', () => expect(fixture.cases.length).toBeGreaterThan(50));
    for (const c of fixture.cases) {
      it(c.name, () => {
        const result = createSession(modelOf(c)).run(Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, toTensor(v)])));
        c.expected.forEach((e, i) => {
          const got = result[`Y${i}`];
          expect(got.shape, `${c.name} output ${i} shape`).toEqual(e.shape);
          const values = got.toArray();
          if (e.dtype === 'float32') {
            const bad: string[] = [];
            e.values.forEach((v, j) => {
              if (!(Math.abs(values[j] - v) <= 1e-5 + 1e-4 * Math.abs(v))) bad.push(`[${j}] ${values[j]} vs ORT ${v}`);
            });
            expect(bad.slice(0, 5), `${c.name} output ${i}: ${bad.length} of ${e.values.length} differ`).toEqual([]);
          } else {
            expect(got.dtype).toBe(e.dtype);
            expect(values).toEqual(e.values);
          }
        });
      });
    }
  });
}
