#!/usr/bin/env node
// The ceilings behind the kernel targets that are not met (issues #3 and #6): the inner loops of the int8 and f32
// GEMMs and of the 8-bit and 4-bit GEMVs, stripped of everything else and run on operands in L1, interleaved in one
// process; GOP/s = 2 × multiply-adds / CPU time. Run from the repository root (needs the dev dependencies only):
//   node bench/tools/simd-ceiling.mjs
// Not part of `pnpm bench` (it measures V8's code for the loops, not the product); prints a table, writes nothing.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '../lib/harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', '..', 'packages', 'kernels-wasm', 'package.json'));
const asc = join(dirname(require.resolve('assemblyscript/package.json')), 'bin', 'asc.js');
const out = join(mkdtempSync(join(tmpdir(), 'qint-ceiling-')), 'loops.wasm');
execFileSync(process.execPath, [asc, join(here, 'simd-ceiling', 'loops.ts'), '-o', out, '-O3', '--noAssert', '--runtime', 'stub', '--enable', 'simd', '--disable', 'relaxed-simd'], { stdio: 'inherit' });
const { instance } = await WebAssembly.instantiate(readFileSync(out), { env: { abort() { throw new Error('abort'); } } });
const e = instance.exports;
e.memory.grow(8);
// Small integers and floats everywhere (values do not change the speed of these instructions).
new Int16Array(e.memory.buffer).fill(3);
const [A, B, C] = [65536, 131072, 262144];
const KP = 256;
// multiply-adds per rep for each loop (see loops.ts)
const loops = {
  'int8 GEMM 4×8 (gemmI16IL, dynGemmIL)': ['gemmInt8', 32 * KP],
  'int8 GEMM 4×8, operands in registers': ['gemmInt8NoLoads', 32 * KP],
  'f32 GEMM 4×8 (gemmF32Panels)': ['gemmF32', 32 * KP],
  '8-bit GEMV (gemvPacked)': ['gemv8', 8 * KP],
  '4-bit GEMV (gemv4RowT)': ['gemv4', 8 * KP],
  'GEMV arithmetic only (weights in registers)': ['gemvArithmetic', 8 * KP],
};
const REPS = 4000;
const ROUNDS = 7;
const samples = Object.fromEntries(Object.keys(loops).map((k) => [k, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, [fn, macs]] of Object.entries(loops)) {
    e[fn](A, KP, B, C, 50);
    const t0 = process.cpuUsage();
    e[fn](A, KP, B, C, REPS);
    const t = process.cpuUsage(t0);
    samples[name].push((2 * macs * REPS) / ((t.user + t.system) * 1e3));
  }
}
const g = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
console.log(`Node ${process.version}, ${ROUNDS} interleaved rounds, median GOP/s (CPU time), K = ${KP}, operands in L1:\n`);
console.log('| loop | GOP/s |\n|---|---:|');
for (const [k, v] of Object.entries(g)) console.log(`| ${k} | ${v.toFixed(1)} |`);
const r = (a, b) => (g[a] / g[b]).toFixed(2);
console.log(`\nint8 GEMM / f32 GEMM: ${r('int8 GEMM 4×8 (gemmI16IL, dynGemmIL)', 'f32 GEMM 4×8 (gemmF32Panels)')}× (same loads and instruction count per step; a dot product does 8 multiply-adds, mul + add 4)`);
console.log(`4-bit GEMV / 8-bit GEMV: ${r('4-bit GEMV (gemv4RowT)', '8-bit GEMV (gemvPacked)')}×; GEMV arithmetic alone / 8-bit GEMV: ${r('GEMV arithmetic only (weights in registers)', '8-bit GEMV (gemvPacked)')}× (the most any narrower weight format can gain while the data is in cache)`);
