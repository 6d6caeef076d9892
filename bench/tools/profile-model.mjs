// Per-node profile of a CNN fixture on qint's WASM backend against onnxruntime-web (WASM, 1 thread), same process.
// Run after `pnpm build` from the repository root:
//   node bench/tools/profile-model.mjs <cnn-bn | mnist-8 | mnist-8-int8 | super-resolution> [batch] [profiled runs]
// qint: per node (after load-time fusion), the median over profiled runs of its time (onnxruntime-web has no per-node
// timer in Node; timing graph prefixes was tried and is useless: each prefix's output copy dominates). Then the
// whole-run medians of interleaved rounds (ORT / qint > 1: qint faster). `mnist-8-int8` is mnist-8 after
// qint's default dynamic int8 quantization (per-channel weights), against the float model on both sides.
// Not part of `pnpm test`.
import { quantizeDynamic } from '@qint/dynamic';
import { createSession } from '@qint/graph';
import { createWasmBackend } from '@qint/kernels-wasm';
import { encodeModel, loadModel, loadTestCase } from '@qint/onnx';
import { Tensor } from '@qint/tensor';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '../lib/harness.mjs';
import { ort, ortSession } from '../lib/ort.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(here, '../../packages/onnx/test/__fixtures__');
const which = process.argv[2] ?? 'cnn-bn';
const batch = Number(process.argv[3] ?? 1);
const reps = Number(process.argv[4] ?? (which.startsWith('super') ? 5 : 300));

const dirs = { 'cnn-bn': 'torch/cnn-bn', 'mnist-8': 'models/mnist-8', 'mnist-8-int8': 'models/mnist-8', 'super-resolution': 'models/super-resolution-10' };
if (!dirs[which]) throw new Error(`unknown model ${which}; one of ${Object.keys(dirs).join(', ')}`);
const dir = join(FIXTURES, dirs[which]);
const floatModel = loadModel(join(dir, 'model.onnx'));
const model = which === 'mnist-8-int8' ? quantizeDynamic(floatModel, { bits: 8, granularity: 'per_channel', symmetric: true }).model : floatModel;
const one = loadTestCase(dir).dataSets[0].inputs[0].tensor;
const inputName = floatModel.graph.inputs.find((i) => !floatModel.graph.initializers.has(i.name)).name;
// Batch > 1 repeats the stored input (cnn-bn and super-resolution have a symbolic batch; mnist-8 does not).
const per = one.size / one.shape[0];
const x = Tensor.from('float32', [batch, ...one.shape.slice(1)], Float32Array.from({ length: batch * per }, (_, i) => one.data[i % one.size]));
const feed = { [inputName]: x };
const wasm = await createWasmBackend();
const session = createSession(model, { backend: wasm });
const floatSession = which === 'mnist-8-int8' ? createSession(floatModel, { backend: wasm }) : undefined;

// qint per node.
const warm = which.startsWith('super') ? 2 : 50;
for (let i = 0; i < warm; i++) session.run(feed);
const times = new Map();
let order = [];
for (let r = 0; r < reps; r++) {
  session.run(feed, { profile: true });
  const prof = session.lastRunStats.profile;
  if (r === 0) order = prof.map((p) => `${p.opType} ${p.node}`);
  prof.forEach((p, i) => {
    const k = order[i];
    if (!times.has(k)) times.set(k, []);
    times.get(k).push(p.ms);
  });
}
console.log(`== qint wasm ${which}, batch ${batch}: ${session.lastRunStats.nodesRun} nodes after fusion, median of ${reps} profiled runs`);
let sum = 0;
for (const k of order) {
  const m = median(times.get(k));
  sum += m;
  console.log(`  ${k.padEnd(60)} ${m.toFixed(4)} ms`);
}
console.log(`  ${'sum of node medians'.padEnd(60)} ${sum.toFixed(4)} ms`);

const ortFeed = () => ({ [inputName]: new ort.Tensor('float32', x.data, [...x.shape]) });

// Whole runs, interleaved.
const ortS = await ortSession(encodeModel(floatModel));
const variants = [[`qint wasm ${which}`, () => session.run(feed)], ['ort-web float', () => ortS.run(ortFeed())]];
if (floatSession) variants.push(['qint wasm float', () => floatSession.run(feed)]);
const wall = Object.fromEntries(variants.map(([n]) => [n, []]));
const ROUNDS = Number(process.env.ROUNDS ?? 11);
const repMs = which.startsWith('super') ? 600 : 60;
for (let round = 0; round < ROUNDS; round++) {
  for (const [n, fn] of variants) {
    await fn();
    const t0 = performance.now();
    let k = 0;
    while (performance.now() - t0 < repMs) {
      await fn();
      k++;
    }
    wall[n].push((performance.now() - t0) / k);
  }
}
console.log(`== whole run, batch ${batch} (median of ${ROUNDS} interleaved rounds of ≥ ${repMs} ms)`);
const base = median(wall['ort-web float']);
const best = Math.min(...wall["ort-web float"]);
for (const [n, t] of Object.entries(wall)) console.log(`  ${n.padEnd(28)} ${median(t).toFixed(4)} ms (min ${Math.min(...t).toFixed(4)})  ort/this = ${(base / median(t)).toFixed(3)} (of mins ${(best / Math.min(...t)).toFixed(3)})`);
wasm.dispose();
