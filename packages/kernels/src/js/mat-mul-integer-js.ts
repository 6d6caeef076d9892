import type { MatMulIntegerArgs } from '../kernel-backend';

/**
 * Reference integer GEMM: `out[m, n] = Σ_k (a[m, k] − aZp) · (b[k, n] − bZp)`.
 *
 * i-k-j order so the innermost loop streams one row of `b` and rows of `out`; four rows of `a` are processed
 * together so each row of `b` is read once per four output rows (b is what spills out of cache for large k·n).
 * The b zero point is taken out of the loop: `Σ_k (a − aZp)(b − bZp) = Σ_k (a − aZp)·b − bZp · Σ_k (a − aZp)`.
 * Every partial sum is bounded by the same K·255·255 as the final one, so it stays an exact int32 whenever the op
 * function's K check passed.
 */
export function matMulIntegerJs(args: MatMulIntegerArgs): void {
  const { m, n, k, a, b, aZeroPoint, bZeroPoint, out } = args;
  const perRowA = aZeroPoint.length > 1;
  const za0 = aZeroPoint[0];
  out.fill(0, 0, m * n);
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const z0 = perRowA ? aZeroPoint[i] : za0;
    const z1 = perRowA ? aZeroPoint[i + 1] : za0;
    const z2 = perRowA ? aZeroPoint[i + 2] : za0;
    const z3 = perRowA ? aZeroPoint[i + 3] : za0;
    const r0 = i * k;
    const o0 = i * n;
    const o1 = o0 + n;
    const o2 = o1 + n;
    const o3 = o2 + n;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let p = 0; p < k; p++) {
      const a0 = a[r0 + p] - z0;
      const a1 = a[r0 + k + p] - z1;
      const a2 = a[r0 + 2 * k + p] - z2;
      const a3 = a[r0 + 3 * k + p] - z3;
      s0 += a0;
      s1 += a1;
      s2 += a2;
      s3 += a3;
      const rowB = p * n;
      for (let j = 0; j < n; j++) {
        const bv = b[rowB + j];
        out[o0 + j] += a0 * bv;
        out[o1 + j] += a1 * bv;
        out[o2 + j] += a2 * bv;
        out[o3 + j] += a3 * bv;
      }
    }
    subtractZeroPoint(out, o0, n, s0, bZeroPoint);
    subtractZeroPoint(out, o1, n, s1, bZeroPoint);
    subtractZeroPoint(out, o2, n, s2, bZeroPoint);
    subtractZeroPoint(out, o3, n, s3, bZeroPoint);
  }
  for (; i < m; i++) {
    const za = perRowA ? aZeroPoint[i] : za0;
    const rowOut = i * n;
    const rowA = i * k;
    let rowSum = 0;
    // Four rows of b per pass over the output row: a quarter of the read-modify-writes of `out`.
    let p = 0;
    for (; p + 4 <= k; p += 4) {
      const a0 = a[rowA + p] - za;
      const a1 = a[rowA + p + 1] - za;
      const a2 = a[rowA + p + 2] - za;
      const a3 = a[rowA + p + 3] - za;
      rowSum += a0 + a1 + a2 + a3;
      const b0 = p * n;
      const b1 = b0 + n;
      const b2 = b1 + n;
      const b3 = b2 + n;
      for (let j = 0; j < n; j++) out[rowOut + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
    }
    for (; p < k; p++) {
      const av = a[rowA + p] - za;
      rowSum += av;
      const rowB = p * n;
      for (let j = 0; j < n; j++) out[rowOut + j] += av * b[rowB + j];
    }
    subtractZeroPoint(out, rowOut, n, rowSum, bZeroPoint);
  }
}

/** `out[row + j] −= bZp[j] · rowSum` (per column) or `bZp[0] · rowSum` (per tensor). */
function subtractZeroPoint(out: Int32Array, row: number, n: number, rowSum: number, bZeroPoint: Int32Array): void {
  if (rowSum === 0) return;
  if (bZeroPoint.length > 1) {
    for (let j = 0; j < n; j++) out[row + j] -= bZeroPoint[j] * rowSum;
  } else if (bZeroPoint[0] !== 0) {
    const corr = bZeroPoint[0] * rowSum;
    for (let j = 0; j < n; j++) out[row + j] -= corr;
  }
}
