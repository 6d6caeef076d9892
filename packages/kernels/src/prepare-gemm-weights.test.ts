import { DTypeError, ShapeError, Tensor, ValueError } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { gemm } from './gemm';
import { GemmWeights } from './gemm-weights';
import { createJsBackend } from './js-backend';
import type { GemmF32Args, GemmWeightsSpec, KernelBackend, PackedGemmWeights } from './kernel-backend';
import { matMul } from './mat-mul';
import { prepareGemmWeights } from './prepare-gemm-weights';

function values(len: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: len }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.fround(((s % 2001) - 1000) / 256);
  });
}

/** The JS backend plus a packGemmWeights that records what it packed and checks gemmF32 receives it. */
function packingBackend(): KernelBackend & { packs: GemmWeightsSpec[]; releases: number; seen: (PackedGemmWeights | undefined)[] } {
  const js = createJsBackend();
  const b = {
    specificationVersion: 'v1' as const,
    name: 'packing',
    packs: [] as GemmWeightsSpec[],
    releases: 0,
    seen: [] as (PackedGemmWeights | undefined)[],
    gemmF32: (args: GemmF32Args) => {
      b.seen.push(args.packedB);
      js.gemmF32(args);
    },
    packGemmWeights: (spec: GemmWeightsSpec): PackedGemmWeights => {
      b.packs.push(spec);
      return { backend: 'packing', k: spec.k, n: spec.n, transB: spec.transB, byteLength: spec.k * spec.n * 4 };
    },
    releaseGemmWeights: () => {
      b.releases++;
    },
  };
  return b;
}

describe('prepareGemmWeights', () => {
  it('gives matMul and gemm the same results as the plain tensor (JS backend, no packing)', () => {
    const a = Tensor.from('float32', [3, 5], values(15, 1));
    const bT = Tensor.from('float32', [5, 4], values(20, 2));
    const w = prepareGemmWeights(bT);
    expect(matMul(a, w).toArray()).toEqual(matMul(a, bT).toArray());
    const bN = Tensor.from('float32', [4, 5], values(20, 3));
    const c = Tensor.from('float32', [4], [1, 2, 3, 4]);
    expect(gemm(a, prepareGemmWeights(bN), c, { transB: true, alpha: 0.5 }).toArray()).toEqual(
      gemm(a, bN, c, { transB: true, alpha: 0.5 }).toArray(),
    );
    // Hand-checked: [1, 2] · [[3], [4]] = 11; batched A against the prepared 2-D B.
    expect(matMul(Tensor.from('float32', [1, 2], [1, 2]), prepareGemmWeights(Tensor.from('float32', [2, 1], [3, 4]))).toArray()).toEqual([11]);
    const a3 = Tensor.from('float32', [2, 1, 2], [1, 2, -1, 0.5]);
    expect(matMul(a3, prepareGemmWeights(Tensor.from('float32', [2, 1], [3, 4]))).toArray()).toEqual([11, -1]);
  });

  it('packs once per backend and transB, passes the packed form to gemmF32, and releases it', () => {
    const backend = packingBackend();
    const a = Tensor.from('float32', [2, 3], values(6, 4));
    const b = Tensor.from('float32', [3, 3], values(9, 5));
    const w = prepareGemmWeights(b);
    const y1 = matMul(a, w, { backend });
    const y2 = matMul(a, w, { backend });
    const y3 = gemm(a, w, undefined, { backend, transB: true });
    expect(backend.packs.map((p) => [p.k, p.n, p.transB])).toEqual([[3, 3, false], [3, 3, true]]);
    expect(backend.packs[0].b).toBe(b.data); // no copy
    expect(backend.seen.map((p) => p?.transB)).toEqual([false, false, true]);
    expect(y1.toArray()).toEqual(matMul(a, b).toArray());
    expect(y2.toArray()).toEqual(y1.toArray());
    expect(y3.toArray()).toEqual(gemm(a, b, undefined, { transB: true }).toArray());
    expect(w.packedBackends).toEqual(['packing']);
    expect(w.packedByteLength).toBe(72);
    w.release();
    expect(backend.releases).toBe(2);
    expect(w.isReleased).toBe(true);
    expect(() => matMul(a, w, { backend })).toThrow(ValueError);
  });

  it('rejects non-float32 and non-2-D weights', () => {
    expect(() => prepareGemmWeights(Tensor.from('int8', [2, 2], [1, 2, 3, 4]))).toThrow(DTypeError);
    expect(() => prepareGemmWeights(Tensor.from('float32', [1, 2, 2], [1, 2, 3, 4]))).toThrow(ShapeError);
    expect(prepareGemmWeights(Tensor.from('float32', [2, 2], [1, 2, 3, 4]))).toBeInstanceOf(GemmWeights);
  });
});
