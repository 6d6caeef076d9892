import type { BatchedGemmF32Args } from '../kernel-backend';
import { gemmF32Js } from './gemm-f32-js';

/** Reference batched float32 GEMM: the reference {@link gemmF32Js} once per batch entry. */
export function gemmF32BatchedJs(args: BatchedGemmF32Args): void {
  const { batch, m, n, k, a, b, out } = args;
  for (let i = 0; i < batch; i++) {
    gemmF32Js({
      m,
      n,
      k,
      a: a.subarray(i * m * k, (i + 1) * m * k),
      b: b.subarray(i * k * n, (i + 1) * k * n),
      transB: false,
      out: out.subarray(i * m * n, (i + 1) * m * n),
    });
  }
}
