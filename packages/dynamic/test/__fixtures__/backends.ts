// The kernel backends the recurrent tests run on.
import type { KernelBackend } from '@qint/kernels';
import { createWasmBackend } from '@qint/kernels-wasm';

let wasm: Promise<KernelBackend> | undefined;

export const BACKENDS: readonly (readonly [name: 'js' | 'wasm', get: () => Promise<string | KernelBackend>])[] = [
  ['js', async () => 'js'],
  ['wasm', () => (wasm ??= createWasmBackend())],
];
