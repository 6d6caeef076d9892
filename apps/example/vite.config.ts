import { defineConfig } from 'vite';

// The web page: built by `pnpm build` into dist-web/, served by `pnpm --filter example preview`.
export default defineConfig({
  root: 'web',
  base: './',
  build: { outDir: '../dist-web', emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
  preview: { port: 4173, strictPort: true },
});
