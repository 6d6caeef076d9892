#!/usr/bin/env node
// Fuzzes the ONNX importer: mutates and truncates real models and tensor files, decodes them, and fails on any
// exception that is not a QintError (OnnxError, ShapeError, ...) or on a hang. Inputs that fail are saved to
// test/__fixtures__/fuzz-corpus/ (the regression corpus checked by `pnpm test`).
//
//   node scripts/fuzz-import.mjs [--iterations N] [--seed S] [--seconds T] [--hang-ms MS]
//
// Runs against the built package (dist/): the package's `fuzz` script builds first. Every iteration is derived from
// (seed, iteration number) alone, so a failure is reproducible; the fuzzing runs in a worker thread and the main thread
// kills it when one input takes longer than --hang-ms.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const PKG = join(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = join(PKG, 'test', '__fixtures__');
const CORPUS = join(FIXTURES, 'fuzz-corpus');

function parseArgs(argv) {
  const opts = { iterations: 20000, seed: 1, seconds: Infinity, hangMs: 10000 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    const value = Number(argv[i + 1]);
    if (key === 'iterations') opts.iterations = value;
    else if (key === 'seed') opts.seed = value;
    else if (key === 'seconds') opts.seconds = value;
    else if (key === 'hang-ms') opts.hangMs = value;
    else throw new Error(`unknown option ${argv[i]}`);
  }
  return opts;
}

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(onnx|pb)$/.test(name)) out.push(p);
  }
  return out;
}

function seeds() {
  // The big shufflenet model is included but drawn less often (see pick()), it costs ~15 ms per decode.
  return walk(FIXTURES).sort();
}

// mulberry32: small, seedable, good enough to spread mutations.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x08, 0x0a, 0x12, 0x1a, 0x22, 0x4a];
const HUGE_VARINT = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];

/** Offsets of field tags, recursing (best effort) into length-delimited fields up to 4 levels deep. */
function tagOffsets(bytes, start, end, depth, out) {
  let pos = start;
  const varint = () => {
    let v = 0;
    let scale = 1;
    for (let k = 0; k < 10 && pos < bytes.length; k++) {
      const b = bytes[pos++];
      v += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return v;
    }
    return -1;
  };
  while (pos < end) {
    const at = pos;
    const tag = varint();
    if (tag < 0) break;
    out.push(at);
    const wire = tag & 7;
    if (wire === 0) varint();
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const n = varint();
      if (n < 0 || pos + n > end) break;
      if (depth < 4) tagOffsets(bytes, pos, pos + n, depth + 1, out);
      pos += n;
    } else break;
  }
  return out;
}

/** Builds iteration `i`'s input from the seed files: pure function of (seed, i). */
export function makeInput(files, contents, seed, i) {
  const r = rng((seed * 1000003) ^ i);
  const int = (n) => Math.floor(r() * n);
  // Prefer small files: most bugs show on any file, and small ones decode fast.
  let index = int(files.length);
  if (contents[index].length > 500000 && r() < 0.9) index = int(files.length);
  let bytes = Array.from(contents[index]);
  const mutations = 1 + int(4);
  for (let m = 0; m < mutations; m++) {
    const pos = int(bytes.length + 1);
    switch (int(10)) {
      case 0: // flip a bit
        if (bytes.length) bytes[pos % bytes.length] ^= 1 << int(8);
        break;
      case 1: // interesting byte
        if (bytes.length) bytes[pos % bytes.length] = INTERESTING[int(INTERESTING.length)];
        break;
      case 2: // truncate
        bytes = bytes.slice(0, pos);
        break;
      case 3: // random bytes inserted
        bytes.splice(pos, 0, ...Array.from({ length: 1 + int(8) }, () => int(256)));
        break;
      case 4: // delete a range
        bytes.splice(pos, 1 + int(16));
        break;
      case 5: // duplicate a range
        bytes.splice(pos, 0, ...bytes.slice(pos, pos + 1 + int(64)));
        break;
      case 6: // a huge varint (lengths, dims, counts)
        bytes.splice(pos, int(3), ...HUGE_VARINT.slice(int(5)));
        break;
      case 7: { // splice in part of another file
        const other = contents[int(contents.length)];
        const start = int(other.length);
        bytes.splice(pos, int(8), ...other.subarray(start, start + 1 + int(256)));
        break;
      }
      case 8: { // another wire type on a field tag (the top-level message's, or one nested in it)
        const tags = tagOffsets(bytes, 0, bytes.length, 0, []);
        if (tags.length) {
          const t = tags[int(tags.length)];
          bytes[t] = (bytes[t] & ~7) | int(8);
        }
        break;
      }
      default: // random byte
        if (bytes.length) bytes[pos % bytes.length] = int(256);
    }
  }
  return { bytes: Uint8Array.from(bytes), from: files[index] };
}

