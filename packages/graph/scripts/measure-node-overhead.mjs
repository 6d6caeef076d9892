// Measures the executor's per-node overhead: a chain of N cheap nodes on a 1-element tensor, so the time is almost
// all dispatch (slot reads, kernel call, live-byte accounting, release). Run after `pnpm build`:
//   node scripts/measure-node-overhead.mjs
// Prints JSON. Not part of `pnpm test` (timings never are).
import { Tensor } from '@qint/tensor';
import { createSession } from '../dist/index.js';

function chain(opType, n) {
  const nodes = [];
  for (let i = 0; i < n; i++) {
    nodes.push({ name: `n${i}`, opType, domain: '', inputs: [i === 0 ? 'x' : `v${i - 1}`], outputs: [i === n - 1 ? 'y' : `v${i}`], attributes: {} });
  }
  return {
    irVersion: 8,
    opsetImports: { '': 17 },
    producerName: 'bench',
    producerVersion: '0',
    metadata: {},
    graph: { name: 'chain', nodes, initializers: new Map(), inputs: [{ name: 'x', dtype: 'float32', shape: [1] }], outputs: [{ name: 'y' }], valueInfo: [] },
  };
}

function median(a) {
  const s = a.slice().sort((p, q) => p - q);
  return s[s.length >> 1];
}

const N = 1000;
const x = Tensor.from('float32', [1], [1]);
const result = { machine: `${process.platform} ${process.arch}, node ${process.version}`, nodes: N, results: {} };
for (const op of ['Identity', 'Relu', 'Neg']) {
  const s = createSession(chain(op, N));
  for (let i = 0; i < 200; i++) s.run({ x }); // warm-up
  const times = [];
  for (let r = 0; r < 15; r++) {
    const reps = 50;
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) s.run({ x });
    times.push(((performance.now() - t0) / reps / N) * 1000);
  }
  result.results[op] = { usPerNodeMedian: Number(median(times).toFixed(3)), usPerNodeMin: Number(Math.min(...times).toFixed(3)) };
}
console.log(JSON.stringify(result, null, 2));
