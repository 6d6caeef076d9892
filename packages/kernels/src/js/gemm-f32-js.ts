import type { GemmF32Args } from '../kernel-backend';

/**
 * Reference float32 GEMM.
 * Non-transposed `b` (`[k, n]`): i-k-j order, four rows of `a` per pass so each row of `b` is read once per four
 * output rows; accumulation in the float32 output (like a SIMD kernel). Transposed `b` (`[n, k]`, the nn.Linear
 * layout): dot products of contiguous rows with four independent accumulators.
 * Zero entries are never skipped: 0 · Inf must still give NaN as in any float GEMM.
 */
export function gemmF32Js(args: GemmF32Args): void {
  const { m, n, k, a, b, transB, bias, out } = args;
  if (transB) {
    gemmTransB(args);
    return;
  }
  for (let i = 0; i < m; i++) {
    const row = i * n;
    if (bias) for (let j = 0; j < n; j++) out[row + j] = bias[j];
    else for (let j = 0; j < n; j++) out[row + j] = 0;
  }
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const r0 = i * k;
    const o0 = i * n;
    const o1 = o0 + n;
    const o2 = o1 + n;
    const o3 = o2 + n;
    for (let p = 0; p < k; p++) {
      const a0 = a[r0 + p];
      const a1 = a[r0 + k + p];
      const a2 = a[r0 + 2 * k + p];
      const a3 = a[r0 + 3 * k + p];
      const rowB = p * n;
      for (let j = 0; j < n; j++) {
        const bv = b[rowB + j];
        out[o0 + j] += a0 * bv;
        out[o1 + j] += a1 * bv;
        out[o2 + j] += a2 * bv;
        out[o3 + j] += a3 * bv;
      }
    }
  }
  for (; i < m; i++) {
    const rowA = i * k;
    const rowOut = i * n;
    let p = 0;
    for (; p + 4 <= k; p += 4) {
      const a0 = a[rowA + p];
      const a1 = a[rowA + p + 1];
      const a2 = a[rowA + p + 2];
      const a3 = a[rowA + p + 3];
      const b0 = p * n;
      const b1 = b0 + n;
      const b2 = b1 + n;
      const b3 = b2 + n;
      for (let j = 0; j < n; j++) out[rowOut + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
    }
    for (; p < k; p++) {
      const av = a[rowA + p];
      const rowB = p * n;
      for (let j = 0; j < n; j++) out[rowOut + j] += av * b[rowB + j];
    }
  }
}

function gemmTransB(args: GemmF32Args): void {
  const { m, n, k, a, b, bias, out } = args;
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
