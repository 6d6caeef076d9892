// LSTM / GRU / RNN nodes over the attribute matrix (@qint/graph's scripts/make-recurrent-ort-fixtures.mjs) replayed
// on both backends against onnxruntime-node's float outputs: relative error ≤ 1e-5 (plus 1e-6 absolute for values
// near 0: ORT computes in float32 with its own approximations of exp and tanh, qint in float64 rounded per state).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSession, type Attribute, type Model } from '@qint/graph';
import { Tensor, type DType } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from './helpers/backends';

interface Spec {
  dtype: DType;
  shape: number[];
  values: number[];
}
interface RecurrentCase {
  name: string;
  opType: string;
  opset: number;
  attributes: Record<string, Attribute>;
  inputs: Record<string, Spec>;
  init: Record<string, Spec>;
  order: string[];
  outputs: string[];
  expected: (Spec | null)[];
}

const fixture = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'graph', 'test', '__fixtures__', 'recurrent-ort-cases.json'), 'utf8'),
) as { oracle: string; cases: RecurrentCase[] };

const toTensor = (s: Spec): Tensor => Tensor.from(s.dtype, s.shape, s.values);

function modelOf(c: RecurrentCase): Model {
  const outputs = c.outputs.map((n, i) => (n === '' ? '' : `out${i}`));
  return {
    irVersion: 9,
    opsetImports: { '': c.opset },
    producerName: 'test',
    producerVersion: '0',
    metadata: {},
    graph: {
      name: c.name,
      nodes: [{ name: c.name, opType: c.opType, domain: '', inputs: c.order, outputs, attributes: c.attributes }],
      initializers: new Map(Object.entries(c.init).map(([k, v]) => [k, toTensor(v)])),
      inputs: Object.entries(c.inputs).map(([name, v]) => ({ name, dtype: v.dtype, shape: v.shape })),
      outputs: outputs.filter((n) => n !== '').map((name) => ({ name })),
      valueInfo: [],
    },
  };
}

describe(`recurrent nodes against ${fixture.oracle}`, () => {
  it('covers every op, direction, layout and the optional parts', () => {
    const names = fixture.cases.map((c) => c.name).join(' ');
    for (const op of ['lstm', 'gru', 'rnn']) for (const part of ['reverse', 'bidirectional', 'layout1', 'clip', 'weights_fed', 'only_last_state', 'lens']) {
      expect(names).toContain(`${op}_`);
      expect(fixture.cases.some((c) => c.name.startsWith(op) && c.name.includes(part)), `${op} ${part}`).toBe(true);
    }
    expect(names).toContain('peepholes');
    expect(names).toContain('input_forget');
    expect(names).toContain('linear_before_reset');
  });

  for (const [backendName, getBackend] of BACKENDS) {
    describe(`on the ${backendName} backend`, () => {
      for (const c of fixture.cases) {
        it(c.name, async () => {
          const backend = await getBackend();
          const session = createSession(modelOf(c), typeof backend === 'string' ? {} : { backend });
          const feeds = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, toTensor(v)]));
          const result = session.run(feeds);
          c.expected.forEach((e, i) => {
            if (!e) return;
            const got = result[`out${i}`];
            expect(got.shape, `output ${i} shape`).toEqual(e.shape);
            const values = got.toArray() as number[];
            const bad = e.values.flatMap((v, j) => (Math.abs(values[j] - v) <= 1e-6 + 1e-5 * Math.abs(v) ? [] : [`[${j}] ${values[j]} vs ORT ${v}`]));
            expect(bad.slice(0, 5), `output ${i}: ${bad.length} of ${e.values.length} differ`).toEqual([]);
          });
        });
      }
    });
  }
});
