// Save → load must not change what a model computes: run a float + quantized model on both kernel backends before
// and after a .qint round trip and compare every output bit for bit.
import { createSession, type Model, type Node } from '@qint/graph';
import { createJsBackend } from '@qint/kernels';
import { createWasmBackend } from '@qint/kernels-wasm';
import { QuantParams, Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { decodeQint, encodeQint } from '../src/index';

const node = (name: string, opType: string, inputs: string[], outputs: string[], attributes: Node['attributes'] = {}, domain = ''): Node => ({
  name,
  opType,
  domain,
  inputs,
  outputs,
  attributes,
});

function mixedModel(): Model {
  const n = 5;
  const k = 8;
  const wInt4 = Tensor.from('int4', [n, k], Array.from({ length: n * k }, (_, i) => ((i * 5) % 16) - 8));
  const blockScales = Array.from({ length: n * 2 }, (_, i) => 0.02 * (i + 1));
  const blockZps = Array.from({ length: n * 2 }, (_, i) => (i % 3) - 1);
  const wInt8 = Tensor.from('int8', [k, n], Array.from({ length: k * n }, (_, i) => ((i * 37) % 255) - 127));
  return {
    irVersion: 10,
    opsetImports: { '': 21, 'ai.qint': 1 },
    producerName: 'format-tests',
    producerVersion: '0',
    metadata: {},
    graph: {
      name: 'mixed',
      nodes: [
        node('dyn', 'DynamicLinear', ['x', 'W4', 'S4', 'Z4', 'B4'], ['y_dyn'], { bits: { type: 'int', value: 4 }, block_size: { type: 'int', value: 4 }, K: { type: 'int', value: k }, N: { type: 'int', value: n } }, 'ai.qint'),
        node('q', 'QuantizeLinear', ['x', 'xs', 'xzp'], ['xq']),
        node('qmm', 'QLinearMatMul', ['xq', 'xs', 'xzp', 'W8', 'ws', 'wzp', 'ys', 'yzp'], ['yq']),
        node('dq', 'DequantizeLinear', ['yq', 'ys', 'yzp'], ['y_q']),
        node('mm', 'MatMul', ['x', 'Wf'], ['h']),
        node('add', 'Add', ['h', 'Bf'], ['h2']),
        node('relu', 'Relu', ['h2'], ['y_f']),
      ],
      initializers: new Map<string, Tensor>([
        ['W4', wInt4],
        ['S4', Tensor.from('float32', [n, 2], blockScales)],
        ['Z4', Tensor.from('int8', [n, 2], blockZps)],
        ['B4', Tensor.from('float32', [n], [0.5, -0.25, 0, 1, -1])],
        ['xs', Tensor.scalar('float32', 0.02)],
        ['xzp', Tensor.scalar('uint8', 128)],
        ['W8', wInt8],
        ['ws', Tensor.scalar('float32', 0.01)],
        ['wzp', Tensor.scalar('int8', 0)],
        ['ys', Tensor.scalar('float32', 0.05)],
        ['yzp', Tensor.scalar('uint8', 120)],
        ['Wf', Tensor.from('float32', [k, n], Array.from({ length: k * n }, (_, i) => Math.sin(i) * 0.7))],
        ['Bf', Tensor.from('float32', [n], [0.1, -0.2, 0.3, -0.4, 0.5])],
      ]),
      quantParams: new Map([['W4', QuantParams.blocked('int4', 1, 4, blockScales, blockZps)]]),
      inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', k] }],
      outputs: [{ name: 'y_dyn' }, { name: 'y_q' }, { name: 'y_f' }],
      valueInfo: [],
    },
  };
}

const bytesOf = (t: Tensor): Uint8Array => {
  const d = t.data as ArrayBufferView;
  return new Uint8Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength));
};

describe('executor outputs survive save/load bit for bit', () => {
  it.each(['js', 'wasm'] as const)('on the %s backend', async (which) => {
    const backend = which === 'js' ? createJsBackend() : await createWasmBackend();
    const model = mixedModel();
    const x = Tensor.from('float32', [3, 8], Array.from({ length: 24 }, (_, i) => Math.cos(i * 1.3) * 2));
    const before = createSession(model, { backend }).run({ x });
    const loaded = (await decodeQint(await encodeQint(model))).model;
    const after = createSession(loaded, { backend }).run({ x });
    expect(Object.keys(after).sort()).toEqual(['y_dyn', 'y_f', 'y_q']);
    for (const name of Object.keys(before)) {
      expect(after[name].dtype, name).toBe(before[name].dtype);
      expect(after[name].shape, name).toEqual(before[name].shape);
      expect(bytesOf(after[name]), name).toEqual(bytesOf(before[name]));
    }
    // Not all zeros: the comparison above would be vacuous otherwise.
    expect(Array.from(before.y_dyn.data as Float32Array).some((v) => v !== 0)).toBe(true);
    expect(Array.from(before.y_q.data as Uint8Array | Float32Array).some((v) => v !== 0)).toBe(true);
  });
});
