import type { BatchedMatMulIntegerArgs } from '../kernel-backend';
import { matMulIntegerJs } from './mat-mul-integer-js';

/** Reference batched integer GEMM: the reference {@link matMulIntegerJs} once per batch entry. */
export function matMulIntegerBatchedJs(args: BatchedMatMulIntegerArgs): void {
  const { batch, m, n, k, a, b, out } = args;
  const aZeroPoint = new Int32Array([args.aZeroPoint]);
  const bZeroPoint = new Int32Array([args.bZeroPoint]);
  const mk = m * k;
  const kn = k * n;
  const mn = m * n;
  for (let i = 0; i < batch; i++) {
    matMulIntegerJs({
      m,
      n,
      k,
      a: a.subarray(i * mk, (i + 1) * mk),
      b: b.subarray(i * kn, (i + 1) * kn),
      aZeroPoint,
      bZeroPoint,
      out: out.subarray(i * mn, (i + 1) * mn),
    });
  }
}
