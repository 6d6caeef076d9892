// Backend lifecycle: loading from every accepted source, typed errors, memory that stays flat across many calls,
// packed weights released back to the allocator.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { BackendInitError, createJsBackend, dynamicLinear, matMul, prepareGemmWeights, prepareLinearWeights } from '@qint/kernels';
import { QintError, Tensor, ValueError } from '@qint/tensor';
import { createWasmBackend } from '../src/index';

const wasmPath = fileURLToPath(new URL('../build/kernels.wasm', import.meta.url));

function spec(n: number, k: number) {
  return {
    n, k, bits: 4 as const, blockSize: 32,
    values: Int8Array.from({ length: n * k }, (_, i) => (i % 16) - 8),
    scales: new Float32Array(n * Math.ceil(k / 32)).fill(0.5),
  };
}

describe('createWasmBackend', () => {
  it('loads from the embedded bytes, given bytes, a WebAssembly.Module and a Response', async () => {
    const raw = new Uint8Array(readFileSync(wasmPath));
    const sources = [undefined, raw, raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength), new WebAssembly.Module(raw),
      new Response(raw, { headers: { 'content-type': 'application/wasm' } }), Promise.resolve(new Response(raw))];
    for (const wasm of sources) {
      const b = await createWasmBackend({ wasm, name: 'wasm-test' });
      expect(b.name).toBe('wasm-test');
      expect(b.specificationVersion).toBe('v1');
      const out = new Int32Array(1);
      b.matMulInteger({ m: 1, n: 1, k: 2, a: new Uint8Array([3, 4]), b: new Int8Array([-5, 6]), aZeroPoint: new Int32Array([1]), bZeroPoint: new Int32Array([0]), out });
      expect(out[0]).toBe((3 - 1) * -5 + (4 - 1) * 6);
      b.dispose();
    }
  });

  it('fails with a BackendInitError that names the source', async () => {
    const bad = createWasmBackend({ wasm: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 99]) });
    await expect(bad).rejects.toBeInstanceOf(BackendInitError);
    await expect(createWasmBackend({ wasm: new Uint8Array(8) })).rejects.toThrow(/could not compile the given 8 bytes/);
    await expect(createWasmBackend({ wasm: new Response('nope', { status: 404 }) })).rejects.toThrow(/HTTP 404/);
    // A valid module that is not the kernels module.
    const empty = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
    await expect(createWasmBackend({ wasm: empty })).rejects.toThrow(/lacks the exports memory, heapBase/);
    // The check covers the row-op kernels too (a module built before them would fail only at the first call).
    await expect(createWasmBackend({ wasm: empty })).rejects.toThrow(/, softmaxRows, geluErfF32, layerNormRows, quantizeU8, scaleI32ToF32, stridedCopyF32, binaryF32;/);
  });
});

