// `pnpm fuzz` for @qint/format: mutates, truncates and splices real .qint files (built from the test models)
// for QINT_FUZZ_ITERATIONS iterations (default 100,000) in a worker thread, and fails on any crash, hang (> 1 s),
// exception other than FormatError, or allocation far beyond the input size. Every failing input is saved to
// __fixtures__/fuzz-regressions/, which `pnpm test` replays.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { decodeModel } from '@qint/onnx';
import { Tensor } from '@qint/tensor';
import { encodeQint } from '../../src/index';
import { kitchenSinkModel, quantizedInitializers, tinyFloatModel } from '../../test/models';

const here = dirname(fileURLToPath(import.meta.url));
const corpusDir = join(here, '..', '__fixtures__', 'fuzz-regressions'); // here = packages/format/.fuzz-build
const iterations = Number(process.env.QINT_FUZZ_ITERATIONS ?? 100_000);
const seed = Number(process.env.QINT_FUZZ_SEED ?? 20261125);
const HANG_MS = 1000;

async function seeds() {
  const tiny = tinyFloatModel();
  const { initializers, quantParams } = quantizedInitializers();
  const quantOnly = { ...tiny, graph: { ...tiny.graph, nodes: [], inputs: [], outputs: [], initializers, quantParams } };
  const empty = { ...tiny, graph: { ...tiny.graph, nodes: [], inputs: [], outputs: [], initializers: new Map() } };
  const misaligned = { ...tiny, graph: { ...tiny.graph, initializers: new Map([['W', tiny.graph.initializers.get('W')], ['B', Tensor.from('int64', [1], [5])]]) } };
  const files = [
    await encodeQint(tiny),
    await encodeQint(kitchenSinkModel(), { metadata: { recipe: { bits: 4 }, user: { a: 'b' } }, extensions: { x_ext: [1, { y: null }] } }),
    await encodeQint(quantOnly, { inlineQuantLimit: 2 }),
    await encodeQint(empty),
    await encodeQint(misaligned),
    // A real model: mnist-8 from the ONNX Model Zoo (in @qint/onnx's fixtures), imported and saved as .qint.
    await encodeQint(decodeModel(new Uint8Array(readFileSync(join(here, '..', '..', 'onnx', 'test', '__fixtures__', 'models', 'mnist-8', 'model.onnx'))))),
  ];
  // Regression inputs are seeds too: mutating near old failures finds their siblings.
  for (const f of readdirSync(corpusDir).filter((n) => n.endsWith('.qint'))) files.push(new Uint8Array(readFileSync(join(corpusDir, f))));
  return files;
}

function save(input, kind, message) {
  mkdirSync(corpusDir, { recursive: true });
  let h = 2166136261;
  for (const b of input) h = Math.imul(h ^ b, 16777619) >>> 0;
  const name = `${kind}-${h.toString(16).padStart(8, '0')}.qint`;
  writeFileSync(join(corpusDir, name), input);
  console.error(`FAIL ${kind}: ${message.split('\n')[0]}\n  saved ${name}`);
}

const seedFiles = await seeds();
const maxInput = 4 * Math.max(...seedFiles.map((f) => f.length)) + 65536;
const shared = { progress: new SharedArrayBuffer(8), input: new SharedArrayBuffer(maxInput) };
const progress = new Int32Array(shared.progress);
const failures = [];
const t0 = performance.now();

const result = await new Promise((resolve) => {
  const worker = new Worker(new URL('./fuzz-worker.js', import.meta.url), {
    workerData: { seeds: seedFiles.map((f) => f.slice().buffer), iterations, seed, shared },
    resourceLimits: { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 64 },
  });
  const currentInput = () => new Uint8Array(shared.input).slice(0, Atomics.load(progress, 1));
  let last = -1;
  let lastChange = performance.now();
  let lastReport = performance.now();
  const watchdog = setInterval(() => {
    const now = performance.now();
    const it = Atomics.load(progress, 0);
    if (it !== last) {
      last = it;
      lastChange = now;
    } else if (now - lastChange > HANG_MS + 1000) {
      // The worker's own 1 s check only fires if the input finishes; an endless loop is caught here.
      failures.push('hang');
      save(currentInput(), 'hang', `iteration ${it} made no progress for ${((now - lastChange) / 1000).toFixed(1)} s`);
      clearInterval(watchdog);
      void worker.terminate();
      resolve({ accepted: 0, reasons: {} });
    }
    if (now - lastReport > 10_000) {
      lastReport = now;
      console.log(`  ${it} / ${iterations} iterations, ${((now - t0) / 1000).toFixed(0)} s`);
    }
  }, 100);
  worker.on('message', (m) => {
    if (m.kind === 'done') {
      clearInterval(watchdog);
      resolve(m);
      return;
    }
    failures.push(m.kind);
    save(new Uint8Array(m.input), m.kind, m.message);
  });
  worker.on('error', (e) => {
    clearInterval(watchdog);
    failures.push('crash');
    save(currentInput(), 'crash', `${e.code ?? ''} ${e.message}`);
    resolve({ accepted: 0, reasons: {} });
  });
  worker.on('exit', (code) => {
    clearInterval(watchdog);
    if (code !== 0 && failures.length === 0) {
      failures.push('crash');
      save(currentInput(), 'crash', `worker exited with code ${code}`);
    }
    resolve({ accepted: 0, reasons: {} });
  });
});

const secs = (performance.now() - t0) / 1000;
console.log(`@qint/format fuzz: ${Atomics.load(progress, 0)} iterations in ${secs.toFixed(1)} s (seed ${seed}), ${result.accepted} inputs decoded, rejections by reason:`);
console.log(JSON.stringify(result.reasons));
if (failures.length > 0) {
  console.error(`${failures.length} failures: ${failures.join(', ')}`);
  process.exit(1);
}
if (Atomics.load(progress, 0) < iterations) {
  console.error('the worker stopped early');
  process.exit(1);
}
