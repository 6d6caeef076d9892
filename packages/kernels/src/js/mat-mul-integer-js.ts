import type { MatMulIntegerArgs } from '../kernel-backend';

/**
 * Reference integer GEMM: `out[m, n] = Σ_k (a[m, k] − aZp) · (b[k, n] − bZp)`.
 *
 * i-k-j order so the innermost loop streams one row of `b` and one row of `out`. The b zero point is taken out of
 * the loop: `Σ_k (a − aZp)(b − bZp) = Σ_k (a − aZp)·b − bZp · Σ_k (a − aZp)`. Every partial sum is bounded by the
 * same K·255·255 as the final one, so it stays an exact int32 whenever the op function's K check passed.
 */
export function matMulIntegerJs(args: MatMulIntegerArgs): void {
  const { m, n, k, a, b, aZeroPoint, bZeroPoint, out } = args;
  const perRowA = aZeroPoint.length > 1;
  const perColB = bZeroPoint.length > 1;
  const bz0 = bZeroPoint[0];
  for (let i = 0; i < m; i++) {
    const za = perRowA ? aZeroPoint[i] : aZeroPoint[0];
    const rowOut = i * n;
    for (let j = 0; j < n; j++) out[rowOut + j] = 0;
    let rowSum = 0;
    const rowA = i * k;
    for (let p = 0; p < k; p++) {
      const av = a[rowA + p] - za;
      if (av === 0) continue;
      rowSum += av;
      const rowB = p * n;
      for (let j = 0; j < n; j++) out[rowOut + j] += av * b[rowB + j];
    }
    if (rowSum !== 0) {
      if (perColB) for (let j = 0; j < n; j++) out[rowOut + j] -= bZeroPoint[j] * rowSum;
      else if (bz0 !== 0) {
        const corr = bz0 * rowSum;
        for (let j = 0; j < n; j++) out[rowOut + j] -= corr;
      }
    }
  }
}
