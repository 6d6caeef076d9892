import { readFileSync } from 'node:fs';
import { mergeConfig } from 'vitest/config';
import { packageConfig } from '../../vitest.shared.mjs';

// The tests import @qint/kernels-wasm from source, which imports its compiled kernels as bytes (tsup's `.wasm` binary
// loader): the same plugin as packages/kernels-wasm/vitest.config.ts. build/kernels.wasm comes from that package's build.
export default mergeConfig(packageConfig({ testTimeout: 180_000 }), {
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
