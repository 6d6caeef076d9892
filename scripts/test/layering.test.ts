import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM script without type declarations
import { checkLayering } from '../check-layering.mjs';

const repoRoot = resolve(dirname(new URL(import.meta.url).pathname), '..', '..');
const scratch: string[] = [];

/** Writes a throwaway workspace: `files` maps relative paths to contents (objects are written as JSON). */
function workspace(files: Record<string, unknown>): string {
  const root = mkdtempSync(join(tmpdir(), 'qint-layering-'));
  scratch.push(root);
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'ws', private: true, devDependencies: { vitest: '4.1.12' } }));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return root;
}

const tensor = { name: '@qint/tensor', dependencies: {} };
const kernels = { name: '@qint/kernels', dependencies: { '@qint/tensor': 'workspace:^' } };

afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('layering check', () => {
  it('passes on this repository', () => {
    expect(checkLayering(repoRoot)).toEqual([]);
  });

  it('passes on a clean downward import', () => {
    const root = workspace({
      'packages/tensor/package.json': tensor,
      'packages/tensor/src/index.ts': 'export const x = 1;',
      'packages/kernels/package.json': kernels,
      'packages/kernels/src/index.ts': "import { x } from '@qint/tensor';\nexport const y = x;",
      'packages/kernels/src/y.test.ts': "import { it } from 'vitest';",
    });
    expect(checkLayering(root)).toEqual([]);
  });

  it('fails on an upward import that is not declared', () => {
    const root = workspace({
      'packages/tensor/package.json': tensor,
      'packages/tensor/src/index.ts': "import { y } from '@qint/kernels';\nexport const x = y;",
      'packages/kernels/package.json': kernels,
      'packages/kernels/src/index.ts': "export { x } from '@qint/tensor';",
    });
    expect(checkLayering(root)).toEqual([
      "packages/tensor/src/index.ts imports @qint/kernels, which @qint/tensor's package.json does not declare",
    ]);
  });

  it('fails on an upward dependency that is declared, and on the cycle it makes', () => {
    const root = workspace({
      'packages/tensor/package.json': { name: '@qint/tensor', dependencies: { '@qint/kernels': 'workspace:^' } },
      'packages/tensor/src/index.ts': "export { y } from '@qint/kernels';",
      'packages/kernels/package.json': kernels,
      'packages/kernels/src/index.ts': "export { x } from '@qint/tensor';",
    });
    const problems = checkLayering(root);
    expect(problems.some((p: string) => p.includes('@qint/tensor depends on @qint/kernels, which DESIGN.md'))).toBe(true);
    const cycle = problems.find((p: string) => p.startsWith('dependency cycle between workspace packages: '));
    expect(['@qint/kernels -> @qint/tensor -> @qint/kernels', '@qint/tensor -> @qint/kernels -> @qint/tensor']).toContain(
      cycle?.slice('dependency cycle between workspace packages: '.length),
    );
  });

  it('fails on a runtime import of a devDependency, a path into another package, and a dynamic import', () => {
    const root = workspace({
      'packages/tensor/package.json': { ...tensor, devDependencies: { 'fast-check': '4.10.2' } },
      'packages/tensor/src/index.ts': "import fc from 'fast-check';\nexport const z = fc;\nconst m = import('left-pad');",
      'packages/kernels/package.json': kernels,
      'packages/kernels/src/index.ts': "export { x } from '../../tensor/src/index';",
    });
    const problems = checkLayering(root);
    expect(problems).toContain('packages/tensor/src/index.ts imports fast-check at run time, but @qint/tensor declares it only in devDependencies');
    expect(problems).toContain("packages/tensor/src/index.ts imports left-pad, which @qint/tensor's package.json does not declare");
    expect(problems.some((p: string) => p.includes('a path outside its package @qint/kernels'))).toBe(true);
  });

  it('ignores import-like text in comments', () => {
    const root = workspace({
      'packages/tensor/package.json': tensor,
      'packages/tensor/src/index.ts': "/** @example\n * import { q } from 'qint';\n */\nexport const x = 1; // import 'nope'",
    });
    expect(checkLayering(root)).toEqual([]);
  });
});
