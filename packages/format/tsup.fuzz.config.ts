// Bundles the fuzzer (not part of the published package): sibling packages resolve to their sources, as in
// vitest.shared.ts, so `pnpm fuzz` needs no prior build of the workspace.
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';

const packages = fileURLToPath(new URL('..', import.meta.url));
const aliases: Record<string, string> = {};
for (const folder of readdirSync(packages)) {
  const entry = `${packages}${folder}/src/index.ts`;
  if (folder !== 'format' && folder !== 'qint' && existsSync(entry)) aliases[`@qint/${folder}`] = entry;
}

export default defineConfig({
  entry: { 'run-fuzz': 'scripts/fuzz/run-fuzz.mjs', 'fuzz-worker': 'scripts/fuzz/fuzz-worker.mjs' },
  outDir: '.fuzz-build',
  format: ['esm'],
  dts: false,
  clean: true,
  target: 'es2022',
  platform: 'node',
  esbuildOptions(options) {
    options.alias = aliases;
    options.loader = { ...options.loader, '.wasm': 'binary' };
  },
});
