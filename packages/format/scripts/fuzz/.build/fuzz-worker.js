import {
  FormatError,
  bytesSource,
  decodeQint,
  openQint
} from "./chunk-TASELRNN.js";

// fuzz/fuzz-worker.mjs
import { parentPort, workerData } from "worker_threads";
import xxhash from "xxhash-wasm";
var { seeds, iterations, seed, shared } = workerData;
var progress = new Int32Array(shared.progress);
var current = new Uint8Array(shared.input);
var { create64 } = await xxhash();
var s0 = BigInt(seed) | 1n;
var s1 = 0x9e3779b97f4a7c15n;
var M = (1n << 64n) - 1n;
function nextU32() {
  let x = s0;
  const y = s1;
  s0 = y;
  x = (x ^ x << 23n) & M;
  s1 = x ^ y ^ x >> 17n ^ y >> 26n;
  return Number(s1 + y & 0xffffffffn);
}
var rand = (n) => nextU32() % n;
var pick = (a) => a[rand(a.length)];
var INTERESTING32 = [0, 1, 2, 7, 8, 31, 32, 63, 64, 65, 127, 128, 255, 256, 32767, 32768, 65535, 65536, 2147483647, 2147483648, 4294967294, 4294967295];
var INTERESTING_NUMBERS = ["0", "-1", "1", "-0", "1e308", "1e400", "9007199254740993", "9007199254740991", "4294967296", "2147483648", "65", "64", "0.5", "-9223372036854775808", "1e-50", "3.4e39", "null", "true", '""', "[]", "{}", '"NaN"', '"float64"', '"int4"', "[1,2,3]"];
function headerLength(f) {
  return f.length >= 16 ? new DataView(f.buffer, f.byteOffset).getUint32(12, true) : 0;
}
function reseal(f, jsonBytes) {
  const oldLen = headerLength(f);
  const oldData = Math.ceil((32 + oldLen) / 64) * 64;
  const data = f.subarray(Math.min(oldData, f.length));
  const newData = Math.ceil((32 + jsonBytes.length) / 64) * 64;
  const out = new Uint8Array(newData + data.length);
  out.set(f.subarray(0, 32));
  const v = new DataView(out.buffer);
  v.setUint32(12, jsonBytes.length, true);
  out.set(jsonBytes, 32);
  out.set(data, newData);
  const h = create64(0n);
  h.update(out.subarray(0, 16));
  h.update(out.subarray(24, 32 + jsonBytes.length));
  v.setBigUint64(16, h.digest(), true);
  return out;
}
var enc = new TextEncoder();
var dec = new TextDecoder();
function mutateJson(f) {
  const len = headerLength(f);
  if (f.length < 32 + len || len === 0) return f;
  let text = dec.decode(f.subarray(32, 32 + len));
  const ops = 1 + rand(3);
  for (let k = 0; k < ops; k++) {
    const r = rand(7);
    if (r === 0) {
      const nums = [...text.matchAll(/-?\d+(\.\d+)?([eE][+-]?\d+)?/g)];
      if (nums.length) {
        const m = pick(nums);
        text = text.slice(0, m.index) + pick(INTERESTING_NUMBERS) + text.slice(m.index + m[0].length);
      }
    } else if (r === 1) {
      const strs = [...text.matchAll(/"(?:[^"\\]|\\.)*"/g)];
      if (strs.length) {
        const m = pick(strs);
        const other = pick(strs)[0];
        text = text.slice(0, m.index) + pick([other, '"__proto__"', '"constructor"', '"x"', '""', '"\\ud800"', "1", "null", "{}", '"' + "A".repeat(rand(3e3)) + '"']) + text.slice(m.index + m[0].length);
      }
    } else if (r === 2) {
      const a = rand(text.length);
      text = text.slice(0, a) + text.slice(a + rand(40));
    } else if (r === 3) {
      const a = rand(text.length);
      const b = Math.min(text.length, a + rand(200));
      text = text.slice(0, b) + text.slice(a, b) + text.slice(b);
    } else if (r === 4) {
      const a = rand(text.length);
      const ins = pick(["{", "}", "[", "]", ",", ":", '"', "\\", "[[[[[[[[[[[[[[[[", "[".repeat(200 + rand(400))]);
      text = text.slice(0, a) + ins + text.slice(a);
    } else if (r === 5) {
      text = text.replace(/"offset":(\d+)/g, (m, d) => rand(4) === 0 ? `"offset":${pick(["0", "64", String(Number(d) + 64), String(Number(d) - 64), "1"])}` : m);
    } else {
      text = text.replace(/"shape":\[([\d,]*)\]/, () => `"shape":[${pick(["", "0", "1,1,1", "4294967296,4294967296", "100000,100000", "3,-1", "65"])}]`);
    }
  }
  return reseal(f, enc.encode(text));
}
function mutateBytes(f) {
  const out = f.slice();
  const n = 1 + rand(8);
  for (let k = 0; k < n && out.length; k++) {
    const r = rand(4);
    const at = rand(out.length);
    if (r === 0) out[at] ^= 1 << rand(8);
    else if (r === 1) out[at] = pick([0, 255, 127, 128, 34, 92]);
    else if (r === 2 && out.length >= 4) {
      const p = rand(8) < 5 ? pick([12, 24, 28, 8, 10, 16]) : rand(out.length - 3);
      new DataView(out.buffer).setUint32(Math.min(p, out.length - 4), pick(INTERESTING32), true);
    } else out[at] = rand(256);
  }
  return out;
}
function mutate(inputs2) {
  const f = pick(inputs2);
  const r = rand(10);
  if (r < 4) return mutateJson(f);
  if (r < 7) return mutateBytes(f);
  if (r < 8) return f.subarray(0, rand(f.length + 1));
  if (r < 9) {
    const g = pick(inputs2);
    const a = rand(f.length + 1);
    const b = rand(g.length + 1);
    const out = new Uint8Array(a + g.length - b);
    out.set(f.subarray(0, a));
    out.set(g.subarray(b), a);
    return out;
  }
  return mutateBytes(mutateJson(f));
}
var inputs = seeds.map((s) => new Uint8Array(s));
var accepted = 0;
var reasons = {};
for (let i = 0; i < iterations; i++) {
  let input = mutate(inputs);
  if (input.length > current.length) input = input.subarray(0, current.length);
  current.set(input);
  Atomics.store(progress, 1, input.length);
  Atomics.store(progress, 0, i + 1);
  const verifyChecksums = rand(4) === 0;
  const lazy = rand(8) === 0;
  const before = process.memoryUsage().arrayBuffers;
  const t0 = performance.now();
  try {
    const doc = lazy ? await (await openQint(bytesSource(input), { verifyChecksums })).readModel() : await decodeQint(input, { verifyChecksums });
    const grown = process.memoryUsage().arrayBuffers - before;
    if (grown > 64 * 1024 * 1024 + 16 * input.length) {
      parentPort.postMessage({ kind: "allocation", input, message: `arrayBuffers grew by ${grown} bytes for a ${input.length}-byte input` });
    }
    void doc;
    accepted++;
    if (inputs.length < 64 && rand(16) === 0) inputs.push(input.slice());
  } catch (e) {
    if (!(e instanceof FormatError)) {
      parentPort.postMessage({ kind: "exception", input, message: `${e?.name}: ${e?.message}
${e?.stack}` });
    } else {
      reasons[e.reason] = (reasons[e.reason] ?? 0) + 1;
    }
  }
  const ms = performance.now() - t0;
  if (ms > 1e3) parentPort.postMessage({ kind: "slow", input, message: `took ${ms.toFixed(0)} ms` });
}
parentPort.postMessage({ kind: "done", accepted, reasons });
