#!/usr/bin/env node
// Kernel benchmark: qint's WASM SIMD and JS backends against onnxruntime-web 1.30 (WASM, 1 thread) and
// tfjs-backend-wasm on the same shapes, in the same process, interleaved. Run after `pnpm build`:
//   node bench/kernels.mjs            (full: ~3-5 minutes on 2 vCPUs)
//   QINT_BENCH_QUICK=1 node bench/kernels.mjs   (fewer repetitions, for a smoke run)
//   QINT_BENCH_ONLY=m1,conv node bench/kernels.mjs   (only these parts: m1, m16, m128, conv, memory; prints, writes no JSON)
//   QINT_BENCH_BASELINE_WASM=old/kernels.wasm ...   (also runs qint's WASM variants on kernels built from another
//                                                   revision, as "base …", interleaved in the same run: side by side;
//                                                   the module must export what the current TypeScript calls)
// Method (shared/PERFORMANCE.md): warm-up, then R rounds over all variants of a shape (interleaved), each round
// taking `reps` repetitions of ≥ repMs; the figure is the median of all repetitions. GOP/s = 2·M·N·K / time.
// Times include what a user pays per call (copying the activation in and the result out, ORT's tensor wrapping).
// Weights are initializers (ORT), packed once (qint dynamicLinear) or persistent tensors (tfjs).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QUICK, createTimer, machineInfo, xorshift } from './lib/harness.mjs';
import { createJsBackend } from '@qint/kernels';
import { createWasmBackend } from '@qint/kernels-wasm';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { DT, encodeModel } from './lib/onnx-proto.mjs';
import { ort, ortSession } from './lib/ort.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ROUNDS = QUICK ? 1 : 3;
const REPS = QUICK ? 2 : 5;
const REP_MS = QUICK ? 20 : 30;
/** JS is ~1.7 GOP/s: only shapes up to this many operations per call. */
const JS_MAX_OPS = 2 ** 29;

const rng = xorshift;
const ONLY = process.env.QINT_BENCH_ONLY ? process.env.QINT_BENCH_ONLY.split(',').map((s) => s.trim()) : null;
const wanted = (part) => !ONLY || ONLY.includes(part);
/** The same WASM backend on kernels of another revision (QINT_BENCH_BASELINE_WASM), or undefined. */
let base;
const timer = createTimer({ rounds: ROUNDS, reps: REPS, repMs: REP_MS });

/** Runs every variant interleaved; returns name → { median, best } ms per call. */
const measure = (variants) => timer.measure(variants);

const summarize = (ms, ops) =>
  Object.fromEntries(
    Object.entries(ms).map(([k, v]) => [
      k,
      { ms: +v.median.toFixed(4), gops: +gops(ops, v.median).toFixed(2), bestMs: +v.best.toFixed(4), gopsBest: +gops(ops, v.best).toFixed(2) },
    ]),
  );

function gemmModels(M, K, N, wInt8, wF32) {
  const dynamic = encodeModel({
    nodes: [
      { op: 'DynamicQuantizeLinear', inputs: ['x'], outputs: ['xq', 'xs', 'xz'] },
      { op: 'MatMulInteger', inputs: ['xq', 'w', 'xz'], outputs: ['acc'] },
      { op: 'Cast', inputs: ['acc'], outputs: ['accf'], attrs: { to: DT.FLOAT } },
      { op: 'Mul', inputs: ['xs', 'ws'], outputs: ['s'] },
      { op: 'Mul', inputs: ['accf', 's'], outputs: ['y'] },
    ],
    initializers: [
      { name: 'w', dataType: DT.INT8, dims: [K, N], data: wInt8 },
      { name: 'ws', dataType: DT.FLOAT, dims: [], data: new Float32Array([0.01]) },
    ],
    inputs: [{ name: 'x', elemType: DT.FLOAT, shape: [M, K] }],
    outputs: [{ name: 'y', elemType: DT.FLOAT, shape: [M, N] }],
  });
  const integer = encodeModel({
    nodes: [{ op: 'MatMulInteger', inputs: ['a', 'w', 'az'], outputs: ['y'] }],
    initializers: [
      { name: 'w', dataType: DT.INT8, dims: [K, N], data: wInt8 },
      { name: 'az', dataType: DT.UINT8, dims: [], data: new Uint8Array([3]) },
    ],
    inputs: [{ name: 'a', elemType: DT.UINT8, shape: [M, K] }],
    outputs: [{ name: 'y', elemType: DT.INT32, shape: [M, N] }],
  });
  const float = encodeModel({
    nodes: [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] }],
    initializers: [{ name: 'w', dataType: DT.FLOAT, dims: [K, N], data: wF32 }],
    inputs: [{ name: 'x', elemType: DT.FLOAT, shape: [M, K] }],
    outputs: [{ name: 'y', elemType: DT.FLOAT, shape: [M, N] }],
  });
  return { dynamic, integer, float };
}

