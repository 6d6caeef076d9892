// Runs every model of this folder in onnxruntime-node (CPU) on its test_data_set_0 inputs and writes the outputs as
// test_data_set_0/output_N.json (dims, dtype, values); make-pb.py turns them into output_N.pb.
// Usage: node record-outputs.mjs   (from packages/onnx, where onnxruntime-node resolves)
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', '..', '..', 'package.json'));
const ort = require('onnxruntime-node');
const { execFileSync } = await import('node:child_process');

for (const name of readdirSync(here)) {
  const model = join(here, name, 'model.onnx');
  if (!existsSync(model)) continue;
  const set = join(here, name, 'test_data_set_0');
  // Decode the inputs with Python (TensorProto → JSON) to keep this script free of a protobuf parser.
  const feeds = JSON.parse(execFileSync('/usr/bin/python3', [join(here, 'pb-json.py'), 'decode', model, set], { encoding: 'utf8' }));
  let session;
  try {
    session = await ort.InferenceSession.create(model);
  } catch (e) {
    console.log(name, 'FAILED in onnxruntime:', String(e.message).split('\n')[0]);
    continue;
  }
  const inputs = {};
  for (const [k, v] of Object.entries(feeds)) {
    const Ctor = { float32: Float32Array, int32: Int32Array, int64: BigInt64Array, uint8: Uint8Array, int8: Int8Array }[v.type];
    inputs[k] = new ort.Tensor(v.type, v.type === 'int64' ? Ctor.from(v.data.map(BigInt)) : Ctor.from(v.data), v.dims);
  }
  let out;
  try {
    out = await session.run(inputs);
  } catch (e) {
    console.log(name, 'FAILED in onnxruntime:', String(e.message).split('\n')[0]);
    continue;
  }
  session.outputNames.forEach((o, i) => {
    const t = out[o];
    writeFileSync(join(set, `output_${i}.json`), JSON.stringify({ name: o, type: t.type, dims: t.dims, data: Array.from(t.data, Number) }));
  });
  console.log(name, session.outputNames.join(', '));
}
execFileSync('/usr/bin/python3', [join(here, 'pb-json.py'), 'encode', here], { stdio: 'inherit' });
