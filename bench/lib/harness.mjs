// The timing harness shared by the benchmark scripts: what machine this is, a seeded generator for inputs, and
// interleaved measurement (every variant warmed up, then rounds in which each variant runs a few repetitions of
// back-to-back calls lasting at least `repMs`; the median repetition is the figure, the fastest is kept as well since
// other jobs may share the two cores).
import { execSync } from 'node:child_process';
import { cpus } from 'node:os';

/** Whether `QINT_BENCH_QUICK` asks for a short run (fewer rounds, shorter repetitions). */
export const QUICK = !!process.env.QINT_BENCH_QUICK;

/** CPU model (from lscpu where it exists), core count, Node and V8 versions. */
export function machineInfo() {
  let model = cpus()[0]?.model ?? 'unknown';
  try {
    const line = execSync('lscpu', { encoding: 'utf8' }).split('\n').find((l) => l.startsWith('Model name'));
    if (line) model = line.split(':')[1].trim();
  } catch {
    // lscpu is Linux-only; os.cpus() is the fallback.
  }
  return { cpu: model, cores: cpus().length, node: process.version, v8: process.versions.v8 };
}

/** A seeded xorshift32 generator of numbers in [0, 1), so that every run benchmarks the same data. */
export function xorshift(seed) {
  let s = seed | 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** The median of `xs` (the upper one of an even count), without reordering `xs`. */
export function median(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1];
}

/**
 * An interleaved timer.
 * @param {{ rounds: number, reps: number, repMs: number }} settings
 */
export function createTimer({ rounds, reps, repMs }) {
  /** Mean ms per call over back-to-back calls lasting at least `repMs`. */
  async function measureRep(fn) {
    let calls = 0;
    const t0 = performance.now();
    let t;
    do {
      await fn();
      calls++;
      t = performance.now() - t0;
    } while (t < repMs);
    return t / calls;
  }

  /**
   * Runs every variant interleaved: `{ name, fn, before?, reps? }` (`before` selects a backend, say, each round).
   * @returns {Promise<Record<string, { median: number, best: number }>>} ms per call
   */
  async function measure(variants) {
    for (const v of variants) {
      await v.before?.();
      await v.fn(); // first call: lazy initialization, allocation
      await measureRep(v.fn);
    }
    const samples = new Map(variants.map((v) => [v.name, []]));
    for (let r = 0; r < rounds; r++) {
      for (const v of variants) {
        await v.before?.();
        for (let i = 0; i < (v.reps ?? reps); i++) samples.get(v.name).push(await measureRep(v.fn));
      }
    }
    const out = {};
    for (const [name, s] of samples) {
      s.sort((a, b) => a - b);
      out[name] = { median: s[Math.floor(s.length / 2)], best: s[0] };
    }
    return out;
  }

  return { measureRep, measure };
}

/** `{ name: { median } }` → `{ name: median }`. */
export function medians(results) {
  return Object.fromEntries(Object.entries(results).map(([name, r]) => [name, r.median]));
}
