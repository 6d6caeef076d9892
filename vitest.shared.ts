// Shared vitest settings for every workspace package.
// Tests resolve sibling packages to their TypeScript sources, so a package's tests never run against a stale `dist/`
// of a dependency; the pack test (scripts/test/pack.test.ts) separately proves that the built packages work as published.
import { readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));

function workspaceAliases(): Record<string, string> {
  const aliases: Record<string, string> = {};
  const packagesDir = join(root, 'packages');
  for (const folder of readdirSync(packagesDir)) {
    const entry = join(packagesDir, folder, 'src', 'index.ts');
    if (!existsSync(entry)) continue;
    const name = folder === 'qint' ? 'qint' : `@qint/${folder}`;
    aliases[name] = entry;
  }
  return aliases;
}

/** Builds a package's vitest config: sources aliased, tests beside the code and in `test/`. */
export function packageConfig(overrides: ViteUserConfig['test'] = {}): ViteUserConfig {
  return defineConfig({
    resolve: { alias: workspaceAliases() },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 60_000,
      ...overrides,
    },
  });
}
