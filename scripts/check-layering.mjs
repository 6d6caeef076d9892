#!/usr/bin/env node
// Layering check: the workspace's package graph must be acyclic, runtime dependencies between qint packages must follow
// the layering of DESIGN.md (nothing imports upward), and every bare import in a package's sources must be declared in
// that package's package.json (runtime code only from `dependencies`/`peerDependencies`; tests may use devDependencies).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Allowed runtime dependencies between workspace packages (DESIGN.md, "Packages", column "depends on").
 * A workspace package missing from this table may depend on any workspace package, as long as the graph stays acyclic.
 */
export const ALLOWED_RUNTIME_DEPS = {
  '@qint/tensor': [],
  '@qint/kernels': ['@qint/tensor'],
  '@qint/kernels-wasm': ['@qint/tensor', '@qint/kernels'],
  '@qint/observers': ['@qint/tensor'],
  '@qint/graph': ['@qint/tensor', '@qint/kernels'],
  // The ONNX test-case runner selects a kernel backend by name: kernels sits below graph, so this points down too.
  '@qint/onnx': ['@qint/tensor', '@qint/graph', '@qint/kernels'],
  '@qint/dynamic': ['@qint/tensor', '@qint/kernels', '@qint/observers', '@qint/graph'],
  '@qint/mixed-precision': ['@qint/tensor', '@qint/graph', '@qint/observers', '@qint/dynamic', '@qint/kernels'],
  '@qint/format': ['@qint/tensor', '@qint/graph'],
  qint: [
    '@qint/tensor',
    '@qint/kernels',
    '@qint/kernels-wasm',
    '@qint/observers',
    '@qint/graph',
    '@qint/onnx',
    '@qint/dynamic',
    '@qint/mixed-precision',
    '@qint/format',
  ],
  example: ['qint'],
};

const SOURCE_EXT = /\.(c|m)?(t|j)sx?$/;
const IMPORT_RE =
  /(?:^|[\s;(])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;
const BUILTINS = new Set(builtinModules);

function listWorkspacePackages(root) {
  const out = [];
  for (const group of ['packages', 'apps']) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const folder of readdirSync(dir)) {
      const manifest = join(dir, folder, 'package.json');
      if (!existsSync(manifest)) continue;
      out.push({ dir: join(dir, folder), manifest: JSON.parse(readFileSync(manifest, 'utf8')) });
    }
  }
  return out;
}

function walk(dir, files = []) {
  if (!existsSync(dir)) return files;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'build' || name === '__fixtures__' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, files);
    else if (SOURCE_EXT.test(name) && !name.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

/** Strips comments so that import-like text in TSDoc examples is not read as an import. */
function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

function packageNameOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function isTestFile(path, pkgDir) {
  const rel = relative(pkgDir, path).split(sep);
  return /\.(test|spec|bench)\.[cm]?[tj]sx?$/.test(path) || ['test', 'bench', 'scripts', 'e2e'].includes(rel[0]) || rel[rel.length - 1].startsWith('vitest.config') || rel[rel.length - 1].startsWith('tsup.') || rel[rel.length - 1].startsWith('vite.config') || rel[rel.length - 1].startsWith('playwright');
}

/** Finds cycles in `graph` (name -> names), returning each as a path `a -> b -> a`. */
function findCycles(graph) {
  const cycles = [];
  const state = new Map();
  const stack = [];
  const visit = (node) => {
    state.set(node, 'active');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'active') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

/**
 * Checks a workspace.
 * @param {string} root - the repository root
 * @returns {string[]} one line per problem; empty when the layering is clean
 */
export function checkLayering(root) {
  const problems = [];
  const packages = listWorkspacePackages(root);
  const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  // Tooling shared by the whole workspace (vitest, tsup, fast-check, ...) is declared once at the root; tests and
  // build configs may use it.
  const rootDev = new Set(Object.keys({ ...rootManifest.devDependencies }));
  const names = new Set(packages.map((p) => p.manifest.name));
  const graph = new Map();
  for (const { manifest } of packages) {
    const all = { ...manifest.dependencies, ...manifest.devDependencies, ...manifest.peerDependencies };
    graph.set(manifest.name, Object.keys(all).filter((d) => names.has(d)));
    const allowed = ALLOWED_RUNTIME_DEPS[manifest.name];
    if (allowed) {
      for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
        if (names.has(dep) && !allowed.includes(dep)) {
          problems.push(`${manifest.name} depends on ${dep}, which DESIGN.md's layering does not allow (allowed: ${allowed.join(', ') || 'none'})`);
        }
      }
    }
  }
  for (const cycle of findCycles(graph)) problems.push(`dependency cycle between workspace packages: ${cycle}`);

  for (const { dir, manifest } of packages) {
    const runtime = new Set(Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }));
    const dev = new Set(Object.keys({ ...manifest.devDependencies }));
    for (const file of walk(dir)) {
      const text = stripComments(readFileSync(file, 'utf8'));
      const test = isTestFile(file, dir);
      for (const match of text.matchAll(IMPORT_RE)) {
        const spec = match[1] ?? match[2] ?? match[3];
        const where = `${relative(root, file)}`;
        if (spec.startsWith('.')) {
          const target = resolve(file, '..', spec);
          const sharedConfig = test && relative(root, target).split(sep).length === 1;
          if (!target.startsWith(dir + sep) && target !== dir && !sharedConfig) {
            problems.push(`${where} imports ${spec}, a path outside its package ${manifest.name}; import the package by name instead`);
          }
          continue;
        }
        if (spec.startsWith('node:') || BUILTINS.has(spec) || spec.startsWith('virtual:') || spec.startsWith('/')) continue;
        const dep = packageNameOf(spec);
        if (dep === manifest.name) continue;
        if (/\/(src|dist)(\/|$)/.test(spec.slice(dep.length)) && names.has(dep)) {
          problems.push(`${where} imports ${spec}: never import another package's src/ or dist/ by path`);
        }
        if (runtime.has(dep)) continue;
        if (dev.has(dep) || (rootDev.has(dep) && !names.has(dep))) {
          if (!test) problems.push(`${where} imports ${dep} at run time, but ${manifest.name} declares it only in devDependencies`);
          continue;
        }
        problems.push(`${where} imports ${dep}, which ${manifest.name}'s package.json does not declare`);
      }
    }
  }
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(fileURLToPath(import.meta.url), '..', '..');
  const problems = checkLayering(root);
  if (problems.length > 0) {
    console.error(`Layering check failed (${problems.length} problem${problems.length === 1 ? '' : 's'}):`);
    for (const p of problems) console.error(`  - ${p}`);
    process.exit(1);
  }
  console.log('Layering check passed: the package graph is acyclic and every import is declared and points down.');
}
