import { describe, expect, it } from 'vitest';
import { createJsBackend, PRIMITIVE_NAMES } from './js-backend';

describe('createJsBackend', () => {
  const js = createJsBackend();

  it('implements every primitive of KernelBackend v1', () => {
    expect(js.specificationVersion).toBe('v1');
    expect(js.name).toBe('js');
    for (const p of PRIMITIVE_NAMES) expect(typeof js[p]).toBe('function');
  });

  it('gemmF32 adds the bias, for b as [k, n] and as [n, k]', () => {
    // a = [[1, 2, 3]], b = [[1, 0], [0, 1], [1, 1]] (k × n), bias = [10, 20] → [1 + 3 + 10, 2 + 3 + 20].
    const a = new Float32Array([1, 2, 3]);
    const out = new Float32Array(2);
    js.gemmF32({ m: 1, n: 2, k: 3, a, b: new Float32Array([1, 0, 0, 1, 1, 1]), transB: false, bias: new Float32Array([10, 20]), out });
    expect(Array.from(out)).toEqual([14, 25]);
    js.gemmF32({ m: 1, n: 2, k: 3, a, b: new Float32Array([1, 0, 1, 0, 1, 1]), transB: true, bias: new Float32Array([10, 20]), out });
    expect(Array.from(out)).toEqual([14, 25]);
  });

  it('propagates NaN from 0 · Inf like any float GEMM', () => {
    const out = new Float32Array(1);
    js.gemmF32({ m: 1, n: 1, k: 1, a: new Float32Array([0]), b: new Float32Array([Infinity]), transB: false, out });
    expect(out[0]).toBeNaN();
  });

  it('packs weights with an honest byteLength, releases them, and refuses weights packed elsewhere', () => {
    const spec = { n: 2, k: 3, bits: 4 as const, values: new Int8Array([1, 2, 3, -8, 7, 0]), blockSize: 0, scales: new Float32Array([1, 1]), zeroPoints: new Int32Array([1, 0]) };
    const packed = js.packLinearWeights(spec);
    expect(packed.backend).toBe('js');
    expect(packed.byteLength).toBe(6 + 2 * 4 + 2 * 4);
    const out = new Float32Array(2);
    js.dynamicLinear({ m: 1, x: new Float32Array([255, 0, 0]), weights: packed, perRow: false, out });
    // sa = 1, za = 0: y = [255 · (1 − 1), 255 · (−8 − 0)].
    expect(Array.from(out)).toEqual([0, -2040]);
    const foreign = { backend: 'wasm', n: 2, k: 3, bits: 4 as const, blockSize: 0, byteLength: 0 };
    expect(() => js.dynamicLinear({ m: 1, x: new Float32Array(3), weights: foreign, perRow: false, out })).toThrow(/packed by backend "wasm"/);
    js.releaseLinearWeights(packed);
    expect(() => js.dynamicLinear({ m: 1, x: new Float32Array(3), weights: packed, perRow: false, out })).toThrow(/released/);
  });
});
