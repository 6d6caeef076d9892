#!/usr/bin/env node
// Whole-model benchmark: qint's executor (@qint/graph) on the WASM and JS kernel backends against onnxruntime-web 1.30
// (WASM, 1 thread), same process, interleaved. Models: mnist-8 (batch 1; "batch 64" = 64 runs, the graph hard-codes
// batch 1), the PyTorch cnn-bn fixture (a batch-capable MNIST CNN, batch 1 and 64), super-resolution-10 (batch 1).
// Also the executor's per-node overhead: a chain of 256 Relu nodes on a 1-element tensor, time / 256.
// Run after `pnpm build`:   node bench/models.mjs      (QINT_BENCH_QUICK=1 for a smoke run)
// Method (shared/PERFORMANCE.md): warm-up, then rounds over all sides interleaved, each rep ≥ repMs; median ms per
// inference. Times include what a user pays per call (ORT's tensor wrapping, qint's feed checks).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QUICK, createTimer, machineInfo, medians } from './lib/harness.mjs';
import { ort, ortSession } from './lib/ort.mjs';
import { InferenceSession } from '@qint/graph';
import { setBackend } from '@qint/kernels';
import { createWasmBackend } from '@qint/kernels-wasm';
import { decodeModel, encodeModel, loadTestCase } from '@qint/onnx';
import { Tensor } from '@qint/tensor';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(here, '..', 'packages', 'onnx', 'test', '__fixtures__');
const ROUNDS = QUICK ? 1 : 3;
const REPS = QUICK ? 2 : 3;
const REP_MS = QUICK ? 30 : 150;

const timer = createTimer({ rounds: ROUNDS, reps: REPS, repMs: REP_MS });
/** Each side: { name, before?: async () => void (backend selection), fn }. Returns name → median ms. */
const measure = async (sides) => medians(await timer.measure(sides));

function toOrt(t) {
  return new ort.Tensor('float32', t.data, [...t.shape]);
}

/** Benchmarks one model at one batch: `runs` inferences of `input` per measured call. */
async function benchModel({ label, modelBytes, input, inputName, runs = 1 }, wasm) {
  const model = decodeModel(modelBytes);
  const session = InferenceSession.create(model);
  const feed = { [inputName]: input };
  const ortS = await ortSession(modelBytes);
  const ortFeed = { [ortS.inputNames[0]]: toOrt(input) };
  const qint = () => {
    for (let i = 0; i < runs; i++) session.run(feed);
  };
  const ortRun = async () => {
    for (let i = 0; i < runs; i++) await ortS.run(ortFeed);
  };
  // Same answer on every side before timing (max |difference| of the first output).
  const out = Object.values(session.run(feed))[0].values();
  const ref = Object.values(await ortS.run(ortFeed))[0].data;
  let maxDiff = 0;
  for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(out[i] - ref[i]));
  const sides = [
    { name: 'qint wasm', before: () => setBackend(wasm), fn: qint },
    { name: 'ort-web wasm 1 thread', fn: ortRun },
  ];
  if (!label.startsWith('super-resolution') || !QUICK) sides.push({ name: 'qint js', before: () => setBackend('js'), fn: qint });
  const ms = await measure(sides);
  await ortS.release();
  const r = (a, b) => (ms[a] && ms[b] ? +(ms[b] / ms[a]).toFixed(3) : null);
  const result = {
    model: label,
    runsPerCall: runs,
    msPerCall: Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, +v.toFixed(4)])),
    ratios: {
      'qint wasm speed / ort-web (>1 = qint faster)': r('qint wasm', 'ort-web wasm 1 thread'),
      'qint js speed / ort-web': r('qint js', 'ort-web wasm 1 thread'),
      'qint wasm speed / qint js': r('qint wasm', 'qint js'),
    },
    nodes: model.graph.nodes.length,
    maxAbsDiffVsOrt: +maxDiff.toExponential(2),
  };
  console.log(`${label}: ${Object.entries(result.msPerCall).map(([k, v]) => `${k} ${v} ms`).join(' | ')}`);
  console.log(`   ratios: ${Object.entries(result.ratios).filter(([, v]) => v !== null).map(([k, v]) => `${k} = ${v}`).join('; ')}`);
  return result;
}

