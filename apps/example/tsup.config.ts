import { defineConfig } from 'tsup';

// The Node demo (`pnpm demo`): one ESM file that imports the built `qint` package.
export default defineConfig({
  entry: { demo: 'src/demo.ts' },
  format: ['esm'],
  target: 'es2022',
  sourcemap: true,
  clean: false,
});
