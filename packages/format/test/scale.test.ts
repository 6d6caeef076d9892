// Large but valid headers must stay linear: many names and many subgraphs (a quadratic check would take minutes here).
import { describe, expect, it } from 'vitest';
import { decodeQint } from '../src/index';
import { craft } from './craft';

describe('header scale', () => {
  it('decodes a 6,000-node graph with 3,000 If nodes (6,000 subgraphs)', async () => {
    const nodes: unknown[] = [];
    for (let i = 0; i < 3_000; i++) {
      nodes.push({ name: `n${i}`, opType: 'Identity', domain: '', inputs: [i === 0 ? 'x' : `v${i - 1}`], outputs: [`v${i}`], attributes: {} });
      const body = { name: 'b', nodes: [{ name: 'i', opType: 'Identity', domain: '', inputs: [`v${i}`], outputs: ['o'], attributes: {} }], initializers: [], inputs: [], outputs: [{ name: 'o' }], valueInfo: [] };
      nodes.push({ name: `if${i}`, opType: 'If', domain: '', inputs: ['c'], outputs: [`w${i}`], attributes: { then_branch: { type: 'graph', value: body }, else_branch: { type: 'graph', value: body } } });
    }
    const header = {
      producer: { name: 't', version: '0' },
      model: { irVersion: 8, opsetImports: { '': 13 }, producerName: 't', producerVersion: '0', metadata: {} },
      graph: { name: 'g', nodes, initializers: [], inputs: [{ name: 'x' }, { name: 'c' }], outputs: [{ name: 'v2999' }], valueInfo: [] },
      tensors: [],
    };
    const doc = await decodeQint(await craft(header));
    expect(doc.model.graph.nodes.length).toBe(6_000);
  });
});
