import { createRequire } from 'module';
import fs from 'fs';
const require = createRequire(new URL('../../../package.json', import.meta.url));
const ort = require('onnxruntime-node');
const { loadTensorPb } = await import('@qint/onnx');
const dir = new URL('.', import.meta.url).pathname.replace(/\/$/, '');
const SPECIAL = [NaN, Infinity, -Infinity, -0, 0, 1.5, -2.5, 0.25];
function mk(n, seed) { const a = new Float32Array(n); let s = seed; for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) % 2147483648; a[i] = Math.fround((s / 2147483648) * 4 - 2); } return a; }
const enc = (a) => Array.from(a, (v) => (Number.isFinite(v) ? (Object.is(v, -0) ? '-0' : v) : String(v)));
const two = ['Relu','LeakyRelu','Clip','Elu','Selu','HardSigmoid','HardSwish','ThresholdedRelu','Shrink','Celu','Sign','Softplus','Softsign','Sigmoid','Tanh','Abs'];
const out = { note: 'onnxruntime-node 1.30 float32 outputs (CPU EP) of each model on the listed inputs; non-finite values as strings', cases: {} };
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.onnx') && f !== 'MaxPool.onnx').sort()) {
  const base = f.replace('.onnx', '');
  const sess = await ort.InferenceSession.create(`${dir}/${f}`);
  const shape = two.includes(base) ? [2, 8] : [1, 2, 4, 4];
  const feeds = {}, inputs = {};
  for (const [i, name] of sess.inputNames.entries()) {
    const n = shape.reduce((a, b) => a * b, 1);
    const d = mk(n, 7 + i);
    for (let j = 0; j < SPECIAL.length; j++) d[(j * 5 + i * 3) % n] = SPECIAL[j];
    feeds[name] = new ort.Tensor('float32', d, shape);
    inputs[name] = { shape, data: enc(d) };
  }
  const r = (await sess.run(feeds))[sess.outputNames[0]];
  out.cases[base] = { inputs, output: { name: sess.outputNames[0], shape: r.dims, data: enc(r.data) } };
}
fs.writeFileSync(`${dir}/ort-outputs.json`, JSON.stringify(out) + '\n');
// mnist-8 with one non-finite pixel
const m = `${dir}/../mnist-8`;
const x0 = loadTensorPb(`${m}/test_data_set_0/input_0.pb`); const x = x0.tensor ?? x0
const sess = await ort.InferenceSession.create(`${m}/model.onnx`);
const mn = { note: 'onnxruntime-node 1.30 float32 logits of mnist-8 on test_data_set_0/input_0.pb with pixel [0,0,14,14] replaced', cases: {} };
for (const v of [NaN, Infinity, -Infinity]) {
  const d = Float32Array.from(x.data); d[14 * 28 + 14] = v;
  const r = await sess.run({ [sess.inputNames[0]]: new ort.Tensor('float32', d, x.shape) });
  mn.cases[String(v)] = enc(r[sess.outputNames[0]].data);
}
fs.writeFileSync(`${dir}/mnist-8-nonfinite-logits.json`, JSON.stringify(mn, null, 1) + '\n');
console.log(JSON.stringify(mn));
