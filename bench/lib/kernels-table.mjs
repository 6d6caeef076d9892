#!/usr/bin/env node
// Prints bench/results/kernels.json as the Markdown tables of packages/kernels-wasm/README.md.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const r = JSON.parse(readFileSync(join(here, '..', 'results', 'kernels.json'), 'utf8'));
const cols = [
  ['wasm int8 dynamic', 'qint WASM int8 dynamicLinear'],
  ['wasm 4-bit dynamic (block 32)', 'qint WASM 4-bit (block 32)'],
  ['wasm 4-bit dynamic (per channel)', 'qint WASM 4-bit (per channel)'],
  ['ort dynamic int8 pattern', 'ORT-web dynamic int8 pattern'],
  ['wasm matMulInteger u8×s8 (cached weights)', 'qint WASM MatMulInteger (cached b)'],
  ['ort MatMulInteger u8×s8', 'ORT-web MatMulInteger'],
  ['wasm f32 gemm', 'qint WASM f32 (b copied per call)'],
  ['wasm f32 gemm (cached weights)', 'qint WASM f32 (cached b)'],
  ['wasm f32 gemm (packed weights)', 'qint WASM f32 (packed b)'],
  ['ort f32 MatMul', 'ORT-web f32 MatMul'],
  ['tfjs-wasm f32 matMul', 'tfjs-wasm f32'],
  ['js int8 dynamic', 'qint JS int8'],
  ['js f32 gemm', 'qint JS f32'],
];
const lines = [];
lines.push(`Machine: ${r.machine.cpu}, ${r.machine.cores} vCPU, Node ${r.machine.node}; load average during the run ${r.machine.loadavgStart.join('/')} → ${r.machine.loadavgEnd.join('/')} (other jobs shared the 2 vCPUs). ${r.date.slice(0, 10)}, median of ${r.method.rounds}×${r.method.repsPerRound} interleaved repetitions of ≥ ${r.method.repMs} ms; ORT-web ${r.versions.onnxruntimeWeb} 1 thread, tfjs ${r.versions.tfjs}.`);
lines.push('');
lines.push('GOP/s = 2·M·N·K / time per call, K = N (— : not run, JS is limited to small shapes):');
lines.push('');
lines.push(`| M | K = N | ${cols.map((c) => c[1]).join(' | ')} |`);
lines.push(`|---|---|${cols.map(() => '---').join('|')}|`);
for (const g of r.gemm) {
  lines.push(`| ${g.M} | ${g.K} | ${cols.map(([k]) => (g.results[k] ? g.results[k].gops.toFixed(1) : '—')).join(' | ')} |`);
}
lines.push('');
lines.push('Ratios in the same run, of medians (of fastest repetitions):');
lines.push('');
const rk = [
  ['wasm int8 dynamic / ort dynamic int8 pattern', 'int8 dynamic vs ORT pattern'],
  ['wasm 4-bit / wasm int8 dynamic', '4-bit (block 32) vs 8-bit'],
  ['wasm 4-bit per channel / wasm int8 dynamic', '4-bit (per channel) vs 8-bit'],
  ['wasm f32 gemm (packed weights) / tfjs-wasm f32 matMul', 'f32 (packed b) vs tfjs-wasm'],
  ['wasm f32 gemm / tfjs-wasm f32 matMul', 'f32 (b copied) vs tfjs-wasm'],
  ['wasm int8 dynamic / wasm f32 gemm (packed weights)', 'int8 vs f32 (packed b)'],
  ['wasm int8 dynamic / js int8 dynamic', 'WASM vs JS int8'],
];
lines.push(`| M | K = N | ${rk.map((c) => c[1]).join(' | ')} |`);
lines.push(`|---|---|${rk.map(() => '---').join('|')}|`);
const fmt = (g, k) => (g.ratios[k] == null ? '—' : `${g.ratios[k]}× (${g.ratiosBest[k]}×)`);
for (const g of r.gemm) lines.push(`| ${g.M} | ${g.K} | ${rk.map(([k]) => fmt(g, k)).join(' | ')} |`);
lines.push('');
lines.push(`Convolution ${r.conv.shape} (${(r.conv.ops / 1e6).toFixed(1)} MOP), GOP/s, median (fastest repetition):`);
lines.push('');
lines.push(`| ${Object.keys(r.conv.results).join(' | ')} |`);
lines.push(`|${Object.keys(r.conv.results).map(() => '---').join('|')}|`);
lines.push(`| ${Object.values(r.conv.results).map((v) => `${v.gops.toFixed(1)} (${v.gopsBest.toFixed(1)})`).join(' | ')} |`);
lines.push('');
const m = r.memory;
lines.push(`Memory: ${m.calls.toLocaleString('en')} \`dynamicLinear\` calls (M = 1…16, K = N = 1024) in ${m.seconds} s: wasm memory ${m.wasmMemoryBytesBefore} → ${m.wasmMemoryBytesAfter} bytes, scratch peak ${m.scratchPeakBefore} → ${m.scratchPeakAfter}, process RSS ${m.rssMiBBefore} → ${m.rssMiBAfter} MiB.`);
console.log(lines.join('\n'));
