#!/usr/bin/env node
// Dynamic quantization benchmark (run after `pnpm build`): qint's quantizeDynamic output on the WASM backend
// (1 thread) against the float model on the same backend, and against onnxruntime-web 1.30 (WASM, 1 thread) running
// the float model and the model exported by toOnnxModel (standard ops: DynamicQuantizeLinear → MatMulInteger → Cast →
// Mul → Add). Same process, interleaved, warm-up first, median of repetitions (shared/PERFORMANCE.md).
//   node bench/dynamic.mjs                  (~2-4 minutes on 2 vCPUs)
//   QINT_BENCH_QUICK=1 node bench/dynamic.mjs
// Times are per session.run call, including feed wrapping and output copies, weights being initializers.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QUICK, createTimer, machineInfo, medians, xorshift } from './lib/harness.mjs';
import { ort, ortSession } from './lib/ort.mjs';
import { quantizeDynamic, toOnnxModel } from '@qint/dynamic';
import { createSession } from '@qint/graph';
import { createWasmBackend } from '@qint/kernels-wasm';
import { encodeModel, loadModel } from '@qint/onnx';
import { Tensor } from '@qint/tensor';

const here = dirname(fileURLToPath(import.meta.url));

const ROUNDS = QUICK ? 1 : 5;
const REPS = QUICK ? 2 : 5;
const REP_MS = QUICK ? 20 : 80;

function random(count, seed) {
  const next = xorshift(seed);
  return Float32Array.from({ length: count }, () => next() * 2 - 1);
}

const timer = createTimer({ rounds: ROUNDS, reps: REPS, repMs: REP_MS });
const measure = async (variants) => medians(await timer.measure(variants));

function matMulModel(K, N) {
  return {
    irVersion: 8,
    opsetImports: { '': 17 },
    producerName: 'bench',
    producerVersion: '0',
    metadata: {},
    graph: {
      name: 'linear',
      nodes: [{ name: 'fc', opType: 'MatMul', domain: '', inputs: ['x', 'W'], outputs: ['y'], attributes: {} }],
      initializers: new Map([['W', Tensor.from('float32', [K, N], random(K * N, 7).map((v) => v * 0.05))]]),
      inputs: [{ name: 'x', dtype: 'float32', shape: ['M', K] }],
      outputs: [{ name: 'y', dtype: 'float32' }],
      valueInfo: [],
    },
  };
}

async function benchModel(label, float, feedShape, inputName, ops, withActivationVariant = false) {
  const wasm = globalThis.__qintWasm;
  const x = random(feedShape.reduce((a, b) => a * b, 1), 3);
  const feed = { [inputName]: Tensor.from('float32', feedShape, x) };
  const q8 = quantizeDynamic(float).model;
  const q4 = quantizeDynamic(float, { bits: 4, granularity: 'per_block', blockSize: 32 }).model;
  const sFloat = createSession(float, { backend: wasm });
  const s8 = createSession(q8, { backend: wasm });
  const s4 = createSession(q4, { backend: wasm });
  const extra = [];
  if (withActivationVariant) {
    const sNoAct = createSession(quantizeDynamic(float, { activationMatMul: false }).model, { backend: wasm });
    extra.push({ name: 'qint wasm int8 dynamic, attention MatMuls float', fn: () => sNoAct.run(feed) });
  }
  const oFloat = await ortSession(encodeModel(float));
  const oDyn = await ortSession(encodeModel(toOnnxModel(q8)));
  const oFeed = () => ({ [inputName]: new ort.Tensor('float32', x, feedShape) });
  const times = await measure([
    { name: 'qint wasm f32', fn: () => sFloat.run(feed) },
    { name: 'qint wasm int8 dynamic', fn: () => s8.run(feed) },
    { name: 'qint wasm 4-bit block 32 dynamic', fn: () => s4.run(feed) },
    ...extra,
    { name: 'ort-web f32', fn: () => oFloat.run(oFeed()) },
    { name: 'ort-web int8 dynamic (exported, standard ops)', fn: () => oDyn.run(oFeed()) },
  ]);
  const result = { shape: label, ms: {}, gops: {}, ratios: {} };
  for (const [k, v] of Object.entries(times)) {
    result.ms[k] = +v.toFixed(4);
    if (ops) result.gops[k] = +(ops / v / 1e6).toFixed(2);
  }
  const r = (a, b) => +(times[b] / times[a]).toFixed(2);
  result.ratios = {
    'qint int8 speed-up over qint f32': r('qint wasm int8 dynamic', 'qint wasm f32'),
    'qint 4-bit speed-up over qint f32': r('qint wasm 4-bit block 32 dynamic', 'qint wasm f32'),
    'qint int8 speed-up over ort-web int8': r('qint wasm int8 dynamic', 'ort-web int8 dynamic (exported, standard ops)'),
    'qint int8 speed-up over ort-web f32': r('qint wasm int8 dynamic', 'ort-web f32'),
  };
  console.log(`${label}: ${Object.entries(result.ms).map(([k, v]) => `${k} ${v} ms`).join(' | ')}`);
  return result;
}

async function main() {
  const started = Date.now();
  globalThis.__qintWasm = await createWasmBackend();
  const linear = [];
  for (const M of QUICK ? [16] : [16, 128]) {
    for (const K of QUICK ? [256] : [256, 1024]) {
      linear.push(await benchModel(`MatMul M=${M} K=N=${K}`, matMulModel(K, K), [M, K], 'x', 2 * M * K * K));
    }
  }
  const transformerPath = join(here, '../packages/onnx/test/__fixtures__/torch/transformer/model.onnx');
  const transformer = [];
  for (const batch of QUICK ? [1] : [1, 16]) {
    transformer.push(await benchModel(`torch transformer encoder (2 layers, 28 tokens), batch ${batch}`, loadModel(transformerPath), [batch, 28, 28], 'input', 0, true));
  }
  const result = {
    machine: machineInfo(),
    loadavg: loadavg().map((v) => +v.toFixed(2)),
    date: new Date().toISOString(),
    quick: QUICK,
    method: `median of ${ROUNDS}×${REPS} repetitions of ≥ ${REP_MS} ms after a warm-up, variants interleaved; 1 thread everywhere`,
    linear,
    transformer,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'dynamic.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote bench/results/dynamic.json in ${result.seconds} s`);
}

await main();