/** A chain of `n` Relu nodes on a [1] float tensor: the time per node is the executor's dispatch overhead. */
async function benchOverhead(wasm, n = 256) {
  const nodes = Array.from({ length: n }, (_, i) => ({
    name: `r${i}`, opType: 'Relu', domain: '', inputs: [i === 0 ? 'x' : `v${i}`], outputs: [i === n - 1 ? 'y' : `v${i + 1}`], attributes: {},
  }));
  const model = {
    irVersion: 8, opsetImports: { '': 17 }, producerName: 'qint-bench', producerVersion: '0', metadata: {},
    graph: { name: 'relu-chain', nodes, initializers: new Map(), inputs: [{ name: 'x', dtype: 'float32', shape: [1] }], outputs: [{ name: 'y', dtype: 'float32', shape: [1] }], valueInfo: [] },
  };
  const session = InferenceSession.create(model);
  const x = Tensor.from('float32', [1], [0.5]);
  const ortS = await ortSession(encodeModel(model));
  const ortX = new ort.Tensor('float32', new Float32Array([0.5]), [1]);
  const ms = await measure([
    { name: 'qint js', before: () => setBackend('js'), fn: () => session.run({ x }) },
    { name: 'qint wasm', before: () => setBackend(wasm), fn: () => session.run({ x }) },
    { name: 'ort-web wasm 1 thread', fn: () => ortS.run({ x: ortX }) },
  ]);
  await ortS.release();
  const perNodeUs = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, +((v * 1000) / n).toFixed(3)]));
  console.log(`per-node overhead (${n} x Relu on [1]): ${Object.entries(perNodeUs).map(([k, v]) => `${k} ${v} µs`).join(' | ')}`);
  return { graph: `${n} x Relu on a [1] float32 tensor`, microsecondsPerNode: perNodeUs };
}

async function main() {
  const wasm = await createWasmBackend();
  const started = Date.now();
  const load0 = loadavg();
  const read = (p) => new Uint8Array(readFileSync(join(FIXTURES, p)));
  const mnist = loadTestCase(join(FIXTURES, 'models', 'mnist-8')).dataSets[0].inputs[0].tensor;
  const sr = loadTestCase(join(FIXTURES, 'models', 'super-resolution-10')).dataSets[0].inputs[0].tensor;
  const cnn1 = loadTestCase(join(FIXTURES, 'torch', 'cnn-bn')).dataSets[1].inputs[0].tensor;
  // Batch 64 for the CNN: the 4 stored test images repeated.
  const cnn4 = loadTestCase(join(FIXTURES, 'torch', 'cnn-bn')).dataSets[0].inputs[0].tensor;
  const cnn64 = Tensor.from('float32', [64, 1, 28, 28], Float32Array.from({ length: 64 * 784 }, (_, i) => cnn4.data[i % (4 * 784)]));
  const models = [];
  models.push(await benchModel({ label: 'mnist-8 batch 1', modelBytes: read('models/mnist-8/model.onnx'), input: mnist, inputName: 'Input3' }, wasm));
  models.push(await benchModel({ label: 'mnist-8 batch 64 (64 runs)', modelBytes: read('models/mnist-8/model.onnx'), input: mnist, inputName: 'Input3', runs: 64 }, wasm));
  models.push(await benchModel({ label: 'torch cnn-bn batch 1', modelBytes: read('torch/cnn-bn/model.onnx'), input: cnn1, inputName: 'input' }, wasm));
  models.push(await benchModel({ label: 'torch cnn-bn batch 64', modelBytes: read('torch/cnn-bn/model.onnx'), input: cnn64, inputName: 'input' }, wasm));
  models.push(await benchModel({ label: 'super-resolution-10 batch 1', modelBytes: read('models/super-resolution-10/model.onnx'), input: sr, inputName: 'input' }, wasm));
  const overhead = await benchOverhead(wasm);
  const result = {
    machine: { ...machineInfo(), loadavgStart: load0.map((v) => +v.toFixed(2)), loadavgEnd: loadavg().map((v) => +v.toFixed(2)) },
    date: new Date().toISOString(),
    method: { rounds: ROUNDS, repsPerRound: REPS, repMs: REP_MS, statistic: 'median ms per call', quick: QUICK, ortThreads: 1, ortGraphOptimization: 'all' },
    versions: { onnxruntimeWeb: ort.env.versions?.web ?? '1.30.0' },
    models,
    overhead,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'models.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote bench/results/models.json in ${result.seconds} s`);
  wasm.dispose();
}

await main();
