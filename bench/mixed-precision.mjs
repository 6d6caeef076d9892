#!/usr/bin/env node
// Speed of the exact mixed-precision allocator (@qint/mixed-precision): allocate() and paretoFrontier() on synthetic
// sensitivity tables of 100–2000 layers × 6 candidates, at several budgets. Run after `pnpm build`
// (`node bench/mixed-precision.mjs`); writes bench/results/mixed-precision.json. Plain Node, single process.
//
// Tables: candidate bytes are exact (candidateBytes) for layer shapes drawn from transformer-like widths
// (64·{1..64} × 64·{1..64}, so sizes vary widely and rarely repeat), and damage follows the usual
// `sensitivity · weightCount · 4^(−bits)` shape with a log-normal per-layer sensitivity and ±30 % noise per candidate —
// the harder case for the solver, since nothing lines up. A second set repeats 12 shapes (as real networks do).
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { allocate, candidateBytes, paretoFrontier } from '@qint/mixed-precision';
import { machineInfo } from './lib/harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCHEMES = [
  { id: 'float', bits: 32, granularity: 'float' },
  { id: 'int8-per-channel', bits: 8, granularity: 'per-channel' },
  { id: 'int4-block32', bits: 4, granularity: 'per-block', blockSize: 32 },
  { id: 'int4-block128', bits: 4, granularity: 'per-block', blockSize: 128 },
  { id: 'int3-block64', bits: 3, granularity: 'per-block', blockSize: 64 },
  { id: 'int2-block32', bits: 2, granularity: 'per-block', blockSize: 32 },
];

function makeTable(layers, seed, distinctShapes, randomDamage = false) {
  const r = rng(seed);
  const shapes = distinctShapes
    ? Array.from({ length: distinctShapes }, () => [64 * (1 + Math.floor(r() * 64)), 64 * (1 + Math.floor(r() * 64))])
    : undefined;
  return {
    metric: 'synthetic',
    layers: Array.from({ length: layers }, (_, i) => {
      const [n, k] = shapes ? shapes[i % shapes.length] : [64 * (1 + Math.floor(r() * 64)), 64 * (1 + Math.floor(r() * 64))];
      const sensitivity = Math.exp(2 * (r() - 0.5) * 3);
      return {
        name: `layer${i}`,
        weightCount: n * k,
        shape: [n, k],
        candidates: SCHEMES.map((s) => ({
          ...s,
          bytes: candidateBytes({ n, k, bits: s.bits, granularity: s.granularity, blockSize: s.blockSize }),
          damage:
            s.granularity === 'float'
              ? 0
              : randomDamage
                ? r() * n * k * 2 ** -s.bits // no structure across layers: unrelated magnitudes, unrelated ratios
                : sensitivity * n * k * 4 ** -s.bits * (0.7 + 0.6 * r()) * (s.blockSize === 128 ? 1.3 : 1),
        })),
      };
    }),
  };
}

function time(fn, minMs = 300, maxReps = 15) {
  fn(); // warm-up
  const times = [];
  const start = performance.now();
  while (times.length < 3 || (performance.now() - start < minMs && times.length < maxReps)) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)], minMs: times[0], reps: times.length };
}

const results = [];
const print = (row) => {
  results.push(row);
  console.log(
    `${row.case.padEnd(34)} ${String(row.layers).padStart(5)} layers  ${row.op.padEnd(22)} median ${row.medianMs.toFixed(1).padStart(8)} ms  (min ${row.minMs.toFixed(1)}, ${row.reps} reps)`,
  );
};

for (const [label, distinct] of [['distinct shapes', 0], ['12 repeated shapes', 12]]) {
  for (const L of [100, 1000, 2000]) {
    const table = makeTable(L, 1234 + L, distinct);
    const lo = table.layers.reduce((s, l) => s + Math.min(...l.candidates.map((c) => c.bytes)), 0);
    const int8 = table.layers.reduce((s, l) => s + l.candidates[1].bytes, 0);
    for (const ratio of [0.3, 0.5, 0.7, 0.9]) {
      const budget = Math.max(lo, Math.floor(ratio * int8));
      const t = time(() => allocate(table, budget));
      print({ case: `${label}, ${ratio}x int8`, layers: L, candidates: 6, op: 'allocate', ...t });
    }
    if (L <= 1000) {
      const t = time(() => paretoFrontier(table, { points: 20 }), 300, 5);
      print({ case: `${label}`, layers: L, candidates: 6, op: 'paretoFrontier(20 pts)', ...t });
    }
  }
}

// Worst case over a sweep of 41 budgets from the smallest to the largest model (1000 layers × 6 candidates).
for (const [label, distinct, random] of [['sweep, distinct shapes', 0, false], ['sweep, 12 repeated shapes', 12, false], ['sweep, unstructured damage', 0, true]]) {
  const table = makeTable(1000, 77, distinct, random);
  const lo = table.layers.reduce((s, l) => s + Math.min(...l.candidates.map((c) => c.bytes)), 0);
  const hi = table.layers.reduce((s, l) => s + Math.max(...l.candidates.map((c) => c.bytes)), 0);
  const times = [];
  for (let j = 0; j <= 40; j++) {
    const budget = Math.floor(lo + ((hi - lo) * j) / 40);
    allocate(table, budget); // warm
    const t0 = performance.now();
    allocate(table, budget);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const row = { case: label, layers: 1000, candidates: 6, op: 'allocate ×41 budgets', medianMs: times[20], minMs: times[0], maxMs: times[40], reps: 41 };
  results.push(row);
  console.log(`${label.padEnd(34)}  1000 layers  allocate ×41 budgets   median ${times[20].toFixed(1).padStart(8)} ms  (min ${times[0].toFixed(1)}, max ${times[40].toFixed(1)})`);
}

const out = {
  machine: machineInfo(),
  date: new Date().toISOString(),
  note: 'median of repetitions after one warm-up; tables synthetic (see bench/mixed-precision.mjs); other helpers may load the machine',
  results,
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'mixed-precision.json'), `${JSON.stringify(out, null, 2)}\n`);
console.log('wrote bench/results/mixed-precision.json');
