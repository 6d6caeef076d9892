import { Tensor } from '@qint/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { BackendInitError } from './backend-init-error';
import { getBackend, listBackends, registerBackend, resetBackendRegistry, setBackend } from './backend-registry';
import { createJsBackend } from './js-backend';
import type { KernelBackend, MatMulIntegerArgs } from './kernel-backend';
import { matMulInteger } from './mat-mul-integer';

afterEach(() => resetBackendRegistry());

const a = Tensor.from('uint8', [2, 2], [1, 2, 3, 4]);
const b = Tensor.from('int8', [2, 2], [1, 0, 0, -1]);

describe('backend registry', () => {
  it('starts on the built-in JS backend with every primitive native', () => {
    const info = getBackend();
    expect(info.name).toBe('js');
    expect(info.fallbackOps).toEqual([]);
    expect(info.nativeOps).toContain('dynamicLinear');
    expect(listBackends()).toEqual(['js']);
  });

  it('selects a registered factory, calls it once, and falls back to JS for missing primitives', async () => {
    let calls = 0;
    let used = 0;
    const js = createJsBackend();
    registerBackend('partial', async () => {
      calls++;
      const partial: KernelBackend = {
        specificationVersion: 'v1',
        name: 'partial',
        matMulInteger: (args: MatMulIntegerArgs) => {
          used++;
          js.matMulInteger(args);
        },
        diagnostics: () => ({ simd: true }),
      };
      return partial;
    });
    const info = await setBackend('partial');
    expect(info.name).toBe('partial');
    expect(info.nativeOps).toEqual(['matMulInteger']);
    expect(info.fallbackOps).toContain('gemmF32');
    expect(info.diagnostics.simd).toBe(true);
    expect(matMulInteger(a, b).toArray()).toEqual([1, -2, 3, -4]);
    expect(used).toBe(1);
    await setBackend('js');
    await setBackend('partial');
    expect(calls).toBe(1);
  });

  it('counts primitives that actually fell back', async () => {
    await setBackend({ specificationVersion: 'v1', name: 'empty' });
    matMulInteger(a, b);
    matMulInteger(a, b);
    expect(getBackend().diagnostics.fallbackCalls).toEqual({ matMulInteger: 2 });
  });

  it('runs one call on an injected backend without changing the selection', () => {
    let used = 0;
    const js = createJsBackend();
    const spy: KernelBackend = { specificationVersion: 'v1', name: 'spy', matMulInteger: (args) => (used++, js.matMulInteger(args)) };
    expect(matMulInteger(a, b, undefined, undefined, { backend: spy }).toArray()).toEqual([1, -2, 3, -4]);
    expect(used).toBe(1);
    expect(getBackend().name).toBe('js');
  });

  it('rejects unknown names, listing the known ones', async () => {
    registerBackend('wasm', () => createJsBackend());
    await expect(setBackend('gpu')).rejects.toThrow(BackendInitError);
    await expect(setBackend('gpu')).rejects.toThrow(/no backend named 'gpu'.*known: js, wasm/);
    expect(getBackend().name).toBe('js');
  });

  it('wraps a failing factory, keeping its error as the cause and the previous selection', async () => {
    const boom = new Error('could not fetch /kernels.wasm');
    registerBackend('wasm', () => Promise.reject(boom));
    const err = await setBackend('wasm').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendInitError);
    expect((err as BackendInitError).code).toBe('ERR_BACKEND_INIT');
    expect((err as Error).message).toMatch(/setBackend\('wasm'\).*could not fetch \/kernels\.wasm/);
    expect((err as Error).cause).toBe(boom);
    expect(getBackend().name).toBe('js');
  });

  it('rejects objects that are not KernelBackend v1', async () => {
    await expect(setBackend({ specificationVersion: 'v2', name: 'x' } as unknown as KernelBackend)).rejects.toThrow(/specification "v2".*'v1'/);
    await expect(setBackend({ specificationVersion: 'v1', name: 'x', dynamicLinear: () => {} })).rejects.toThrow(/both packLinearWeights and dynamicLinear/);
    registerBackend('bad', () => 42 as unknown as KernelBackend);
    await expect(setBackend('bad')).rejects.toThrow(/not a KernelBackend object/);
    expect(() => registerBackend('js', () => createJsBackend())).toThrow(BackendInitError);
  });
});

describe('setBackend with a promise', () => {
  it('awaits a backend being created, and reports a failed start as BackendInitError', async () => {
    const info = await setBackend(Promise.resolve(createJsBackend()));
    expect(info.name).toBe('js');
    await expect(setBackend(Promise.reject(new Error('no SIMD here')))).rejects.toThrow(/failed to start: no SIMD here/);
    expect(getBackend().name).toBe('js');
  });
});