const gops = (ops, ms) => ops / ms / 1e6;

async function benchGemm(wasm, wasmCached, js, M, K) {
  const N = K;
  const r = rng(M * 7919 + K);
  const x = Float32Array.from({ length: M * K }, () => r() * 2 - 1);
  const xU8 = Uint8Array.from({ length: M * K }, () => Math.floor(r() * 256));
  const wInt8 = Int8Array.from({ length: K * N }, () => Math.floor(r() * 255) - 127);
  const wF32 = Float32Array.from({ length: K * N }, () => r() * 0.2 - 0.1);
  // qint's linear weights are output-major [N, K] (nn.Linear); same values transposed.
  const wT8 = new Int8Array(N * K);
  for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) wT8[n * K + k] = wInt8[k * N + n];
  const w4 = Int8Array.from({ length: N * K }, () => Math.floor(r() * 16) - 8);
  const spec8 = { n: N, k: K, bits: 8, values: wT8, blockSize: 0, scales: new Float32Array(N).fill(0.01) };
  const spec4 = { n: N, k: K, bits: 4, values: w4, blockSize: 32, scales: new Float32Array(N * (K / 32)).fill(0.01) };
  const spec4c = { n: N, k: K, bits: 4, values: w4, blockSize: 0, scales: new Float32Array(N).fill(0.01) };
  const p8 = wasm.packLinearWeights(spec8);
  const p4 = wasm.packLinearWeights(spec4);
  const p4c = wasm.packLinearWeights(spec4c);
  // The float weights packed once, as a graph does for a MatMul initializer (prepareGemmWeights → packGemmWeights).
  const pF32 = wasm.packGemmWeights({ k: K, n: N, b: wF32, transB: false });
  const y = new Float32Array(M * N);
  const yi = new Int32Array(M * N);
  const models = gemmModels(M, K, N, wInt8, wF32);
  const [sDyn, sInt, sF32] = await Promise.all([ortSession(models.dynamic), ortSession(models.integer), ortSession(models.float)]);
  const tfB = tf.tensor2d(wF32, [K, N]);
  const variants = [
    { name: 'wasm int8 dynamic', fn: () => wasm.dynamicLinear({ m: M, x, weights: p8, perRow: false, out: y }) },
    { name: 'wasm 4-bit dynamic (block 32)', fn: () => wasm.dynamicLinear({ m: M, x, weights: p4, perRow: false, out: y }) },
    { name: 'wasm 4-bit dynamic (per channel)', fn: () => wasm.dynamicLinear({ m: M, x, weights: p4c, perRow: false, out: y }) },
    ...baseVariants(M, x, y, [['int8 dynamic', spec8], ['4-bit dynamic (block 32)', spec4], ['4-bit dynamic (per channel)', spec4c]]),
    {
      name: 'wasm matMulInteger u8×s8',
      fn: () => wasm.matMulInteger({ m: M, n: N, k: K, a: xU8, b: wInt8, aZeroPoint: new Int32Array([3]), bZeroPoint: new Int32Array([0]), out: yi }),
    },
    { name: 'wasm f32 gemm', fn: () => wasm.gemmF32({ m: M, n: N, k: K, a: x, b: wF32, transB: false, out: y }) },
    {
      name: 'wasm f32 gemm (packed weights)',
      fn: () => wasm.gemmF32({ m: M, n: N, k: K, a: x, b: wF32, transB: false, out: y, packedB: pF32 }),
    },
    {
      name: 'wasm f32 gemm (cached weights)',
      fn: () => wasmCached.gemmF32({ m: M, n: N, k: K, a: x, b: wF32, transB: false, out: y }),
    },
    {
      name: 'wasm matMulInteger u8×s8 (cached weights)',
      fn: () => wasmCached.matMulInteger({ m: M, n: N, k: K, a: xU8, b: wInt8, aZeroPoint: new Int32Array([3]), bZeroPoint: new Int32Array([0]), out: yi }),
    },
    { name: 'ort dynamic int8 pattern', fn: () => sDyn.run({ x: new ort.Tensor('float32', x, [M, K]) }).then((o) => o.y.data) },
    { name: 'ort MatMulInteger u8×s8', fn: () => sInt.run({ a: new ort.Tensor('uint8', xU8, [M, K]) }).then((o) => o.y.data) },
    { name: 'ort f32 MatMul', fn: () => sF32.run({ x: new ort.Tensor('float32', x, [M, K]) }).then((o) => o.y.data) },
    {
      name: 'tfjs-wasm f32 matMul',
      fn: () => {
        const a = tf.tensor2d(x, [M, K]);
        const c = tf.matMul(a, tfB);
        c.dataSync();
        a.dispose();
        c.dispose();
      },
    },
  ];
  if (2 * M * N * K <= JS_MAX_OPS) {
    const j8 = js.packLinearWeights(spec8);
    variants.push(
      { name: 'js int8 dynamic', reps: 1, fn: () => js.dynamicLinear({ m: M, x, weights: j8, perRow: false, out: y }) },
      { name: 'js f32 gemm', reps: 1, fn: () => js.gemmF32({ m: M, n: N, k: K, a: x, b: wF32, transB: false, out: y }) },
    );
  }
  const ms = await measure(variants);
  wasm.releaseLinearWeights(p8);
  wasm.releaseLinearWeights(p4);
  wasm.releaseLinearWeights(p4c);
  wasm.releaseGemmWeights(pF32);
  tfB.dispose();
  await Promise.all([sDyn.release(), sInt.release(), sF32.release()]);
  const ops = 2 * M * N * K;
  const results = summarize(ms, ops);
  const ratiosFor = (field) => {
    const g = (name) => results[name]?.[field];
    const ratio = (a, b) => (g(a) && g(b) ? +(g(a) / g(b)).toFixed(2) : null);
    return {
      'wasm int8 dynamic / ort dynamic int8 pattern': ratio('wasm int8 dynamic', 'ort dynamic int8 pattern'),
      'wasm 4-bit / wasm int8 dynamic': ratio('wasm 4-bit dynamic (block 32)', 'wasm int8 dynamic'),
      'wasm 4-bit per channel / wasm int8 dynamic': ratio('wasm 4-bit dynamic (per channel)', 'wasm int8 dynamic'),
      'wasm f32 gemm / tfjs-wasm f32 matMul': ratio('wasm f32 gemm', 'tfjs-wasm f32 matMul'),
      'wasm f32 gemm (cached weights) / tfjs-wasm f32 matMul': ratio('wasm f32 gemm (cached weights)', 'tfjs-wasm f32 matMul'),
      'wasm f32 gemm (packed weights) / tfjs-wasm f32 matMul': ratio('wasm f32 gemm (packed weights)', 'tfjs-wasm f32 matMul'),
      'wasm int8 dynamic / wasm f32 gemm (packed weights)': ratio('wasm int8 dynamic', 'wasm f32 gemm (packed weights)'),
      'wasm int8 dynamic / wasm f32 gemm (cached weights)': ratio('wasm int8 dynamic', 'wasm f32 gemm (cached weights)'),
      'wasm int8 dynamic / wasm f32 gemm': ratio('wasm int8 dynamic', 'wasm f32 gemm'),
      'wasm int8 dynamic / js int8 dynamic': ratio('wasm int8 dynamic', 'js int8 dynamic'),
      'wasm matMulInteger / ort MatMulInteger': ratio('wasm matMulInteger u8×s8', 'ort MatMulInteger u8×s8'),
      'wasm matMulInteger (cached weights) / ort MatMulInteger': ratio('wasm matMulInteger u8×s8 (cached weights)', 'ort MatMulInteger u8×s8'),
      ...(base
        ? {
            'base: wasm 4-bit / wasm int8 dynamic': ratio('base wasm 4-bit dynamic (block 32)', 'base wasm int8 dynamic'),
            'base: wasm 4-bit per channel / wasm int8 dynamic': ratio('base wasm 4-bit dynamic (per channel)', 'base wasm int8 dynamic'),
          }
        : {}),
    };
  };
  return { M, K, N, results, ratios: ratiosFor('gops'), ratiosBest: ratiosFor('gopsBest') };
}

