// Dev-only: loads each model exported by export.py in qint and in onnxruntime-node, runs both on the saved input and
// compares every output (float: max |diff| and max relative diff; ints/bools exact). Prints one line per model.
//   node check.mjs [dir] [--backend js|wasm] [names...]     (run from the repo, after a build)
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { decodeOnnx, createSession, readNpy, setBackend } from 'qint';
import { inlineIfs } from './inline-if.mjs';

const args = process.argv.slice(2);
const bi = args.indexOf('--backend');
const backend = bi >= 0 ? args.splice(bi, 2)[1] : 'js';
const dir = args[0] && args[0].includes('/') ? args.shift() : '/tmp/qint-real-models';
const names = args.length ? args : ['einsum', 'swin_t', 'ssdlite', 'ssdlite.pre-if', 'fasterrcnn', 'fasterrcnn.pre-if'];
await setBackend(backend);

for (const name of names) {
  const path = join(dir, `${name}.onnx`);
  if (!existsSync(path)) {
    console.log(`${name}: not exported (${path} missing)`);
    continue;
  }
  const bytes = readFileSync(path);
  const x = readNpy(readFileSync(join(dir, `${name}.input.npy`)));
  let session;
  let note = '';
  const decoded = decodeOnnx(bytes);
  try {
    session = createSession(decoded);
  } catch (e) {
    // Only If missing: run the model with each If replaced by the branch onnxruntime takes on this input.
    if (!/unsupported operator\(s\): ai\.onnx::If \(/.test(e.message) || !/1 unsupported/.test(e.message)) {
      console.log(`${name}: qint load failed: ${e.message}`);
      continue;
    }
    const { model, inlined } = await inlineIfs(decoded, { [decoded.graph.inputs[0].name]: new ort.Tensor('float32', x.data, x.shape) });
    note = `, ${inlined} If inlined as taken by onnxruntime on this input (qint does not run If yet)`;
    try {
      session = createSession(model);
    } catch (e2) {
      console.log(`${name}: qint load failed even with If inlined: ${e2.message}`);
      continue;
    }
  }
  const inputName = session.inputs[0].name;
  let got;
  const t0 = performance.now();
  try {
    got = session.run({ [inputName]: x });
  } catch (e) {
    console.log(`${name}: qint run failed: ${e.message}`);
    continue;
  }
  const ms = performance.now() - t0;
  const ortSession = await ort.InferenceSession.create(bytes);
  const ref = await ortSession.run({ [ortSession.inputNames[0]]: new ort.Tensor('float32', x.data, x.shape) });
  const parts = [];
  for (const out of ortSession.outputNames) {
    const e = ref[out];
    const g = got[out];
    if (!g) {
      parts.push(`${out}: missing in qint`);
      continue;
    }
    const gs = g.shape.join('x');
    const es = Array.from(e.dims).join('x');
    if (gs !== es) {
      parts.push(`${out}: shape ${gs} vs ORT ${es}`);
      continue;
    }
    const gv = g.toArray();
    const ev = Array.from(e.data, Number);
    if (e.type === 'float32') {
      let maxAbs = 0;
      let maxRel = 0;
      let scale = 0;
      for (let i = 0; i < ev.length; i++) {
        const d = Math.abs(gv[i] - ev[i]);
        maxAbs = Math.max(maxAbs, d);
        maxRel = Math.max(maxRel, d / Math.max(Math.abs(ev[i]), 1e-6));
        scale = Math.max(scale, Math.abs(ev[i]));
      }
      parts.push(`${out} [${es}]: max|d| ${maxAbs.toExponential(2)} (max|ORT| ${scale.toPrecision(3)}), max rel ${maxRel.toExponential(2)}`);
    } else {
      let bad = 0;
      for (let i = 0; i < ev.length; i++) if (gv[i] !== ev[i]) bad++;
      parts.push(`${out} [${es}] ${e.type}: ${bad} of ${ev.length} differ`);
    }
  }
  console.log(`${name} (${backend}, ${ms.toFixed(0)} ms${note}): ${parts.join('; ')}`);
}
