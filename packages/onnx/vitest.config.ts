import { readFileSync } from 'node:fs';
import { mergeConfig } from 'vitest/config';
import { packageConfig } from '../../vitest.shared.mjs';

// The conformance and model tests run on @qint/kernels-wasm, aliased to its sources, which import the built
// `build/kernels.wasm` as bytes (tsup's binary loader); this plugin does the same for vitest.
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
