#!/usr/bin/env node
// Observer throughput: MB/s of observe() on 10M float32 values (40 MB) for the min/max, per-channel and histogram
// observers, plus the one-off cost of calculateQParams (the histogram range searches). Run after `pnpm build`:
//   node bench/observers.mjs            (~1 minute on 2 vCPUs)
//   QINT_BENCH_QUICK=1 node bench/observers.mjs
// Method (shared/PERFORMANCE.md): one warm-up call, then REPS (5) timed calls per variant in ROUNDS (3) interleaved rounds;
// the figure is the median. MB/s counts the input bytes (4 per float32 value, 2 per float16 value).
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QUICK, machineInfo, median, xorshift } from './lib/harness.mjs';
import {
  EntropyObserver,
  HistogramObserver,
  MinMaxObserver,
  MovingAverageMinMaxObserver,
  MseObserver,
  PerChannelMinMaxObserver,
  PercentileObserver,
} from '@qint/observers';
import { Tensor, float32ToFloat16Bits } from '@qint/tensor';

const here = dirname(fileURLToPath(import.meta.url));
const ROUNDS = QUICK ? 1 : 3;
const REPS = QUICK ? 2 : 5;
const N = 10_000_000;

// Deterministic, roughly normal data (sum of uniforms) with a few outliers, like an activation tensor.
function makeData(n) {
  const u = xorshift(12345);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = (u() + u() + u() - 1.5) * 2;
  for (let i = 0; i < n; i += 100_003) d[i] = 40 * (u() - 0.5);
  return d;
}

const data = makeData(N);
const half = new Uint16Array(N);
for (let i = 0; i < N; i++) half[i] = float32ToFloat16Bits(data[i]);
const flat = Tensor.from('float32', [N], data);
const rowsLong = Tensor.from('float32', [1000, 10_000], data); // chAxis 0: 1000 channels of 10k contiguous values
const rowsShort = Tensor.from('float32', [10_000, 1000], data); // chAxis 1: 1000 channels, stride 1 (channel last)
const f16 = Tensor.from('float16', [N], half);

// Each variant: a fresh observer per call (so the histogram observers always bin over the same range).
const variants = [
  { name: 'MinMaxObserver', bytes: 4 * N, run: () => new MinMaxObserver().observe(flat) },
  { name: 'MovingAverageMinMaxObserver', bytes: 4 * N, run: () => new MovingAverageMinMaxObserver().observe(flat) },
  { name: 'PerChannelMinMaxObserver chAxis 0 [1000,10000]', bytes: 4 * N, run: () => new PerChannelMinMaxObserver({ chAxis: 0 }).observe(rowsLong) },
  { name: 'PerChannelMinMaxObserver chAxis 1 [10000,1000]', bytes: 4 * N, run: () => new PerChannelMinMaxObserver({ chAxis: 1 }).observe(rowsShort) },
  { name: 'HistogramObserver (2048 bins)', bytes: 4 * N, run: () => new HistogramObserver().observe(flat) },
  { name: 'PercentileObserver (aligned 2048 bins)', bytes: 4 * N, run: () => new PercentileObserver().observe(flat) },
  // Last: it allocates a 40 MB float32 copy per call, whose garbage collection would otherwise land on the next variant.
  { name: 'MinMaxObserver float16', bytes: 2 * N, run: () => new MinMaxObserver().observe(f16) },
];

const times = new Map(variants.map((v) => [v.name, []]));
for (const v of variants) v.run(); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  for (const v of variants) {
    for (let k = 0; k < REPS; k++) {
      const t0 = performance.now();
      v.run();
      times.get(v.name).push(performance.now() - t0);
    }
  }
}

const rows = variants.map((v) => {
  const ms = median(times.get(v.name));
  return { observer: v.name, values: N, inputBytes: v.bytes, medianMs: +ms.toFixed(2), mbPerS: Math.round(v.bytes / 1e6 / (ms / 1e3)) };
});

// One-off costs of calculateQParams after observing the 10M values (range searches on the histograms).
const searches = [];
for (const [name, make] of [
  ['HistogramObserver (L2 search)', () => new HistogramObserver()],
  ['PercentileObserver', () => new PercentileObserver()],
  ['EntropyObserver (KL search)', () => new EntropyObserver({ dtype: 'int8', qscheme: 'per_tensor_symmetric' })],
  ['MseObserver (100 clipping factors)', () => new MseObserver()],
]) {
  const obs = make();
  obs.observe(flat);
  const ts = [];
  for (let k = 0; k < Math.max(3, REPS); k++) {
    const t0 = performance.now();
    obs.calculateQParams();
    ts.push(performance.now() - t0);
  }
  searches.push({ observer: name, calculateQParamsMs: +median(ts).toFixed(2) });
}

const result = {
  machine: machineInfo(),
  loadavg: loadavg().map((x) => +x.toFixed(2)),
  date: new Date().toISOString(),
  method: `median of ${ROUNDS}x${REPS} calls after a warm-up, interleaved; 10M float32 values (40 MB), a fresh observer per call`,
  observe: rows,
  calculateQParams: searches,
};
console.table(rows);
console.table(searches);
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'observers.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log('wrote bench/results/observers.json');
