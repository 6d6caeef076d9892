// Records onnxruntime-node's float outputs for every model of the real-graphs corpus (made by make_corpus.py) as
// <model>.ort.<output>.npy. Run after building the qint package: node packages/qint/test/__fixtures__/real-graphs/record-ort.mjs
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { Tensor, readNpy, writeNpy } from '../../../dist/index.js';

const here = fileURLToPath(new URL('.', import.meta.url));
for (const file of readdirSync(here).filter((f) => f.endsWith('.onnx')).sort()) {
  const base = file.slice(0, -'.onnx'.length);
  const session = await ort.InferenceSession.create(join(here, file), { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
  const feeds = {};
  for (const name of session.inputNames) {
    const t = readNpy(readFileSync(join(here, `${base}.${name}.npy`)));
    feeds[name] = new ort.Tensor('float32', t.data, t.shape);
  }
  const out = await session.run(feeds);
  for (const name of session.outputNames) {
    const o = out[name];
    const dtype = o.type === 'int64' ? 'int64' : 'float32';
    writeFileSync(join(here, `${base}.ort.${name}.npy`), writeNpy(Tensor.from(dtype, [...o.dims], o.data)));
  }
  console.log(`${base}: ${session.outputNames.join(', ')}`);
}