describe('WasmKernelBackend', () => {
  it('keeps memory flat over 3,000 calls of every native primitive', async () => {
    const b = await createWasmBackend();
    const w = b.packLinearWeights(spec(70, 300));
    const x = Float32Array.from({ length: 9 * 300 }, (_, i) => Math.sin(i));
    const y = new Float32Array(9 * 70);
    const a = new Uint8Array(9 * 300).fill(3);
    const bb = new Int8Array(300 * 70).fill(-2);
    const o = new Int32Array(9 * 70);
    const conv = {
      batch: 1, inChannels: 4, inHeight: 9, inWidth: 9, outChannels: 6, kernelHeight: 3, kernelWidth: 3, outHeight: 9,
      outWidth: 9, padTop: 1, padLeft: 1, strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1, group: 2,
      x: new Uint8Array(4 * 81).fill(9), w: new Int8Array(6 * 2 * 9).fill(1), xZeroPoint: 1, wZeroPoint: new Int32Array([0]),
      out: new Int32Array(6 * 81),
    };
    const run = (m: number) => {
      b.dynamicLinear({ m, x, weights: w, perRow: true, out: y });
      b.matMulInteger({ m, n: 70, k: 300, a, b: bb, aZeroPoint: new Int32Array([0]), bZeroPoint: new Int32Array([0]), out: o });
      b.convInteger(conv);
    };
    for (const m of [1, 9]) run(m);
    const before = b.diagnostics();
    for (let i = 0; i < 1000; i++) run(1 + (i % 9));
    const after = b.diagnostics();
    expect(after.memoryBytes).toBe(before.memoryBytes);
    expect(after.peakBytes).toBe(before.peakBytes);
    expect(after.calls).toBe((before.calls as number) + 3000);
    b.dispose();
  });

  it('returns released weights to the allocator and reuses their bytes', async () => {
    const b = await createWasmBackend();
    const w1 = b.packLinearWeights(spec(64, 256));
    expect(b.diagnostics().persistentBytes).toBeGreaterThanOrEqual(w1.byteLength);
    b.releaseLinearWeights(w1);
    b.releaseLinearWeights(w1); // idempotent
    expect(b.diagnostics().persistentBytes).toBe(0);
    const mem = b.diagnostics().memoryBytes;
    for (let i = 0; i < 50; i++) b.releaseLinearWeights(b.packLinearWeights(spec(64, 256)));
    expect(b.diagnostics().memoryBytes).toBe(mem);
    expect(() => b.dynamicLinear({ m: 1, x: new Float32Array(256), weights: w1, perRow: false, out: new Float32Array(64) })).toThrow(/released/);
    b.dispose();
  });

  it('widens 8-bit weights for the GEMM path once, on first use, and frees that copy on release', async () => {
    const b = await createWasmBackend();
    const s8 = { ...spec(64, 256), bits: 8 as const, values: Int8Array.from({ length: 64 * 256 }, (_, i) => (i % 255) - 127) };
    const w = b.packLinearWeights(s8);
    const packedOnly = b.diagnostics().persistentBytes as number;
    const packedBytes = w.byteLength;
    const y = new Float32Array(16 * 64);
    b.dynamicLinear({ m: 1, x: new Float32Array(256).fill(0.5), weights: w, perRow: false, out: y });
    expect(b.diagnostics().persistentBytes).toBe(packedOnly); // the GEMV streams the 8-bit panels
    b.dynamicLinear({ m: 16, x: new Float32Array(16 * 256).fill(0.5), weights: w, perRow: false, out: y });
    const widened = b.diagnostics().persistentBytes as number;
    expect(widened - packedOnly).toBe(64 * 256 * 2); // int16 k-pair panels
    expect(w.byteLength).toBe(packedBytes + 64 * 256 * 2);
    for (let i = 0; i < 5; i++) b.dynamicLinear({ m: 5 + i, x: new Float32Array(9 * 256).fill(0.25), weights: w, perRow: true, out: y });
    expect(b.diagnostics().persistentBytes).toBe(widened);
    b.releaseLinearWeights(w);
    expect(b.diagnostics().persistentBytes).toBe(0);
    b.dispose();
  });

  it('packs float32 gemm weights once and releases them', async () => {
    const b = await createWasmBackend();
    const k = 45;
    const n = 19;
    const bF = Float32Array.from({ length: k * n }, (_, i) => Math.sin(i));
    const pb = b.packGemmWeights({ k, n, b: bF, transB: true });
    expect(pb.byteLength).toBe(24 * k * 4);
    expect(b.diagnostics().packedGemmWeights).toBe(1);
    const a = Float32Array.from({ length: 3 * k }, (_, i) => Math.cos(i));
    const o1 = new Float32Array(3 * n);
    const o2 = new Float32Array(3 * n);
    b.gemmF32({ m: 3, n, k, a, b: bF, transB: true, out: o1 });
    b.gemmF32({ m: 3, n, k, a, b: bF, transB: true, out: o2, packedB: pb });
    expect(o2).toEqual(o1); // same kernel on the same panels
    expect(() => b.gemmF32({ m: 3, n, k, a, b: bF, transB: false, out: o2, packedB: pb })).toThrow(/packedB was packed for k = 45, n = 19, transB = true/);
    expect(() => b.packGemmWeights({ k, n, b: new Float32Array(3), transB: false })).toThrow(/b has 3 elements/);
    b.releaseGemmWeights(pb);
    b.releaseGemmWeights(pb); // idempotent
    expect(b.diagnostics().persistentBytes).toBe(0);
    // Released (or foreign) packed weights are ignored: b is copied as without them.
    b.gemmF32({ m: 3, n, k, a, b: bF, transB: true, out: o2, packedB: pb });
    expect(o2).toEqual(o1);
    b.dispose();
  });

  it('rejects foreign weights, bad weight specs and use after dispose with typed errors', async () => {
    const b = await createWasmBackend();
    const other = await createWasmBackend();
    const js = createJsBackend();
    const out = new Float32Array(8);
    const x = new Float32Array(32);
    expect(() => b.dynamicLinear({ m: 1, x, weights: js.packLinearWeights(spec(8, 32)), perRow: false, out })).toThrow(ValueError);
    expect(() => b.dynamicLinear({ m: 1, x, weights: other.packLinearWeights(spec(8, 32)), perRow: false, out })).toThrow(/not by this WASM backend/);
    const bad = { ...spec(8, 32), values: new Int8Array(8 * 32).fill(8) };
    expect(() => b.packLinearWeights(bad)).toThrow(/values\[0\] = 8 is outside the 4-bit range \[-8, 7\]/);
    expect(() => b.packLinearWeights({ ...spec(8, 32), bits: 5 as never })).toThrow(ValueError);
    expect(() => b.packLinearWeights({ ...spec(8, 32), scales: new Float32Array(1) })).toThrow(/scales has 1 elements/);
    b.dispose();
    expect(b.diagnostics().disposed).toBe(true);
    try {
      b.matMulInteger({ m: 1, n: 1, k: 1, a: new Uint8Array(1), b: new Uint8Array(1), aZeroPoint: new Int32Array(1), bZeroPoint: new Int32Array(1), out: new Int32Array(1) });
      expect.fail('expected a throw');
    } catch (e) {
      expect(e).toBeInstanceOf(QintError);
      expect((e as Error).message).toMatch(/disposed/);
    }
    other.dispose();
  });

  it('caches constant weights when asked, rebuilding when zero points or shapes change', async () => {
    const b = await createWasmBackend({ cacheConstantWeights: true });
    const js = createJsBackend();
    const k = 37;
    const n = 21;
    const bF = Float32Array.from({ length: k * n }, (_, i) => Math.sin(i));
    const bI = Int8Array.from({ length: k * n }, (_, i) => ((i * 29) % 256) - 128);
    for (const m of [1, 5, 1, 5]) {
      const a = Float32Array.from({ length: m * k }, (_, i) => Math.cos(i));
      const o1 = new Float32Array(m * n);
      const o2 = new Float32Array(m * n);
      js.gemmF32({ m, n, k, a, b: bF, transB: false, out: o1 });
      b.gemmF32({ m, n, k, a, b: bF, transB: false, out: o2 });
      for (let i = 0; i < o1.length; i++) expect(Math.abs(o2[i] - o1[i])).toBeLessThan(1e-4);
      for (const zp of [0, -3, 0]) {
        const aI = Uint8Array.from({ length: m * k }, (_, i) => (i * 7) % 256);
        const args = { m, n, k, a: aI, b: bI, aZeroPoint: new Int32Array([5]), bZeroPoint: new Int32Array([zp]) };
        const i1 = new Int32Array(m * n);
        const i2 = new Int32Array(m * n);
        js.matMulInteger({ ...args, out: i1 });
        b.matMulInteger({ ...args, out: i2 });
        expect(i2).toEqual(i1);
      }
    }
    const d = b.diagnostics();
    expect(d.cachedWeightForms).toBe(3); // gemv copy, GEMM panels, integer panels (rebuilt in place per zero point)
    expect(d.cachedWeightBytes).toBeGreaterThan(0);
    b.dispose();
  });

  it('reports diagnostics', async () => {
    const b = await createWasmBackend();
    const d = b.diagnostics();
    expect(d.simd).toBe(true);
    expect(d.relaxedSimd).toBe(false);
    expect(d.nativeOps).toContain('dynamicLinear');
    expect(d.memoryBytes).toBeGreaterThan(0);
    b.dispose();
  });
});

describe('weights dropped without release()', () => {
  it('give their packed WASM memory back once the handles are garbage-collected', async () => {
    // A model thrown away (sensitivity analysis builds hundreds) never calls release(): the handles' finalizers must.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const b = await createWasmBackend();
    const persistent = (): number => b.diagnostics().persistentBytes as number;
    const before = persistent();
    const useAndDrop = (): void => {
      const x = Tensor.from('float32', [8, 256], new Float32Array(8 * 256).fill(0.25));
      dynamicLinear(x, prepareLinearWeights(spec(64, 256)), { backend: b });
      matMul(x, prepareGemmWeights(Tensor.from('float32', [256, 64], new Float32Array(256 * 64).fill(0.5))), { backend: b });
    };
    for (let i = 0; i < 20; i++) useAndDrop();
    expect(persistent()).toBeGreaterThan(before);
    for (let i = 0; i < 10 && persistent() > before; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(persistent()).toBe(before);
    b.dispose();
  });
});
