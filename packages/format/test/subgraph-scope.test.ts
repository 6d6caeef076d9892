// Subgraphs in .qint files: outer-scope references (initializers and activations of enclosing graphs, two levels
// deep), sequence/optional value types and TYPE_PROTO attributes survive a round trip; a reader fed a subgraph that
// names a value outside its scope chain, or a malformed type, refuses it with the field.
import type { Graph, Model, Node } from '@qint/graph';
import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { FormatError, decodeQint, encodeQint, type FormatErrorReason } from '../src/index';
import { craft, split } from './craft';

const node = (name: string, opType: string, inputs: string[], outputs: string[], attributes: Node['attributes'] = {}): Node => ({ name, opType, domain: '', inputs, outputs, attributes });
const graphOf = (name: string, nodes: Node[], outputs: string[], inputs: Graph['inputs'] = [], initializers: [string, Tensor][] = []): Graph => ({
  name,
  nodes,
  initializers: new Map(initializers),
  inputs,
  outputs: outputs.map((o) => ({ name: o })),
  valueInfo: [],
});

/** A Loop whose body reads the outer initializer `w` and the outer activation `h`, with an If inside reading `w` too. */
function scopedModel(): Model {
  const thenBranch = graphOf('then', [node('t_mul', 'Mul', ['acc_in', 'w'], ['t_out'])], ['t_out']);
  const elseBranch = graphOf('else', [node('e_add', 'Add', ['acc_in', 'h'], ['e_out'])], ['e_out']);
  const body = graphOf(
    'body',
    [node('odd', 'Cast', ['i'], ['c'], { to: { type: 'int', value: 9 } }), node('inner', 'If', ['c'], ['acc_out'], { then_branch: { type: 'graph', value: thenBranch }, else_branch: { type: 'graph', value: elseBranch } }), node('keep', 'Identity', ['cond_in'], ['cond_out'])],
    ['cond_out', 'acc_out'],
    [{ name: 'i', dtype: 'int64', shape: [] }, { name: 'cond_in', dtype: 'bool', shape: [] }, { name: 'acc_in' }],
  );
  const graph: Graph = {
    name: 'main',
    nodes: [
      node('relu', 'Relu', ['x'], ['h']),
      node('loop', 'Loop', ['M', '', 'x'], ['acc'], { body: { type: 'graph', value: body } }),
      node('seq', 'SequenceEmpty', [], ['s'], { dtype: { type: 'int', value: 1 } }),
      node('opt', 'Optional', [], ['o'], { type: { type: 'type_proto', value: { kind: 'sequence', elem: { kind: 'tensor', dtype: 'float32', shape: ['n', 2] } } } }),
    ],
    initializers: new Map([['w', Tensor.from('float32', [2], [2, 3])]]),
    inputs: [{ name: 'x', dtype: 'float32', shape: [2] }, { name: 'M', dtype: 'int64', shape: [] }],
    outputs: [{ name: 'acc', dtype: 'float32', shape: [2] }, { name: 's', type: { kind: 'sequence', elem: { kind: 'tensor', dtype: 'float32' } } }, { name: 'o', type: { kind: 'optional' } }],
    valueInfo: [],
  };
  return { irVersion: 9, opsetImports: { '': 18 }, producerName: 'test', producerVersion: '1', metadata: {}, graph };
}

async function rejects(file: Uint8Array, reason: FormatErrorReason, field: RegExp): Promise<void> {
  let caught: unknown;
  try {
    await decodeQint(file);
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${reason}`).toBeInstanceOf(FormatError);
  expect((caught as FormatError).reason, (caught as Error).message).toBe(reason);
  expect((caught as FormatError).field).toMatch(field);
}

describe('.qint subgraph scopes', () => {
  it('round-trips outer-scope reads at two levels, sequence/optional types and a TYPE_PROTO attribute', async () => {
    const m = scopedModel();
    const back = (await decodeQint(await encodeQint(m))).model;
    const body = (back.graph.nodes[1].attributes.body as { value: Graph }).value;
    expect(body.nodes.map((n) => n.inputs)).toEqual([['i'], ['c'], ['cond_in']]);
    const inner = (body.nodes[1].attributes.then_branch as { value: Graph }).value;
    expect(inner.nodes[0].inputs).toEqual(['acc_in', 'w']);
    expect(inner.initializers.size).toBe(0);
    expect(back.graph.initializers.get('w')!.toArray()).toEqual([2, 3]);
    expect(back.graph.outputs[1]).toEqual(m.graph.outputs[1]);
    expect(back.graph.outputs[2]).toEqual(m.graph.outputs[2]);
    expect(back.graph.nodes[3].attributes.type).toEqual(m.graph.nodes[3].attributes.type);
  });

  it('refuses a subgraph naming a value outside its scope chain, and malformed types', async () => {
    const { header, data } = split(await encodeQint(scopedModel()));
    const mutate = (f: (h: any) => void): Promise<Uint8Array> => {
      const h = structuredClone(header);
      f(h);
      return craft(h, data);
    };
    const body = (h: any): any => h.graph.nodes[1].attributes.body.value;
    // a name local to the sibling branch
    await rejects(await mutate((h) => (body(h).nodes[1].attributes.then_branch.value.nodes[0].inputs[1] = 'e_out')), 'DANGLING_REFERENCE', /then_branch\.value\.nodes\[0\]\.inputs\[1\]/);
    // a value of the main graph produced after the Loop
    await rejects(await mutate((h) => (body(h).nodes[2].inputs[0] = 's')), 'DANGLING_REFERENCE', /body\.value\.nodes\[2\]\.inputs\[0\]/);
    // a body-local value read by the main graph
    await rejects(await mutate((h) => (h.graph.nodes[2].inputs = ['acc_in'])), 'DANGLING_REFERENCE', /graph\.nodes\[2\]\.inputs\[0\]/);
    await rejects(await mutate((h) => (h.graph.outputs[1].type = { kind: 'map' })), 'BAD_FIELD', /outputs\[1\]\.type\.kind/);
    await rejects(await mutate((h) => (h.graph.outputs[1].type = { kind: 'tensor', dtype: 'float32' })), 'BAD_FIELD', /outputs\[1\]\.type/);
    await rejects(await mutate((h) => (h.graph.outputs[1].type.elem = { kind: 'tensor', dtype: 'float99' })), 'BAD_DTYPE', /outputs\[1\]\.type\.elem\.dtype/);
    let deep: any = { kind: 'tensor' };
    for (let i = 0; i < 20; i++) deep = { kind: 'sequence', elem: deep };
    await rejects(await mutate((h) => (h.graph.nodes[3].attributes.type.value = deep)), 'BAD_FIELD', /attributes\.type\.value(\.elem)*$/);
  });
});
