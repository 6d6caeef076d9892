#!/usr/bin/env node
// .qint load/save speed (issue 8). Run after `pnpm build`:  node bench/format.mjs   (QINT_BENCH_QUICK=1 for a smoke run)
// A ~100 MB mixed model (float32, int8 per-axis, int4 blocked) is saved to a temp file; each variant runs interleaved
// with the others for R rounds after a warm-up, and the figure is the median. The file is in the page cache, so
// fs.readFile measures a memory copy from the kernel: the bar is "readQintFile ≤ 2 × readFile" with checksums off.
// Targets from the issue: load < 2× fs.readFile (checksums off); save ≥ 500 MB/s to memory.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeQint, encodeQint, writeQint } from '@qint/format';
import { openQintFile, readQintFile, saveQintFile } from '@qint/format/node';
import { QuantParams, Tensor } from '@qint/tensor';
import { QUICK, machineInfo, median } from './lib/harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ROUNDS = QUICK ? 3 : 9;

function bigModel() {
  const initializers = new Map();
  const quantParams = new Map();
  const nodes = [];
  let prev = 'x';
  const fill = (arr) => {
    for (let i = 0; i < arr.length; i++) arr[i] = (i * 2654435761) >>> 24;
    return arr;
  };
  // 12 float32 1024×1024 (48 MiB), 8 int8 2048×2048 per-axis (32 MiB), 8 int4 2048×2048 blocked-32 (16 MiB + 4 MiB scales/zps)
  for (let i = 0; i < 12; i++) {
    const name = `f${i}`;
    initializers.set(name, Tensor.from('float32', [1024, 1024], new Float32Array(fill(new Uint8Array(4 * 1024 * 1024)).buffer)));
    nodes.push({ name: `mm${i}`, opType: 'MatMul', domain: '', inputs: [prev, name], outputs: [`h${i}`], attributes: {} });
    prev = `h${i}`;
  }
  for (let i = 0; i < 8; i++) {
    const name = `q8_${i}`;
    initializers.set(name, Tensor.from('int8', [2048, 2048], new Int8Array(fill(new Uint8Array(2048 * 2048)).buffer)));
    quantParams.set(name, QuantParams.perAxis('int8', 0, new Float32Array(2048).fill(0.01)));
  }
  for (let i = 0; i < 8; i++) {
    const name = `q4_${i}`;
    initializers.set(name, Tensor.from('int4', [2048, 2048], fill(new Uint8Array(2048 * 1024))));
    const n = 2048 * 64;
    quantParams.set(name, QuantParams.blocked('int4', 1, 32, new Float32Array(n).fill(0.02), new Int32Array(n)));
  }
  return {
    irVersion: 10,
    opsetImports: { '': 21 },
    producerName: 'bench',
    producerVersion: '0',
    metadata: {},
    graph: { name: 'big', nodes, initializers, quantParams, inputs: [{ name: 'x', dtype: 'float32', shape: [1, 1024] }], outputs: [{ name: prev }], valueInfo: [] },
  };
}

async function time(fn) {
  const t0 = performance.now();
  const r = await fn();
  return { ms: performance.now() - t0, r };
}

const dir = mkdtempSync(join(tmpdir(), 'qint-bench-format-'));
const path = join(dir, 'big.qint');
try {
  const model = bigModel();
  const bytes = await encodeQint(model);
  writeFileSync(path, bytes);
  const MB = bytes.byteLength / 1e6;
  console.log(`model file: ${MB.toFixed(1)} MB, ${model.graph.initializers.size} initializers`);

  const variants = {
    'fs.readFile': async () => readFile(path),
    'readQintFile (checksums off)': async () => readQintFile(path, { verifyChecksums: false }),
    'readQintFile (checksums on)': async () => readQintFile(path),
    'openQintFile lazy, readModel (checksums off)': async () => {
      const r = await openQintFile(path, { verifyChecksums: false });
      const doc = await r.readModel();
      await r.close();
      return doc;
    },
    'decodeQint in memory (checksums off)': async () => decodeQint(bytes, { verifyChecksums: false }),
    'decodeQint in memory (checksums on)': async () => decodeQint(bytes),
    'encodeQint to memory': async () => encodeQint(model),
    'baseline: copy the file into fresh memory': async () => new Uint8Array(bytes.byteLength).set(bytes),
    'writeQint to an in-memory sink (keeps chunks)': async () => {
      const chunks = [];
      await writeQint(model, { write: (c) => void chunks.push(c) });
      return chunks;
    },
    'writeQint streaming to a discarding sink': async () => writeQint(model, { write() {} }),
    'saveQintFile to disk': async () => saveQintFile(join(dir, 'out.qint'), model),
  };
  const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (const fn of Object.values(variants)) await fn(); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, fn] of Object.entries(variants)) {
      globalThis.gc?.();
      samples[name].push((await time(fn)).ms);
    }
  }
  const results = {};
  for (const [name, s] of Object.entries(samples)) {
    const ms = median(s);
    results[name] = { medianMs: Number(ms.toFixed(2)), MBps: Number((MB / (ms / 1000)).toFixed(0)) };
  }
  const readFileMs = results['fs.readFile'].medianMs;
  const loadRatio = results['readQintFile (checksums off)'].medianMs / readFileMs;
  const saveMBps = results['encodeQint to memory'].MBps;
  const streamMBps = results['writeQint to an in-memory sink (keeps chunks)'].MBps;
  console.log('\n| variant | median ms | MB/s | × fs.readFile |\n|---|---|---|---|');
  for (const [name, v] of Object.entries(results)) console.log(`| ${name} | ${v.medianMs} | ${v.MBps} | ${(v.medianMs / readFileMs).toFixed(2)} |`);
  console.log(`\nload (checksums off) / fs.readFile = ${loadRatio.toFixed(2)} (target < 2): ${loadRatio < 2 ? 'met' : 'NOT met'}`);
  console.log(`save to memory: encodeQint ${saveMBps} MB/s, streaming writeQint ${streamMBps} MB/s (target >= 500): ${saveMBps >= 500 ? 'met' : streamMBps >= 500 ? 'met by the streaming writer only' : 'NOT met'}`);
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(
    join(here, 'results', 'format.json'),
    `${JSON.stringify(
      {
        machine: machineInfo(),
        date: new Date().toISOString(),
        fileMB: Number(MB.toFixed(1)),
        rounds: ROUNDS,
        results,
        loadVsReadFile: Number(loadRatio.toFixed(3)),
        saveToMemoryMBps: saveMBps,
        streamToMemoryMBps: streamMBps,
        targets: { loadVsReadFileBelow: 2, saveToMemoryMBpsAtLeast: 500 },
      },
      null,
      2,
    )}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
