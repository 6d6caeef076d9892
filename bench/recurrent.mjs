#!/usr/bin/env node
// Recurrent benchmark: one forward LSTM (input 128, hidden 128 and 256, sequence 100, batch 1, random weights) —
// qint WASM float, qint WASM int8 (quantizeDynamic: ai.qint DynamicLSTM) and onnxruntime-web 1.30 (WASM, 1 thread)
// on the float model and, when it loads, on qint's export (com.microsoft DynamicQuantizeLSTM). Same process,
// interleaved, medians (shared/PERFORMANCE.md).
// Run after `pnpm build`:   nice -n 10 node bench/recurrent.mjs      (QINT_BENCH_QUICK=1 for a smoke run)
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QUICK, createTimer, machineInfo, medians, xorshift } from './lib/harness.mjs';
import { ort, ortSession } from './lib/ort.mjs';
import { quantizeDynamic, toOnnxModel } from '@qint/dynamic';
import { InferenceSession } from '@qint/graph';
import { setBackend } from '@qint/kernels';
import { createWasmBackend } from '@qint/kernels-wasm';
import { encodeModel } from '@qint/onnx';
import { Tensor } from '@qint/tensor';

const here = dirname(fileURLToPath(import.meta.url));
const timer = createTimer({ rounds: QUICK ? 1 : 3, reps: QUICK ? 2 : 3, repMs: QUICK ? 30 : 200 });
const SEQ = 100;
const INPUT = 128;

function lstmModel(hidden, rand) {
  const w = (n, s) => Tensor.from('float32', n, Float32Array.from({ length: n.reduce((a, b) => a * b, 1) }, () => s * (2 * rand() - 1)));
  const scale = 1 / Math.sqrt(hidden);
  const initializers = new Map([
    ['W', w([1, 4 * hidden, INPUT], scale)],
    ['R', w([1, 4 * hidden, hidden], scale)],
    ['B', w([1, 8 * hidden], scale)],
  ]);
  return {
    irVersion: 8, opsetImports: { '': 14 }, producerName: 'qint-bench', producerVersion: '0', metadata: {},
    graph: {
      name: `lstm-${hidden}`,
      nodes: [{ name: 'lstm', opType: 'LSTM', domain: '', inputs: ['x', 'W', 'R', 'B'], outputs: ['y', 'y_h'], attributes: { hidden_size: { type: 'int', value: hidden } } }],
      initializers,
      inputs: [{ name: 'x', dtype: 'float32', shape: [SEQ, 1, INPUT] }],
      outputs: [{ name: 'y', dtype: 'float32' }, { name: 'y_h', dtype: 'float32' }],
      valueInfo: [],
    },
  };
}

const maxDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

async function benchLstm(hidden, wasm) {
  const rand = xorshift(hidden);
  const float = lstmModel(hidden, rand);
  const { model: int8 } = quantizeDynamic(float);
  const x = Tensor.from('float32', [SEQ, 1, INPUT], Float32Array.from({ length: SEQ * INPUT }, () => 2 * rand() - 1));
  const feed = { x };
  setBackend(wasm);
  const qf = InferenceSession.create(float);
  const qi = InferenceSession.create(int8);
  const ortF = await ortSession(encodeModel(float));
  const ortX = { x: new ort.Tensor('float32', x.data, [...x.shape]) };
  let ortQ;
  let ortQError;
  try {
    ortQ = await ortSession(encodeModel(toOnnxModel(int8)));
    await ortQ.run(ortX);
  } catch (e) {
    ortQError = String(e.message ?? e).split('\n')[0];
    ortQ = undefined;
  }
  const yF = qf.run(feed).y.data;
  const yQ = qi.run(feed).y.data;
  const yOrt = (await ortF.run(ortX)).y.data;
  const sides = [
    { name: 'qint wasm float', before: () => setBackend(wasm), fn: () => qf.run(feed) },
    { name: 'qint wasm int8', before: () => setBackend(wasm), fn: () => qi.run(feed) },
    { name: 'ort-web float', fn: () => ortF.run(ortX) },
  ];
  if (ortQ) sides.push({ name: 'ort-web DynamicQuantizeLSTM', fn: () => ortQ.run(ortX) });
  const timed = await timer.measure(sides);
  const ms = medians(timed);
  const best = Object.fromEntries(Object.entries(timed).map(([k, v]) => [k, +v.best.toFixed(4)]));
  await ortF.release();
  await ortQ?.release();
  const r = (a, b) => (ms[a] && ms[b] ? +(ms[b] / ms[a]).toFixed(3) : null);
  const result = {
    model: `LSTM input ${INPUT}, hidden ${hidden}, sequence ${SEQ}, batch 1 (forward)`,
    msPerCall: Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, +v.toFixed(4)])),
    bestMsPerCall: best,
    ratios: {
      'qint float speed / ort-web float (>1 = qint faster)': r('qint wasm float', 'ort-web float'),
      'qint int8 speed / ort-web float': r('qint wasm int8', 'ort-web float'),
      'qint int8 speed / qint float': r('qint wasm int8', 'qint wasm float'),
      'qint int8 speed / ort-web DynamicQuantizeLSTM': r('qint wasm int8', 'ort-web DynamicQuantizeLSTM'),
    },
    ...(ortQError ? { ortDynamicQuantizeLstm: `did not run: ${ortQError}` } : {}),
    maxAbsDiff: { 'qint float vs ort-web float': +maxDiff(yF, yOrt).toExponential(2), 'qint int8 vs qint float': +maxDiff(yQ, yF).toExponential(2) },
  };
  console.log(`${result.model}: ${Object.entries(result.msPerCall).map(([k, v]) => `${k} ${v} ms`).join(' | ')}`);
  console.log(`   best: ${Object.entries(best).map(([k, v]) => `${k} ${v} ms`).join(' | ')}`);
  console.log(`   ratios: ${Object.entries(result.ratios).filter(([, v]) => v !== null).map(([k, v]) => `${k} = ${v}`).join('; ')}`);
  if (ortQError) console.log(`   ${result.ortDynamicQuantizeLstm}`);
  return result;
}

async function main() {
  const wasm = await createWasmBackend();
  const started = Date.now();
  const load0 = loadavg();
  const models = [];
  for (const hidden of [128, 256]) models.push(await benchLstm(hidden, wasm));
  const result = {
    machine: { ...machineInfo(), loadavgStart: load0.map((v) => +v.toFixed(2)), loadavgEnd: loadavg().map((v) => +v.toFixed(2)) },
    date: new Date().toISOString(),
    method: { rounds: QUICK ? 1 : 3, statistic: 'median ms per call (best repetition beside it)', quick: QUICK, ortThreads: 1, ortGraphOptimization: 'all' },
    versions: { onnxruntimeWeb: ort.env.versions?.web ?? '1.30.0' },
    models,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'recurrent.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote bench/results/recurrent.json in ${result.seconds} s`);
  wasm.dispose();
}

await main();
