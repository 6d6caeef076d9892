// Replays single-op graphs whose outputs were computed by onnxruntime-node (scripts/make-ort-fixtures.mjs) through
// the qint executor. Integer outputs must match exactly; float outputs within atol 1e-5 + rtol 1e-4 (ORT computes
// in float32 with its own operation order; qint rounds each result from a float64 computation).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor, type DType } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { createSession } from '../src/inference-session';
import { inferShapes } from '../src/infer-shapes';
import type { Attribute, Model } from '../src/ir';

interface TensorSpec {
  dtype: DType;
  shape: number[];
  values: number[];
}
interface OrtCase {
  name: string;
  opType: string;
  domain: string;
  opset: number;
  attributes: Record<string, Attribute>;
  inputs: Record<string, TensorSpec>;
  init: Record<string, TensorSpec>;
  order: string[];
  outputs: number;
  expected: TensorSpec[];
}

interface OrtGraph {
  name: string;
  opset: number;
  nodes: Model['graph']['nodes'];
  init: Record<string, TensorSpec>;
  inputs: { name: string; dtype: DType; shape: (number | string)[] }[];
  feeds: Record<string, TensorSpec>;
  outputs: string[];
  expected: TensorSpec[];
}

const fixture = JSON.parse(readFileSync(join(__dirname, '__fixtures__', 'ort-cases.json'), 'utf8')) as {
  oracle: string;
  cases: OrtCase[];
  graphs: OrtGraph[];
};

function expectMatches(name: string, got: Tensor, e: TensorSpec): void {
  expect(got.shape, `${name} shape`).toEqual(e.shape);
  const values = got.toArray();
  if (e.dtype === 'float32') {
    const bad: string[] = [];
    e.values.forEach((v, j) => {
      if (!(Math.abs(values[j] - v) <= 1e-5 + 1e-4 * Math.abs(v))) bad.push(`[${j}] ${values[j]} vs ORT ${v}`);
    });
    expect(bad.slice(0, 5), `${name}: ${bad.length} of ${e.values.length} differ`).toEqual([]);
  } else if (e.dtype === 'float16') {
    // onnxruntime-node hands float16 out as raw half bits: compare bits exactly.
    expect(got.dtype).toBe('float16');
    expect(Array.from(got.data as Uint16Array)).toEqual(e.values);
  } else {
    expect(got.dtype).toBe(e.dtype);
    expect(values).toEqual(e.values);
  }
}

function toTensor(s: TensorSpec): Tensor {
  return Tensor.from(s.dtype, s.shape, s.dtype === 'int64' ? s.values.map((v) => BigInt(v)) : s.values);
}

describe(`single-op graphs against ${fixture.oracle}`, () => {
  it('has the cases', () => expect(fixture.cases.length).toBeGreaterThan(40));

  for (const c of fixture.cases) {
    it(c.name, () => {
      const outputs = Array.from({ length: c.outputs }, (_, i) => `Y${i}`);
      const model: Model = {
        irVersion: 9,
        opsetImports: c.domain ? { '': c.opset, [c.domain]: 1 } : { '': c.opset },
        producerName: 'test',
        producerVersion: '0',
        metadata: {},
        graph: {
          name: c.name,
          nodes: [{ name: c.name, opType: c.opType, domain: c.domain, inputs: c.order, outputs, attributes: c.attributes }],
          initializers: new Map(Object.entries(c.init).map(([k, v]) => [k, toTensor(v)])),
          inputs: Object.entries(c.inputs).map(([name, v]) => ({ name, dtype: v.dtype, shape: v.shape })),
          outputs: outputs.map((name) => ({ name })),
          valueInfo: [],
        },
      };
      const feeds = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, toTensor(v)]));
      const result = createSession(model).run(feeds);
      c.expected.forEach((e, i) => expectMatches(`${c.name} output ${i}`, result[outputs[i]], e));
    });
  }
});

describe(`multi-node exporter-style graphs against ${fixture.oracle}`, () => {
  for (const c of fixture.graphs) {
    const model: Model = {
      irVersion: 9,
      opsetImports: { '': c.opset },
      producerName: 'test',
      producerVersion: '0',
      metadata: {},
      graph: {
        name: c.name,
        nodes: c.nodes,
        initializers: new Map(Object.entries(c.init).map(([k, v]) => [k, toTensor(v)])),
        inputs: c.inputs,
        outputs: c.outputs.map((name) => ({ name })),
        valueInfo: [],
      },
    };

    it(`${c.name}: outputs match, intermediates are freed`, () => {
      const session = createSession(model);
      const feeds = Object.fromEntries(Object.entries(c.feeds).map(([k, v]) => [k, toTensor(v)]));
      const result = session.run(feeds);
      c.expected.forEach((e, i) => expectMatches(`${c.name} ${c.outputs[i]}`, result[c.outputs[i]], e));
      // Load-time fusion (Gelu chains, dynamic MatMuls) may run fewer nodes; unfused, every node runs.
      expect(session.lastRunStats.nodesRun).toBeLessThanOrEqual(c.nodes.length);
      const unfused = createSession(model, { fuse: false });
      const plain = unfused.run(feeds);
      c.expected.forEach((e, i) => expectMatches(`${c.name} ${c.outputs[i]} (unfused)`, plain[c.outputs[i]], e));
      expect(unfused.lastRunStats.nodesRun).toBe(c.nodes.length);
      expect(unfused.lastRunStats.valuesFreed).toBeGreaterThan(c.nodes.length / 2);
    });

    it(`${c.name}: inferShapes keeps the symbolic dims`, () => {
      const infos = inferShapes(model);
      const sym = c.inputs[0].shape[0];
      for (const out of c.outputs) expect(infos.get(out)?.shape?.[0], out).toBe(sym);
      // Every value gets a dtype and a fully known (numeric or symbolic) shape.
      expect([...infos.values()].filter((v) => !v.dtype || !v.shape || v.shape.some((d) => d === undefined))).toEqual([]);
    });
  }
});
