import type { GemmF32Args } from '../kernel-backend';

/**
 * Reference float32 GEMM. Non-transposed `b`: i-k-j order accumulating into the output row (float32 storage, like a
 * SIMD kernel). Transposed `b` (`[n, k]`): row-by-row dot products, four independent accumulators to break the
 * dependency chain.
 */
export function gemmF32Js(args: GemmF32Args): void {
  const { m, n, k, a, b, transB, bias, out } = args;
  if (!transB) {
    for (let i = 0; i < m; i++) {
      const rowOut = i * n;
      if (bias) for (let j = 0; j < n; j++) out[rowOut + j] = bias[j];
      else for (let j = 0; j < n; j++) out[rowOut + j] = 0;
      const rowA = i * k;
      for (let p = 0; p < k; p++) {
        // No skip of zero entries: 0 · Inf must still give NaN as in any float GEMM.
        const av = a[rowA + p];
        const rowB = p * n;
        for (let j = 0; j < n; j++) out[rowOut + j] += av * b[rowB + j];
      }
    }
    return;
  }
  const k4 = k - (k % 4);
  for (let i = 0; i < m; i++) {
    const rowA = i * k;
    for (let j = 0; j < n; j++) {
      const rowB = j * k;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let p = 0;
      for (; p < k4; p += 4) {
        s0 += a[rowA + p] * b[rowB + p];
        s1 += a[rowA + p + 1] * b[rowB + p + 1];
        s2 += a[rowA + p + 2] * b[rowB + p + 2];
        s3 += a[rowA + p + 3] * b[rowB + p + 3];
      }
      for (; p < k; p++) s0 += a[rowA + p] * b[rowB + p];
      out[i * n + j] = s0 + s1 + s2 + s3 + (bias ? bias[j] : 0);
    }
  }
}