async function worker() {
  const { files, seed, start, end } = workerData;
  const onnx = await import(join(PKG, 'dist', 'index.js'));
  const { QintError, Tensor } = await import('@qint/tensor');
  const { InferenceSession } = await import('@qint/graph');
  const { createJsBackend } = await import('@qint/kernels');
  const js = createJsBackend();
  // A model that decodes is also loaded and run on zeros of its input shapes, under a 2 MiB tensor limit.
  const runDecoded = (model) => {
    if (model.graph.nodes.length > 200) return;
    const session = InferenceSession.create(model, { maxTensorBytes: 2 ** 21, backend: js });
    const feeds = {};
    for (const vi of session.requiredInputs) {
      if (vi.dtype === undefined) return;
      const shape = (vi.shape ?? []).map((d) => (typeof d === 'number' ? d : 1));
      if (shape.reduce((a, b) => a * b, 1) > 2 ** 20) return;
      feeds[vi.name] = Tensor.zeros(vi.dtype, shape);
    }
    session.run(feeds);
  };
  const contents = files.map((f) => readFileSync(f));
  // Outcome counts, reported at the end so a run shows that inputs got past the protobuf layer.
  const stats = { ok: 0, rejected: 0 };
  const check = (fn) => {
    try {
      fn();
      stats.ok++;
      return undefined;
    } catch (e) {
      if (!(e instanceof QintError)) return e;
      stats.rejected++;
      return undefined;
    }
  };
  for (let i = start; i < end; i++) {
    // Stats ride along every 1000 inputs, so a run stopped at its deadline still reports them.
    parentPort.postMessage(i % 1000 === 0 ? { type: 'tick', i, stats } : { type: 'tick', i });
    const { bytes } = makeInput(files, contents, seed, i);
    let model;
    const errors = [
      check(() => {
        model = onnx.decodeModel(bytes);
      }),
      check(() => onnx.decodeTensor(bytes)),
    ];
    // A model that decodes must also export, and the export must decode to the same node count.
    if (model !== undefined) {
      errors.push(
        check(() => {
          const again = onnx.decodeModel(onnx.encodeModel(model));
          if (again.graph.nodes.length !== model.graph.nodes.length) throw new Error('re-import lost nodes');
        }),
        check(() => runDecoded(model)),
      );
    }
    const bad = errors.find((e) => e !== undefined);
    if (bad !== undefined) parentPort.postMessage({ type: 'fail', i, error: String(bad && bad.stack ? bad.stack : bad) });
  }
  parentPort.postMessage({ type: 'done', stats });
}

function save(files, seed, i, why) {
  const contents = files.map((f) => readFileSync(f));
  const { bytes, from } = makeInput(files, contents, seed, i);
  mkdirSync(CORPUS, { recursive: true });
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const file = join(CORPUS, `${hash}${from.endsWith('.pb') ? '.pb' : '.onnx'}`);
  writeFileSync(file, bytes);
  console.error(`FAIL iteration ${i} (seed ${seed}, from ${relative(PKG, from)}): ${why}\n  saved ${relative(PKG, file)}`);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(join(PKG, 'dist', 'index.js'))) throw new Error('build the package first (pnpm --filter @qint/onnx build)');
  const files = seeds();
  const deadline = Date.now() + opts.seconds * 1000;
  let failures = 0;
  let next = 0;
  const totals = { ok: 0, rejected: 0 };
  const started = Date.now();
  // One worker per chunk: a hang kills only its worker; the run continues after the hanging iteration.
  while (next < opts.iterations && Date.now() < deadline) {
    const start = next;
    const end = opts.iterations;
    const result = await new Promise((resolve) => {
      const w = new Worker(fileURLToPath(import.meta.url), { workerData: { files, seed: opts.seed, start, end } });
      let current = start;
      let timer;
      let lastStats = { ok: 0, rejected: 0 };
      const finish = (result) => {
        totals.ok += lastStats.ok;
        totals.rejected += lastStats.rejected;
        resolve(result);
      };
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          w.terminate();
          finish({ hang: current });
        }, opts.hangMs);
      };
      const stopAtDeadline = setInterval(() => {
        if (Date.now() > deadline) {
          clearInterval(stopAtDeadline);
          clearTimeout(timer);
          w.terminate();
          finish({ done: current });
        }
      }, 250);
      arm();
      w.on('message', (msg) => {
        if (msg.type === 'tick') {
          current = msg.i;
          if (msg.stats) lastStats = msg.stats;
          arm();
          if (msg.i % 1000 === 0 && msg.i > 0) console.log(`  ${msg.i} inputs, ${((Date.now() - started) / 1000).toFixed(0)} s`);
        } else if (msg.type === 'fail') {
          failures++;
          save(files, opts.seed, msg.i, msg.error);
        } else if (msg.type === 'done') {
          lastStats = msg.stats;
          clearTimeout(timer);
          clearInterval(stopAtDeadline);
          finish({ done: end });
        }
      });
      w.on('error', (e) => {
        clearTimeout(timer);
        clearInterval(stopAtDeadline);
        finish({ crash: current, error: e });
      });
    });
    if (result.hang !== undefined) {
      failures++;
      save(files, opts.seed, result.hang, `no result after ${opts.hangMs} ms (hang)`);
      next = result.hang + 1;
    } else if (result.crash !== undefined) {
      failures++;
      save(files, opts.seed, result.crash, `worker crashed: ${result.error}`);
      next = result.crash + 1;
    } else next = result.done;
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`fuzz-import: ${next} inputs from ${files.length} seed files (seed ${opts.seed}) in ${seconds} s: ${totals.ok} decodes succeeded, ${totals.rejected} rejected with a QintError, ${failures} failure(s)`);
  process.exit(failures > 0 ? 1 : 0);
}

if (isMainThread) {
  main().catch((e) => {
    console.error(e);
    process.exit(2);
  });
} else {
  worker();
}
