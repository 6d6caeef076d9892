// Records onnxruntime-node's outputs for the half-precision models of make-half-models.py (dev-only oracle): the
// inputs are the torch fixtures' test data sets (cast to float16 for a float16 graph input), the outputs are
// written as TensorProto files next to them. Run from packages/onnx after a build: node test/__fixtures__/half/record-half-outputs.mjs
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { decodeTensor, encodeTensor, loadModel } from '@qint/onnx';
import { Tensor, float32ToFloat16Array, float16ToFloat32Array } from '@qint/tensor';

const here = dirname(fileURLToPath(import.meta.url));
const cases = { 'cnn-fp16-io32': 'cnn-bn', 'transformer-fp16': 'transformer', 'cnn-bf16': 'cnn-bn' };
for (const [name, source] of Object.entries(cases)) {
  const modelPath = join(here, name, 'model.onnx');
  const model = loadModel(modelPath);
  const input = model.graph.inputs[0];
  const session = await ort.InferenceSession.create(modelPath);
  for (const set of ['test_data_set_0', 'test_data_set_1']) {
    const x = decodeTensor(readFileSync(join(here, '..', 'torch', source, set, 'input_0.pb')));
    const feed = input.dtype === 'float16' ? Tensor.from('float16', x.shape, float32ToFloat16Array(x.data)) : x;
    const ortInput = new ort.Tensor(feed.dtype, feed.data, feed.shape.slice());
    const out = await session.run({ [input.name]: ortInput });
    const y = out[session.outputNames[0]];
    const data = y.type === 'float16' ? new Uint16Array(y.data.buffer, y.data.byteOffset, y.data.length) : y.data;
    const result = Tensor.from(y.type === 'float16' ? 'float16' : 'float32', y.dims, data.slice());
    mkdirSync(join(here, name, set), { recursive: true });
    writeFileSync(join(here, name, set, 'input_0.pb'), encodeTensor(feed, input.name));
    writeFileSync(join(here, name, set, 'output_0.pb'), encodeTensor(result, session.outputNames[0]));
    const v = y.type === 'float16' ? float16ToFloat32Array(data) : data;
    console.log(name, set, y.type, y.dims.join('x'), Array.from(v.slice(0, 4)));
  }
}
