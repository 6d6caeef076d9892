// Packages are really installable one by one: each built package is packed with `pnpm pack` (which rewrites
// `workspace:^` ranges to versions), the tarballs are installed with npm into a scratch project outside the workspace,
// and each package is loaded with `import` (ESM) and `require` (CJS) and used.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(new URL(import.meta.url).pathname), '..', '..');

/** Per-package smoke code: runs in both module systems with the package bound to `m`; must print a JSON result. */
// Each snippet imports its own dependencies by name from the scratch project (installed from the tarballs too).
const SMOKE: Record<string, { code: string; expected: unknown }> = {
  '@qint/tensor': {
    code: "const t = m.Tensor.from('int4', [3], [1, -2, 7]); console.log(JSON.stringify([t.toArray(), Array.from(t.data), m.broadcastShapes([2, 1], [3])]));",
    expected: [[1, -2, 7], [0xe1, 0x07], [2, 3]],
  },
  '@qint/kernels': {
    // ONNX QuantizeLinear's spec example: x = [0, 2, 3, 1000, -254, -1000], scale 2, zero point 128.
    code: "const { Tensor } = require('@qint/tensor'); const y = m.quantizeLinear(Tensor.from('float32', [6], [0, 2, 3, 1000, -254, -1000]), Tensor.scalar('float32', 2), Tensor.scalar('uint8', 128)); console.log(JSON.stringify(y.toArray()));",
    expected: [128, 129, 130, 255, 1, 0],
  },
  '@qint/observers': {
    code: "const { Tensor } = require('@qint/tensor'); const o = new m.MinMaxObserver(); o.observe(Tensor.from('float32', [4], [-1, 0, 2, 3])); const q = o.calculateQParams(); console.log(JSON.stringify([q.scale[0], q.zeroPoint[0]]));",
    // PyTorch: quint8 affine over [-1, 3] -> scale 4/255 (in float32), zero point round(1 / scale) = 64.
    expected: [Math.fround(4 / 255), 64],
  },
  qint: {
    code: "const { Tensor } = require('@qint/tensor'); const t = m.readNpy(m.writeNpy(Tensor.from('float32', [2], [0.5, -1]))); console.log(JSON.stringify([t.shape, t.toArray(), typeof m.quantize, typeof m.loadModel]));",
    expected: [[2], [0.5, -1], 'function', 'function'],
  },
};

interface Packed {
  name: string;
  tarball: string;
}

let scratch = '';
const packed: Packed[] = [];

function publishablePackages(): { name: string; dir: string }[] {
  return readdirSync(join(repoRoot, 'packages'))
    .map((folder) => join(repoRoot, 'packages', folder))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest, dir }) => !manifest.private && existsSync(join(dir, 'dist')))
    .map(({ manifest, dir }) => ({ name: manifest.name as string, dir }));
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'qint-pack-'));
  const tarballs = join(scratch, 'tarballs');
  for (const { name, dir } of publishablePackages()) {
    const out = execFileSync('pnpm', ['pack', '--pack-destination', tarballs, '--json'], { cwd: dir, encoding: 'utf8' });
    const info = JSON.parse(out) as { filename: string } | { filename: string }[];
    packed.push({ name, tarball: Array.isArray(info) ? info[0].filename : info.filename });
  }
  const project = join(scratch, 'project');
  execFileSync('mkdir', ['-p', project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch', version: '1.0.0', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', ...packed.map((p) => p.tarball)], {
    cwd: project,
    encoding: 'utf8',
  });
}, 600_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function runNode(code: string, type: 'module' | 'commonjs'): string {
  const file = join(scratch, 'project', type === 'module' ? 'smoke.mjs' : 'smoke.cjs');
  writeFileSync(file, code);
  return execFileSync(process.execPath, [file], { cwd: join(scratch, 'project'), encoding: 'utf8' }).trim();
}

describe('published packages install and load outside the workspace', () => {
  it('packs every built package', () => {
    expect(packed.map((p) => p.name).sort()).toEqual(
      ['@qint/dynamic', '@qint/format', '@qint/graph', '@qint/kernels', '@qint/kernels-wasm', '@qint/mixed-precision', '@qint/observers', '@qint/onnx', '@qint/tensor', 'qint'].sort(),
    );
    for (const p of packed) {
      const manifest = JSON.parse(readFileSync(join(scratch, 'project', 'node_modules', p.name, 'package.json'), 'utf8'));
      expect(JSON.stringify(manifest)).not.toContain('workspace:');
    }
  });

  it('installs the qint command-line tool', () => {
    const bin = join(scratch, 'project', 'node_modules', '.bin', 'qint');
    expect(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.each(publishablePackages().map((p) => p.name))('%s loads with import and require, with the same exports', (name) => {
    const keys = `console.log(JSON.stringify(Object.keys(m).sort()));`;
    const esmKeys = JSON.parse(runNode(`import * as m from '${name}';\n${keys}`, 'module')) as string[];
    const cjsKeys = JSON.parse(runNode(`const m = require('${name}');\n${keys}`, 'commonjs')) as string[];
    expect(esmKeys.length).toBeGreaterThan(0);
    expect(cjsKeys).toEqual(esmKeys);
    const smoke = SMOKE[name];
    if (smoke) {
      // In ESM, \`require\` loads the CJS build of @qint/tensor while \`m\` uses the ESM build: tensors must cross over.
      const esm = `import * as m from '${name}';\nimport { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n${smoke.code}`;
      expect(JSON.parse(runNode(esm, 'module'))).toEqual(smoke.expected);
      expect(JSON.parse(runNode(`const m = require('${name}');\n${smoke.code}`, 'commonjs'))).toEqual(smoke.expected);
    }
  });
});
