import { readFileSync } from 'node:fs';
import { mergeConfig } from 'vitest/config';
import { packageConfig } from '../../vitest.shared.mjs';

// Mirrors tsup's `loader: { '.wasm': 'binary' }`: a `.wasm` import is the module's bytes. The `test` script compiles
// build/kernels.wasm with asc first, so tests always run the kernels built from the current assembly/ sources.
export default mergeConfig(packageConfig(), {
  plugins: [
    {
      name: 'qint-wasm-binary',
      enforce: 'pre' as const,
      load(id: string) {
        if (!id.endsWith('.wasm')) return null;
        const b64 = readFileSync(id).toString('base64');
        return `export default Uint8Array.from(atob(${JSON.stringify(b64)}), (c) => c.charCodeAt(0));`;
      },
    },
  ],
});
