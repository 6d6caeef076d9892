import { DTypeError, ShapeError, Tensor, ValueError } from '@qint/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createJsBackend } from './js-backend';
import { matMulInteger } from './mat-mul-integer';
import { MAX_SAFE_K_8BIT, maxSafeK } from './numerics';

/** Independent reference: plain nested loops over batched, broadcast operands with per-row/column zero points. */
function naive(
  aShape: number[], a: number[], bShape: number[], b: number[],
  za: (batch: number, row: number) => number, zb: (batch: number, col: number) => number,
): { shape: number[]; values: number[] } {
  const [bat, m, k] = aShape;
  const [batB, , n] = bShape;
  const batches = Math.max(bat, batB);
  const values: number[] = [];
  for (let t = 0; t < batches; t++) {
    const ta = bat === 1 ? 0 : t;
    const tb = batB === 1 ? 0 : t;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += (a[(ta * m + i) * k + p] - za(t, i)) * (b[(tb * k + p) * n + j] - zb(t, j));
        values.push(s);
      }
    }
  }
  return { shape: [batches, m, n], values };
}

const range: Record<"uint8" | "int8", [number, number]> = { uint8: [0, 255], int8: [-128, 127] };
type D = keyof typeof range;

describe('matMulInteger', () => {
  it('matches the ONNX MatMulInteger example by hand', () => {
    const a = Tensor.from('uint8', [4, 3], [11, 7, 3, 10, 6, 2, 9, 5, 1, 8, 4, 0]);
    const b = Tensor.from('uint8', [3, 2], [1, 4, 2, 5, 3, 6]);
    const y = matMulInteger(a, b, Tensor.scalar('uint8', 12), Tensor.scalar('uint8', 0));
    expect(y.shape).toEqual([4, 2]);
    expect(y.toArray()).toEqual([-38, -83, -44, -98, -50, -113, -56, -128]);
  });

  it('equals a naive float64 reference exactly (batched, broadcast, per-row and per-column zero points, u8/s8)', () => {
    const dtypes: D[] = ['uint8', 'int8'];
    const arb = fc.record({
      m: fc.integer({ min: 1, max: 6 }), k: fc.integer({ min: 0, max: 20 }), n: fc.integer({ min: 1, max: 19 }),
      batchA: fc.constantFrom(1, 3), batchB: fc.constantFrom(1, 3), da: fc.constantFrom(...dtypes), db: fc.constantFrom(...dtypes),
      perRow: fc.boolean(), perCol: fc.boolean(), seed: fc.integer(),
    });
    fc.assert(
      fc.property(arb, ({ m, k, n, batchA, batchB, da, db, perRow, perCol, seed }) => {
        if (batchA !== batchB && batchA !== 1 && batchB !== 1) return;
        let s = seed >>> 0;
        const rnd = (lo: number, hi: number): number => {
          s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
          return lo + (s % (hi - lo + 1));
        };
        const aVals = Array.from({ length: batchA * m * k }, () => rnd(...range[da]));
        const bVals = Array.from({ length: batchB * k * n }, () => rnd(...range[db]));
        const zaVals = Array.from({ length: perRow ? m : 1 }, () => rnd(...range[da]));
        const zbVals = Array.from({ length: perCol ? n : 1 }, () => rnd(...range[db]));
        const y = matMulInteger(
          Tensor.from(da, [batchA, m, k], aVals), Tensor.from(db, [batchB, k, n], bVals),
          perRow ? Tensor.from(da, [m], zaVals) : Tensor.scalar(da, zaVals[0]),
          perCol ? Tensor.from(db, [n], zbVals) : Tensor.scalar(db, zbVals[0]),
          { backend: createJsBackend() },
        );
        const ref = naive([batchA, m, k], aVals, [batchB, k, n], bVals, (_t, i) => zaVals[perRow ? i : 0], (_t, j) => zbVals[perCol ? j : 0]);
        expect(y.shape).toEqual(ref.shape);
        expect(y.toArray()).toEqual(ref.values);
      }),
      { seed: 20261125, numRuns: 150 },
    );
  });

  it('handles per-batch zero points of shape [..., M, 1] and [..., 1, N]', () => {
    const a = Tensor.from('uint8', [2, 1, 2], [10, 20, 30, 40]);
    const b = Tensor.from('int8', [2, 1], [1, 1]);
    const za = Tensor.from('uint8', [2, 1, 1], [10, 30]);
    const zb = Tensor.from('int8', [1, 1, 1], [1]);
    expect(matMulInteger(a, b, za, zb).toArray()).toEqual([0, 0]);
    const y = matMulInteger(a, b, za);
    expect(y.shape).toEqual([2, 1, 1]);
    expect(y.toArray()).toEqual([10, 10]);
    expect(() => matMulInteger(a, b, Tensor.zeros('uint8', [3, 1, 1]))).toThrow(/"a_zero_point" has shape \[3,1,1\].*batch dims \[2\]/);
    expect(() => matMulInteger(a, b, Tensor.zeros('uint8', [2, 2, 1]))).toThrow(/"a_zero_point" has shape \[2,2,1\]/);
  });

  it('follows numpy for 1-D operands', () => {
    const v = Tensor.from('int8', [3], [1, 2, 3]);
    const mat = Tensor.from('int8', [3, 2], [1, 0, 0, 1, 1, 1]);
    expect(matMulInteger(v, v).shape).toEqual([]);
    expect(matMulInteger(v, v).toArray()).toEqual([14]);
    expect(matMulInteger(v, mat).shape).toEqual([2]);
    expect(matMulInteger(v, mat).toArray()).toEqual([4, 5]);
    expect(matMulInteger(Tensor.from('int8', [2, 3], [1, 0, 0, 0, 0, 1]), v).toArray()).toEqual([1, 3]);
  });

  it('gives empty outputs for 0-sized shapes and zeros for K = 0', () => {
    expect(matMulInteger(Tensor.zeros('uint8', [0, 4]), Tensor.zeros('int8', [4, 3])).shape).toEqual([0, 3]);
    expect(matMulInteger(Tensor.zeros('uint8', [2, 0]), Tensor.zeros('int8', [0, 3])).toArray()).toEqual([0, 0, 0, 0, 0, 0]);
    expect(matMulInteger(Tensor.zeros('uint8', [0, 2, 4]), Tensor.zeros('int8', [4, 3])).shape).toEqual([0, 2, 3]);
  });

  it('rejects bad dtypes, shapes and zero points, naming the argument', () => {
    const a = Tensor.zeros('uint8', [2, 3]);
    const b = Tensor.zeros('int8', [3, 4]);
    expect(() => matMulInteger(Tensor.zeros('float32', [2, 3]), b)).toThrow(DTypeError);
    expect(() => matMulInteger(Tensor.zeros('float32', [2, 3]), b)).toThrow(/"A" must be uint8 or int8, got float32/);
    expect(() => matMulInteger(a, Tensor.zeros('int8', [4, 4]))).toThrow(ShapeError);
    expect(() => matMulInteger(a, b, Tensor.scalar('int8', 0))).toThrow(/"a_zero_point" must have the same dtype/);
    expect(() => matMulInteger(a, b, undefined, Tensor.zeros('int8', [3]))).toThrow(/"b_zero_point" has shape \[3\]/);
    expect(() => matMulInteger(Tensor.zeros('uint8', [2, 2, 3]), Tensor.zeros('int8', [3, 3, 4]))).toThrow(/do not broadcast/);
    // A typed array smuggles a value that a uint8 zero point cannot hold only through wrong storage; out-of-range is caught at construction.
    expect(() => Tensor.from('uint8', [], [300])).toThrow(ValueError);
  });

  it('enforces the int32-safe K bound: 33025 in the worst case, more with small zero points', () => {
    expect(MAX_SAFE_K_8BIT).toBe(Math.floor((2 ** 31 - 1) / (255 * 255)));
    expect(maxSafeK('uint8', 'int8')).toBe(33025);
    expect(maxSafeK('int8', 'int8', [0], [0])).toBe(131071);
    const k = 33026;
    const a = Tensor.zeros('uint8', [1, k]);
    const b = Tensor.zeros('uint8', [k, 1]);
    // uint8 with zero point 0 vs 255: worst |b − zb| is 255 either way.
    expect(() => matMulInteger(a, b, Tensor.scalar('uint8', 0), Tensor.scalar('uint8', 0))).toThrow(/K = 33026 may overflow.*largest safe K is 33025/);
    // int8 × int8 with zero point 0: |a| ≤ 128, so K = 33026 is safe and runs; the worst case of all 128·128 stays exact.
    const big = matMulInteger(Tensor.from('int8', [1, k], new Int8Array(k).fill(-128)), Tensor.from('int8', [k, 1], new Int8Array(k).fill(-128)));
    expect(big.toArray()).toEqual([128 * 128 * k]);
  });
});
