// Shared vitest settings for every workspace package.
// Tests resolve sibling packages to their TypeScript sources, so a package's tests never run against a stale `dist/`
// of a dependency; the pack test (scripts/test/pack.test.ts) separately proves that the built packages work as published.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));

/**
 * Exact-match aliases `@qint/x` -> `packages/x/src/index.ts`, and subpath exports `@qint/x/y` -> `packages/x/src/y.ts`.
 * @returns {{ find: RegExp, replacement: string }[]}
 */
function workspaceAliases() {
  const aliases = [];
  const packagesDir = join(root, 'packages');
  for (const folder of readdirSync(packagesDir)) {
    const src = join(packagesDir, folder, 'src');
    if (!existsSync(join(src, 'index.ts'))) continue;
    const name = (folder === 'qint' ? 'qint' : `@qint/${folder}`).replace('/', '\\/');
    aliases.push({ find: new RegExp(`^${name}$`), replacement: join(src, 'index.ts') });
    aliases.push({ find: new RegExp(`^${name}/(.+)$`), replacement: `${src}/$1.ts` });
  }
  return aliases;
}

/**
 * Mirrors tsup's `loader: { '.wasm': 'binary' }` used by @qint/kernels-wasm: importing a `.wasm` file gives its bytes.
 * Every package whose tests import @qint/kernels-wasm from source needs it (its build/kernels.wasm is made by
 * `pnpm build`, which `pnpm test` runs first).
 */
const wasmBinaryPlugin = {
  name: 'qint-wasm-binary',
  enforce: /** @type {const} */ ('pre'),
  /** @param {string} id */
  load(id) {
    if (!id.endsWith('.wasm')) return null;
    const b64 = readFileSync(id).toString('base64');
    return `export default Uint8Array.from(atob(${JSON.stringify(b64)}), (c) => c.charCodeAt(0));`;
  },
};

/**
 * Builds a package's vitest config: sources aliased, tests beside the code and in `test/`.
 * @param {import("vitest/config").ViteUserConfig["test"]} [overrides]
 */
export function packageConfig(overrides = {}) {
  return defineConfig({
    resolve: { alias: workspaceAliases() },
    plugins: [wasmBinaryPlugin],
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 60_000,
      ...overrides,
    },
  });
}
