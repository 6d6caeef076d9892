// Per-node profile of the PyTorch transformer encoder fixture (2 layers, 28 tokens × 28 features) on the WASM backend,
// float and int8 dynamic, plus onnxruntime-web (1 thread) on the float model and on the exported dynamic model, same
// process. Run after `pnpm build` from the repository root:
//   node bench/tools/profile-transformer.mjs [batch] [profiled runs]
// Prints per-op-type totals (ms per run, summed over nodes), the whole-run medians (wall and process CPU time) and the
// per-round ratios ORT / qint (ROUNDS=15 by default). Not part of `pnpm test`.
import { quantizeDynamic, toOnnxModel } from '@qint/dynamic';
import { createSession } from '@qint/graph';
import { createWasmBackend } from '@qint/kernels-wasm';
import { encodeModel, loadModel } from '@qint/onnx';
import { Tensor } from '@qint/tensor';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, xorshift } from '../lib/harness.mjs';
import { ort, ortSession } from '../lib/ort.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const batch = Number(process.argv[2] ?? 1);
const reps = Number(process.argv[3] ?? 200);
const model = loadModel(join(here, '../../packages/onnx/test/__fixtures__/torch/transformer/model.onnx'));
const wasm = await createWasmBackend();

const rng = xorshift(3);
const x = Float32Array.from({ length: batch * 28 * 28 }, () => rng() * 2 - 1);
const feed = { input: Tensor.from('float32', [batch, 28, 28], x) };
const q8 = quantizeDynamic(model).model;
const sessions = { f32: createSession(model, { backend: wasm }), int8: createSession(q8, { backend: wasm }) };
const orts = { 'ort f32': await ortSession(encodeModel(model)), 'ort int8': await ortSession(encodeModel(toOnnxModel(q8))) };

for (const [name, s] of Object.entries(sessions)) {
  for (let i = 0; i < 50; i++) s.run(feed);
  const per = new Map();
  const counts = new Map();
  for (let r = 0; r < reps; r++) {
    s.run(feed, { profile: true });
    for (const p of s.lastRunStats.profile) {
      const k = `${p.domain ? p.domain + ':' : ''}${p.opType}`;
      if (!per.has(k)) per.set(k, []);
      per.get(k).push(p.ms);
      if (r === 0) counts.set(k, (counts.get(k) ?? 0) + 1);
    }
  }
  // Per op type: the median over runs of the summed node times (robust to other processes on a shared machine).
  const rows = [...per].map(([k, v]) => {
    const c = counts.get(k);
    const runs = [];
    for (let r = 0; r < reps; r++) runs.push(v.slice(r * c, (r + 1) * c).reduce((a, b) => a + b, 0));
    return [k, median(runs), c];
  }).sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((a, r) => a + r[1], 0);
  console.log(`\n== qint ${name}, batch ${batch}: sum of node times ${total.toFixed(3)} ms, ${s.lastRunStats.nodesRun} nodes`);
  for (const [k, ms, c] of rows) console.log(`  ${k.padEnd(28)} ${String(c).padStart(3)} nodes ${ms.toFixed(4)} ms  ${((ms / total) * 100).toFixed(1)}%`);
}
const variants = [
  ...Object.entries(sessions).map(([n, s]) => [`qint ${n}`, () => s.run(feed)]),
  ...Object.entries(orts).map(([n, s]) => [n, () => s.run({ input: new ort.Tensor('float32', x, [batch, 28, 28]) })]),
];
// Wall time per run, and process CPU time per run (user + system, from process.cpuUsage): on a machine shared with
// other jobs the CPU time is the steadier measure, since it leaves out the time this process waited for a core.
const times = Object.fromEntries(variants.map(([n]) => [n, []]));
const cpu = Object.fromEntries(variants.map(([n]) => [n, []]));
const ROUNDS = Number(process.env.ROUNDS ?? 15);
for (let round = 0; round < ROUNDS; round++) {
  for (const [n, fn] of variants) {
    await fn();
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let k = 0;
    while (performance.now() - t0 < 40) { await fn(); k++; }
    const c = process.cpuUsage(c0);
    times[n].push((performance.now() - t0) / k);
    cpu[n].push((c.user + c.system) / 1000 / k);
  }
}
console.log(`\nwhole run, batch ${batch} (median and min of ${ROUNDS} interleaved rounds of ≥ 40 ms):`);
for (const [n, t] of Object.entries(times)) {
  console.log(`  ${n.padEnd(12)} wall ${median(t).toFixed(4)} ms (min ${Math.min(...t).toFixed(4)})  cpu ${median(cpu[n]).toFixed(4)} ms (min ${Math.min(...cpu[n]).toFixed(4)})`);
}
// Per round, ORT's time over qint's (> 1: qint faster): the variants of one round ran back to back, so the ratio
// cancels most of the load other processes put on the machine. Median and quartiles over the rounds.
const quartiles = (a) => {
  const s = a.slice().sort((p, q) => p - q);
  return [s[Math.floor((s.length - 1) / 4)], s[Math.floor((s.length - 1) / 2)], s[Math.ceil((3 * (s.length - 1)) / 4)]];
};
for (const [q, o] of [['qint int8', 'ort int8'], ['qint f32', 'ort f32'], ['qint int8', 'qint f32']]) {
  for (const [what, m] of [['wall', times], ['cpu', cpu]]) {
    const r = quartiles(m[o].map((t, i) => t / m[q][i]));
    console.log(`  ${o} / ${q} (${what}): median ${r[1].toFixed(2)}×, quartiles ${r[0].toFixed(2)}–${r[2].toFixed(2)}`);
  }
}
