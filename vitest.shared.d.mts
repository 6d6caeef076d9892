import type { ViteUserConfig } from 'vitest/config';

/** Builds a package's vitest config: sibling packages aliased to their sources, tests beside the code and in `test/`. */
export function packageConfig(overrides?: ViteUserConfig['test']): ViteUserConfig;
