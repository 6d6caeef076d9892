// Value types at import: an empty TypeProto (`type {}`, which PyTorch's exporter writes on If branch outputs) is
// "nothing declared"; sequence and optional types nest; maps are refused with the value's name.
import { InferenceSession } from '@qint/graph';
import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { decodeModel } from './decode-model';
import { modelToProto, serializeModel } from './encode-model';
import { OnnxError } from './onnx-error';

const vi = (name: string, type: object): object => ({ name, type });
const tensorType = { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 2 }] } } };

function ifModel(branchOutputType: object, extraOutputs: object[] = []): Uint8Array {
  const branch = (op: string, out: string): object => ({ name: op, node: [{ opType: op, input: ['x'], output: [out] }], output: [vi(out, branchOutputType)] });
  const msg = modelToProto({
    irVersion: 8,
    opsetImports: { '': 17 },
    producerName: 't',
    producerVersion: '0',
    metadata: {},
    graph: { name: 'g', nodes: [], initializers: new Map(), inputs: [{ name: 'x', dtype: 'float32', shape: [2] }, { name: 'c', dtype: 'bool', shape: [] }], outputs: [{ name: 'y', dtype: 'float32', shape: [2] }], valueInfo: [] },
  });
  const graph = msg.graph as Record<string, unknown>;
  graph.node = [{ opType: 'If', input: ['c'], output: ['y'], attribute: [
    { name: 'then_branch', type: 5, g: branch('Neg', 'a') },
    { name: 'else_branch', type: 5, g: branch('Abs', 'b') },
  ] }];
  graph.output = [...(graph.output as object[]), ...extraOutputs];
  return serializeModel(msg);
}

describe('value types at import', () => {
  it('an empty TypeProto on a subgraph output declares nothing; the model runs', () => {
    const model = decodeModel(ifModel({}));
    const thenBranch = (model.graph.nodes[0].attributes.then_branch as unknown as { value: { outputs: object[] } }).value;
    expect(thenBranch.outputs[0]).toEqual({ name: 'a' });
    const s = InferenceSession.create(model);
    const x = Tensor.from('float32', [2], [-1, 2]);
    expect(s.run({ x, c: Tensor.from('bool', [], [1]) }).y.toArray()).toEqual([1, -2]);
    expect(s.run({ x, c: Tensor.from('bool', [], [0]) }).y.toArray()).toEqual([1, 2]);
  });

  it('sequence and optional types nest; a map is refused naming the value', () => {
    const seq = { sequenceType: { elemType: tensorType } };
    const model = decodeModel(ifModel(tensorType, [vi('s', seq), vi('o', { optionalType: { elemType: seq } })]));
    expect(model.graph.outputs[1]).toEqual({ name: 's', type: { kind: 'sequence', elem: { kind: 'tensor', dtype: 'float32', shape: [2] } } });
    expect(model.graph.outputs[2]).toEqual({ name: 'o', type: { kind: 'optional', elem: { kind: 'sequence', elem: { kind: 'tensor', dtype: 'float32', shape: [2] } } } });
    expect(() => decodeModel(ifModel(tensorType, [vi('m', { mapType: { keyType: 7, valueType: tensorType } })]))).toThrow(OnnxError);
    expect(() => decodeModel(ifModel(tensorType, [vi('m', { mapType: { keyType: 7, valueType: tensorType } })]))).toThrow(/"m" is a map/);
  });
});