/** "base wasm …" dynamicLinear variants on the baseline kernels (none without QINT_BENCH_BASELINE_WASM). */
function baseVariants(M, x, y, specs) {
  if (!base) return [];
  return specs.map(([name, spec]) => {
    const p = base.packLinearWeights(spec);
    return { name: `base wasm ${name}`, fn: () => base.dynamicLinear({ m: M, x, weights: p, perRow: false, out: y }) };
  });
}

async function benchConv(wasm, js) {
  const geom = {
    batch: 1, inChannels: 32, inHeight: 26, inWidth: 26, outChannels: 64, kernelHeight: 3, kernelWidth: 3, outHeight: 26,
    outWidth: 26, padTop: 1, padLeft: 1, strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1, group: 1,
  };
  const r = rng(26);
  const xU8 = Uint8Array.from({ length: 32 * 26 * 26 }, () => Math.floor(r() * 256));
  const xF = Float32Array.from({ length: 32 * 26 * 26 }, () => r() * 2 - 1);
  const wS8 = Int8Array.from({ length: 64 * 32 * 9 }, () => Math.floor(r() * 255) - 127);
  const wU8 = Uint8Array.from({ length: 64 * 32 * 9 }, () => Math.floor(r() * 256));
  const wF = Float32Array.from({ length: 64 * 32 * 9 }, () => r() * 0.2 - 0.1);
  const outI = new Int32Array(64 * 676);
  const outF = new Float32Array(64 * 676);
  const convModel = (wType, wData, xType, op) =>
    encodeModel({
      nodes: [{ op, inputs: op === 'Conv' ? ['x', 'w'] : ['x', 'w', 'xz'], outputs: ['y'], attrs: { pads: [1, 1, 1, 1], kernel_shape: [3, 3] } }],
      initializers: [
        { name: 'w', dataType: wType, dims: [64, 32, 3, 3], data: wData },
        ...(op === 'Conv' ? [] : [{ name: 'xz', dataType: DT.UINT8, dims: [], data: new Uint8Array([128]) }]),
      ],
      inputs: [{ name: 'x', elemType: xType, shape: [1, 32, 26, 26] }],
      outputs: [{ name: 'y', elemType: op === 'Conv' ? DT.FLOAT : DT.INT32, shape: [1, 64, 26, 26] }],
    });
  const sU8 = await ortSession(convModel(DT.UINT8, wU8, DT.UINT8, 'ConvInteger'));
  const sS8 = await ortSession(convModel(DT.INT8, wS8, DT.UINT8, 'ConvInteger'));
  const sF = await ortSession(convModel(DT.FLOAT, wF, DT.FLOAT, 'Conv'));
  // The argument objects are built once, as a graph builds a node's geometry once: the calls then time the
  // kernels (copies in and out included), not a 20-property spread and a typed-array allocation per call.
  const wZero = new Int32Array([0]);
  const argsS8 = { ...geom, x: xU8, w: wS8, xZeroPoint: 128, wZeroPoint: wZero, out: outI };
  const argsU8 = { ...geom, x: xU8, w: wU8, xZeroPoint: 128, wZeroPoint: wZero, out: outI };
  const argsF32 = { ...geom, x: xF, w: wF, out: outF };
  const variants = [
    { name: 'wasm convInteger u8×s8', fn: () => wasm.convInteger(argsS8) },
    { name: 'wasm convInteger u8×u8', fn: () => wasm.convInteger(argsU8) },
    { name: 'wasm convF32', fn: () => wasm.convF32(argsF32) },
    ...(base ? [{ name: 'base wasm convInteger u8×s8', fn: () => base.convInteger(argsS8) }] : []),
    { name: 'ort ConvInteger u8×u8', fn: () => sU8.run({ x: new ort.Tensor('uint8', xU8, [1, 32, 26, 26]) }).then((o) => o.y.data) },
    { name: 'ort ConvInteger u8×s8', fn: () => sS8.run({ x: new ort.Tensor('uint8', xU8, [1, 32, 26, 26]) }).then((o) => o.y.data) },
    { name: 'ort Conv f32', fn: () => sF.run({ x: new ort.Tensor('float32', xF, [1, 32, 26, 26]) }).then((o) => o.y.data) },
    { name: 'js convInteger u8×s8', reps: 1, fn: () => js.convInteger(argsS8) },
    { name: 'js convF32', reps: 1, fn: () => js.convF32(argsF32) },
  ];
  const ms = await measure(variants);
  await Promise.all([sU8.release(), sS8.release(), sF.release()]);
  const ops = 2 * 64 * 676 * 288;
  return {
    shape: '1×32×26×26 ⊛ 64×32×3×3, pad 1',
    ops,
    results: summarize(ms, ops),
  };
}

