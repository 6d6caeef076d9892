// Real models (ONNX Model Zoo, in @qint/onnx's fixtures): import with @qint/onnx, save as .qint, load, and check
// that the graph and every tensor are identical and that the executor computes bit-identical outputs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSession } from '@qint/graph';
import { createJsBackend } from '@qint/kernels';
import { createWasmBackend } from '@qint/kernels-wasm';
import { decodeModel, loadTensorPb } from '@qint/onnx';
import type { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { decodeQint, encodeQint, inspectQint } from '../src/index';
import { canonical } from './canonical';

const MODELS = join(__dirname, '..', '..', 'onnx', 'test', '__fixtures__', 'models');

const bytesOf = (t: Tensor): Uint8Array => {
  const d = t.data as ArrayBufferView;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
};

describe.each(['mnist-8', 'shufflenet-v2-12-int8', 'super-resolution-10'])('%s', (name) => {
  it('round-trips the imported model exactly', async () => {
    const model = decodeModel(new Uint8Array(readFileSync(join(MODELS, name, 'model.onnx'))));
    const bytes = await encodeQint(model);
    const doc = await decodeQint(bytes);
    expect(canonical(doc.model)).toEqual(canonical(model));
    const info = await inspectQint(bytes);
    expect(info.model.nodeCount).toBe(model.graph.nodes.length);
    expect(info.tensors.filter((t) => t.role === 'initializer').length).toBe(model.graph.initializers.size);
  });
});

describe.each(['mnist-8', 'shufflenet-v2-12-int8'])('%s outputs after save/load', (name) => {
  it.each(['js', 'wasm'] as const)('are bit-identical on the %s backend', async (which) => {
    const model = decodeModel(new Uint8Array(readFileSync(join(MODELS, name, 'model.onnx'))));
    const loaded = (await decodeQint(await encodeQint(model))).model;
    const input = loadTensorPb(join(MODELS, name, 'test_data_set_0', 'input_0.pb'));
    const backend = which === 'js' ? createJsBackend() : await createWasmBackend();
    const feeds = { [model.graph.inputs[0].name]: input.tensor };
    const before = createSession(model, { backend }).run(feeds);
    const after = createSession(loaded, { backend }).run(feeds);
    expect(Object.keys(after)).toEqual(Object.keys(before));
    for (const k of Object.keys(before)) expect(bytesOf(after[k]), k).toEqual(bytesOf(before[k]));
  });
});
