#!/usr/bin/env node
// Adds up vitest's per-run "Tests  N failed | M passed | K skipped (T)" lines from a log and prints one plain closing
// line, `tests: M passed, N failed, K skipped`. Exits 1 when the log holds no test run or any failure.
import { readFileSync } from 'node:fs';

const text = readFileSync(process.argv[2], 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
let passed = 0;
let failed = 0;
let skipped = 0;
let runs = 0;
for (const line of text.split('\n')) {
  const m = /^\S*\s*Tests\s+(.*)\(\d+\)\s*$/.exec(line.replace(/^[^:]*:\s+(?=Tests)/, '').replace(/^[^:]*test:\s+/, ''));
  if (!m) continue;
  runs++;
  for (const part of m[1].split('|')) {
    const n = /(\d+)\s+(passed|failed|skipped|todo)/.exec(part);
    if (!n) continue;
    const count = Number(n[1]);
    if (n[2] === 'passed') passed += count;
    else if (n[2] === 'failed') failed += count;
    else skipped += count;
  }
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(runs > 0 && failed === 0 && passed > 0 ? 0 : 1);