async function memoryFlatness(wasm) {
  const K = 1024;
  const w = wasm.packLinearWeights({ n: K, k: K, bits: 8, values: new Int8Array(K * K).fill(3), blockSize: 0, scales: new Float32Array(K).fill(0.1) });
  const x = new Float32Array(16 * K).fill(0.5);
  const y = new Float32Array(16 * K);
  wasm.dynamicLinear({ m: 16, x, weights: w, perRow: true, out: y });
  const before = wasm.diagnostics();
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  for (let i = 0; i < 10000; i++) wasm.dynamicLinear({ m: 1 + (i % 16), x, weights: w, perRow: i % 2 === 0, out: y });
  const after = wasm.diagnostics();
  const res = {
    calls: 10000,
    seconds: +((performance.now() - t0) / 1000).toFixed(2),
    wasmMemoryBytesBefore: before.memoryBytes,
    wasmMemoryBytesAfter: after.memoryBytes,
    scratchPeakBefore: before.peakBytes,
    scratchPeakAfter: after.peakBytes,
    rssMiBBefore: +(rss0 / 2 ** 20).toFixed(1),
    rssMiBAfter: +(process.memoryUsage().rss / 2 ** 20).toFixed(1),
  };
  wasm.releaseLinearWeights(w);
  return res;
}

