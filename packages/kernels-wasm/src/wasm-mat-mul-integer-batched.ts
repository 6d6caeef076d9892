// Batched MatMulInteger with per-tensor zero points (attention heads) in one backend call: both operands copied in
// once, then per batch entry the same widen → pack → int16 GEMM steps as `matMulInteger`, so results are bit-identical
// with it (and with the JS backend), without a JS↔WASM round trip and scratch setup per head.
import type { BatchedMatMulIntegerArgs } from '@qint/kernels';
import type { KernelExports } from './wasm-exports';
import type { WasmHeap } from './wasm-heap';

/** See `BatchedMatMulIntegerArgs`; runs inside the caller's scratch scope. */
export function matMulIntegerBatchedWasm(ex: KernelExports, heap: WasmHeap, args: BatchedMatMulIntegerArgs): void {
  const { batch, m, n, k, a, b, out } = args;
  const kp = k + (k & 1);
  const lda = kp + 32; // padded row stride, as matMulInteger uses
  const panelBytes = ((n + 7) >> 3) * kp * 16;
  const pA = heap.scratch(batch * m * k, 'matMulIntegerBatched a');
  const pB = heap.scratch(batch * k * n, 'matMulIntegerBatched b');
  const pZ = heap.scratch(8, 'matMulIntegerBatched zero points');
  const pAw = heap.scratch(m * lda * 2, 'matMulIntegerBatched widened a');
  const pBw = heap.scratch(panelBytes, 'matMulIntegerBatched b panels');
  const pC = heap.scratch(batch * m * n * 4, 'matMulIntegerBatched out');
  const u8 = heap.u8;
  u8.set(new Uint8Array(a.buffer, a.byteOffset, batch * m * k), pA);
  u8.set(new Uint8Array(b.buffer, b.byteOffset, batch * k * n), pB);
  const i32 = heap.i32;
  i32[pZ >> 2] = args.aZeroPoint;
  i32[(pZ >> 2) + 1] = args.bZeroPoint;
  const aSigned = a instanceof Int8Array ? 1 : 0;
  const bSigned = b instanceof Int8Array ? 1 : 0;
  for (let i = 0; i < batch; i++) {
    ex.widenRows(pA + i * m * k, m, k, k, aSigned, pZ, 0, lda, pAw);
    ex.packPanelsB(pB + i * k * n, k, n, n, bSigned, pZ + 4, 0, kp, pBw);
    ex.gemmI16(pAw, lda, m, kp, pBw, n, pC + i * m * n * 4, n);
  }
  out.set(heap.i32.subarray(pC >> 2, (pC >> 2) + batch * m * n));
}
