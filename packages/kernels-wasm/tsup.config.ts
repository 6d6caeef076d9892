import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // The compiled kernels are embedded as bytes so that Node and bundlers need no file path or fetch.
  loader: { '.wasm': 'binary' },
});