async function main() {
  await tf.setBackend('wasm');
  await tf.ready();
  const wasm = await createWasmBackend();
  // Same kernels; constant weight operands of gemmF32/matMulInteger kept in wasm memory (as ORT and tfjs keep initializers).
  const wasmCached = await createWasmBackend({ cacheConstantWeights: true });
  const js = createJsBackend();
  if (process.env.QINT_BENCH_BASELINE_WASM) {
    base = await createWasmBackend({ wasm: readFileSync(process.env.QINT_BENCH_BASELINE_WASM), name: 'wasm-baseline' });
  }
  const started = Date.now();
  const load0 = loadavg();
  const gemm = [];
  for (const M of [1, 16, 128]) {
    if (!wanted(`m${M}`)) continue;
    for (const K of [256, 1024, 4096]) {
      const res = await benchGemm(wasm, wasmCached, js, M, K);
      gemm.push(res);
      const line = Object.entries(res.results).map(([k, v]) => `${k} ${v.gops}`).join(' | ');
      console.log(`M=${M} K=N=${K}: ${line}`);
      console.log(`   ratios: ${Object.entries(res.ratios).filter(([, v]) => v !== null).map(([k, v]) => `${k} = ${v}`).join('; ')}`);
    }
  }
  const conv = wanted('conv') ? await benchConv(wasm, js) : undefined;
  if (conv) console.log(`conv ${conv.shape}: ${Object.entries(conv.results).map(([k, v]) => `${k} ${v.gops}`).join(' | ')}`);
  const memory = wanted('memory') ? await memoryFlatness(wasm) : undefined;
  if (memory) console.log('memory over 10,000 dynamicLinear calls:', memory);
  if (ONLY) {
    // A partial run: the targets need every shape, and results/kernels.json stays the last full run.
    console.log(`load average ${load0.map((v) => v.toFixed(2)).join('/')} → ${loadavg().map((v) => v.toFixed(2)).join('/')}`);
    wasm.dispose();
    wasmCached.dispose();
    base?.dispose();
    return;
  }
  const targets = targetsFrom(gemm, conv, 'ratios', 'gops');
  const targetsBest = targetsFrom(gemm, conv, 'ratiosBest', 'gopsBest');
  console.log('targets (median; worst shape):', targets);
  console.log('targets (fastest repetitions; worst shape):', targetsBest);
  const result = {
    machine: { ...machineInfo(), loadavgStart: load0.map((v) => +v.toFixed(2)), loadavgEnd: loadavg().map((v) => +v.toFixed(2)) },
    date: new Date().toISOString(),
    method: { rounds: ROUNDS, repsPerRound: REPS, repMs: REP_MS, statistic: 'median ms per call (best: fastest repetition)', quick: QUICK, ortThreads: 1 },
    versions: { onnxruntimeWeb: ort.env.versions?.web ?? '1.30.0', tfjs: tf.version_core },
    gemm,
    conv,
    memory,
    targets,
    targetsBest,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'kernels.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote bench/results/kernels.json in ${result.seconds} s`);
  wasm.dispose();
  wasmCached.dispose();
  base?.dispose();
}

/** The issue's performance targets, each as the worst value over the shapes it applies to. */
function targetsFrom(gemm, conv, ratiosKey, gopsKey) {
  const byShape = (M, K) => gemm.find((g) => g.M === M && g.K === K);
  const r = (g, key) => g[ratiosKey][key] ?? Infinity;
  const minOver = (M, key) => Math.min(...[256, 1024, 4096].map((K) => r(byShape(M, K), key)));
  return {
    'dynamic int8 vs ORT pattern at M=1 (≥ 3)': minOver(1, 'wasm int8 dynamic / ort dynamic int8 pattern'),
    'dynamic int8 vs ORT pattern at M=16 (≥ 1.25)': minOver(16, 'wasm int8 dynamic / ort dynamic int8 pattern'),
    'dynamic int8 vs ORT pattern at M=128 (≥ 1.05)': minOver(128, 'wasm int8 dynamic / ort dynamic int8 pattern'),
    '4-bit (block 32) vs 8-bit at M=1, K=4096 (≥ 1.5)': r(byShape(1, 4096), 'wasm 4-bit / wasm int8 dynamic'),
    '4-bit (per channel) vs 8-bit at M=1, K=4096 (≥ 1.5)': r(byShape(1, 4096), 'wasm 4-bit per channel / wasm int8 dynamic'),
    'int8 conv u8×s8 GOP/s (≥ 80)': conv.results['wasm convInteger u8×s8'][gopsKey],
    'int8 conv u8×s8 vs ORT ConvInteger u8×u8': +(conv.results['wasm convInteger u8×s8'][gopsKey] / conv.results['ort ConvInteger u8×u8'][gopsKey]).toFixed(2),
    'wasm f32 (copying b per call) vs tfjs-wasm (≥ 1)': Math.min(...gemm.map((g) => r(g, 'wasm f32 gemm / tfjs-wasm f32 matMul'))),
    'wasm f32 (cached weights) vs tfjs-wasm (≥ 1)': Math.min(...gemm.map((g) => r(g, 'wasm f32 gemm (cached weights) / tfjs-wasm f32 matMul'))),
    'wasm f32 (packed weights) vs tfjs-wasm (≥ 1)': Math.min(...gemm.map((g) => r(g, 'wasm f32 gemm (packed weights) / tfjs-wasm f32 matMul'))),
    'wasm int8 vs wasm f32 (packed) at M≥16 (≥ 1.8)': Math.min(
      ...gemm.filter((g) => g.M >= 16).map((g) => r(g, 'wasm int8 dynamic / wasm f32 gemm (packed weights)')),
    ),
    'wasm int8 vs wasm f32 (cached) at M≥16 (≥ 1.8)': Math.min(
      ...gemm.filter((g) => g.M >= 16).map((g) => r(g, 'wasm int8 dynamic / wasm f32 gemm (cached weights)')),
    ),
    'wasm vs js int8 at M=128 (≥ 20)': Math.min(...gemm.filter((g) => g.M === 128).map((g) => r(g, 'wasm int8 dynamic / js int8 dynamic'))),
  };
}

await main();
