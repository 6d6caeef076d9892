// Records onnxruntime-node's float outputs of ONNX test-case folders as their expected outputs
// (test_data_set_*/output_N.pb): `node scripts/record-ort-outputs.mjs <case dir>...`. onnxruntime is the oracle
// for float results; the inputs come from the folder (input_N.pb, fed by position to the graph's inputs).
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { encodeTensor, loadTensorPb } from '@qint/onnx';
import { Tensor } from '@qint/tensor';

const ORT_TYPES = { float32: 'float32', int64: 'int64', int32: 'int32', bool: 'bool', uint8: 'uint8', int8: 'int8' };

for (const dir of process.argv.slice(2)) {
  const session = await ort.InferenceSession.create(join(dir, 'model.onnx'), { graphOptimizationLevel: 'disabled' });
  for (const set of readdirSync(dir).filter((d) => d.startsWith('test_data_set_'))) {
    const setDir = join(dir, set);
    const files = readdirSync(setDir).filter((f) => /^input_\d+\.pb$/.test(f)).sort((a, b) => parseInt(a.slice(6)) - parseInt(b.slice(6)));
    const feeds = {};
    files.forEach((f, i) => {
      const { tensor } = loadTensorPb(join(setDir, f));
      feeds[session.inputNames[i]] = new ort.Tensor(ORT_TYPES[tensor.dtype], tensor.data, tensor.shape);
    });
    const result = await session.run(feeds);
    session.outputNames.forEach((name, i) => {
      const o = result[name];
      const dtype = Object.keys(ORT_TYPES).find((k) => ORT_TYPES[k] === o.type);
      const data = dtype === 'bool' ? Uint8Array.from(o.data, Number) : o.data;
      writeFileSync(join(setDir, `output_${i}.pb`), encodeTensor(Tensor.from(dtype, o.dims.map(Number), data), name));
      console.log(dir, set, name, o.type, o.dims.join('x'));
    });
  }
}
