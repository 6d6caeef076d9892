import { DTypeError, ShapeError, Tensor } from '@qint/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gemm } from './gemm';
import { matMul } from './mat-mul';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.fround(((s % 2001) - 1000) / 256);
  };
}

describe('gemm (float32)', () => {
  it('matches a float64 reference for every transA/transB/alpha/beta/C shape (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 7 }),
        fc.boolean(), fc.boolean(), fc.constantFrom('none', 'scalar', 'row', 'col', 'full'), fc.constantFrom(1, 0.5, -2), fc.constantFrom(1, 0, 3), fc.integer(),
        (m, k, n, ta, tb, cKind, alpha, beta, seed) => {
          const r = lcg(seed);
          const a = Array.from({ length: m * k }, r);
          const b = Array.from({ length: k * n }, r);
          const cShape = { none: [], scalar: [], row: [n], col: [m, 1], full: [m, n] }[cKind];
          const c = Array.from({ length: cShape.reduce((x, y) => x * y, 1) }, r);
          const A = (i: number, p: number): number => (ta ? a[p * m + i] : a[i * k + p]);
          const B = (p: number, j: number): number => (tb ? b[j * k + p] : b[p * n + j]);
          const C = (i: number, j: number): number =>
            cKind === 'none' ? 0 : cKind === 'scalar' ? c[0] : cKind === 'row' ? c[j] : cKind === 'col' ? c[i] : c[i * n + j];
          const y = gemm(
            Tensor.from('float32', ta ? [k, m] : [m, k], a), Tensor.from('float32', tb ? [n, k] : [k, n], b),
            cKind === 'none' ? undefined : Tensor.from('float32', cShape, c), { alpha, beta, transA: ta, transB: tb },
          );
          expect(y.shape).toEqual([m, n]);
          y.toArray().forEach((v, idx) => {
            const i = Math.floor(idx / n);
            const j = idx % n;
            let s = 0;
            let abs = 0;
            for (let p = 0; p < k; p++) {
              s += A(i, p) * B(p, j);
              abs += Math.abs(A(i, p) * B(p, j));
            }
            const ref = alpha * s + beta * C(i, j);
            expect(Math.abs(v - ref)).toBeLessThanOrEqual(1e-6 * (Math.abs(alpha) * abs + Math.abs(beta * C(i, j))) + 1e-6);
          });
        },
      ),
      { seed: 77, numRuns: 200 },
    );
  });

  it('rejects bad shapes and dtypes', () => {
    const a = Tensor.zeros('float32', [2, 3]);
    expect(() => gemm(a, Tensor.zeros('float32', [2, 3]))).toThrow(/inner dimensions/);
    expect(() => gemm(a, Tensor.zeros('float32', [3, 4]), Tensor.zeros('float32', [3]))).toThrow(/"C" has shape \[3\]/);
    expect(() => gemm(Tensor.zeros('int8', [2, 3]), Tensor.zeros('float32', [3, 4]))).toThrow(DTypeError);
    expect(() => gemm(Tensor.zeros('float32', [3]), Tensor.zeros('float32', [3, 4]))).toThrow(ShapeError);
  });
});

describe('matMul (float32)', () => {
  it('broadcasts batch dims and handles 1-D operands like numpy', () => {
    const a = Tensor.from('float32', [2, 1, 1, 2], [1, 2, 3, 4]);
    const b = Tensor.from('float32', [3, 2, 1], [1, 1, 2, 0, 0, 3]);
    const y = matMul(a, b);
    expect(y.shape).toEqual([2, 3, 1, 1]);
    expect(y.toArray()).toEqual([3, 2, 6, 7, 6, 12]);
    expect(matMul(Tensor.from('float32', [2], [1, 2]), Tensor.from('float32', [2], [3, 4])).shape).toEqual([]);
    expect(matMul(Tensor.zeros('float32', [0, 2]), Tensor.zeros('float32', [2, 5])).shape).toEqual([0, 5]);
    expect(() => matMul(Tensor.zeros('float32', [2, 3]), Tensor.zeros('float32', [2, 3]))).toThrow(/K = 3.*K = 2/);
  });
});

describe('gemm options.allocate', () => {
  const a = Tensor.from('float32', [2, 2], [1, 2, 3, 4]);
  const b = Tensor.from('float32', [2, 2], [5, 6, 7, 8]);
  it('writes every element of a stale supplied buffer: [[19, 22], [43, 50]]', () => {
    const buffer = new Float32Array(4).fill(NaN);
    const y = gemm(a, b, undefined, { allocate: () => buffer });
    expect(y.data).toBe(buffer);
    expect(Array.from(y.data as Float32Array)).toEqual([19, 22, 43, 50]);
  });
  it('k = 0 gives zeros; a wrong length is a ShapeError', () => {
    const e = Tensor.from('float32', [2, 0], []);
    const f = Tensor.from('float32', [0, 3], []);
    expect(Array.from(gemm(e, f, undefined, { allocate: (n) => new Float32Array(n).fill(7) }).data as Float32Array)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(() => gemm(a, b, undefined, { allocate: () => new Float32Array(3) })).toThrow(ShapeError);
  });
});
