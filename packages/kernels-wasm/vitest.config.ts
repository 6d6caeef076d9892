import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mergeConfig } from 'vitest/config';
import { packageConfig } from '../../vitest.shared.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const wasmFile = join(here, 'build', 'kernels.wasm');
// The `test` script compiles the kernels with asc before vitest; a bare `vitest` on a fresh clone compiles them here.
if (!existsSync(wasmFile)) {
  execFileSync(join(here, 'node_modules', '.bin', 'asc'), ['assembly/index.ts', '--config', 'asconfig.json', '--target', 'release'], {
    cwd: here,
    stdio: 'inherit',
  });
}

// Mirrors tsup's `loader: { '.wasm': 'binary' }`: a `.wasm` import is the module's bytes.
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
