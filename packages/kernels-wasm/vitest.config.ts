import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageConfig } from '../../vitest.shared.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const wasmFile = join(here, 'build', 'kernels.wasm');
// The `test` script compiles the kernels with asc before vitest; a bare `vitest` on a fresh clone compiles them here.
// The shared config's loader turns the `.wasm` import into its bytes, as tsup's binary loader does in the bundle.
if (!existsSync(wasmFile)) {
  execFileSync(join(here, 'node_modules', '.bin', 'asc'), ['assembly/index.ts', '--config', 'asconfig.json', '--target', 'release'], {
    cwd: here,
    stdio: 'inherit',
  });
}

export default packageConfig();
