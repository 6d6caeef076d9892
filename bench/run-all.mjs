#!/usr/bin/env node
// Runs every benchmark script in bench/ (after `pnpm build`), one after the other so they do not compete for the two
// cores, then gathers their JSON results into bench/results/summary.json. Pass names to run a subset:
// `pnpm bench kernels models`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && f !== 'run-all.mjs')
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.mjs$/, '')))
  .sort();

const failures = [];
for (const script of scripts) {
  console.log(`\n=== bench/${script}`);
  const started = Date.now();
  const result = spawnSync(process.execPath, [join(here, script)], { stdio: 'inherit' });
  console.log(`=== bench/${script}: ${result.status === 0 ? 'done' : `FAILED (exit ${result.status})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (result.status !== 0) failures.push(script);
}

const resultsDir = join(here, 'results');
const summary = {
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  date: new Date().toISOString(),
  results: {},
};
if (existsSync(resultsDir)) {
  for (const file of readdirSync(resultsDir).filter((f) => f.endsWith('.json') && f !== 'summary.json')) {
    summary.results[file.replace(/\.json$/, '')] = JSON.parse(readFileSync(join(resultsDir, file), 'utf8'));
  }
}
writeFileSync(join(resultsDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
console.log(`\nResults gathered in bench/results/summary.json${failures.length ? `; failed: ${failures.join(', ')}` : ''}`);
process.exit(failures.length ? 1 : 0);
