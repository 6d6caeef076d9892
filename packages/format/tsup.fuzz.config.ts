// Bundles the fuzzer (not part of the published package): sibling packages resolve to their sources, as in
// vitest.shared.ts, so `pnpm fuzz` needs no prior build of the workspace.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';

const src = (pkg: string): string => fileURLToPath(new URL(`../${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  entry: { 'run-fuzz': 'fuzz/run-fuzz.mjs', 'fuzz-worker': 'fuzz/fuzz-worker.mjs' },
  outDir: 'fuzz/.build',
  format: ['esm'],
  dts: false,
  clean: true,
  target: 'es2022',
  platform: 'node',
  esbuildOptions(options) {
    options.alias = { '@qint/tensor': src('tensor') };
  },
});
