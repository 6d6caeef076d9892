// Batched MatMulInteger with per-tensor zero points (attention heads) in one backend call: both operands copied in
// once, then per batch entry the same widen → pack → int16 GEMM steps as `matMulInteger`, so results are bit-identical
// with it (and with the JS backend), without a JS↔WASM round trip and scratch setup per head.
import { dynamicParamsFromRange, type DynamicParams, type BatchedGemmF32Args, type BatchedMatMulIntegerArgs, type DynamicAttentionF32Args, type DynamicMatMulF32Args } from '@qint/kernels';
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
  heap.readI32(pC, batch * m * n, out);
}

/**
 * DynamicQuantizeLinear's scale and zero point of the `count` float32 values at `pX`: their range in SIMD (written to
 * 8 bytes of scratch at `pRange`), then the rule of @qint/kernels' `dynamicParamsFromRange`.
 */
function dynamicParamsInHeap(ex: KernelExports, heap: WasmHeap, pX: number, count: number, pRange: number): DynamicParams {
  ex.rangeRows(pX, 1, count, pRange);
  const f32 = heap.f32;
  return dynamicParamsFromRange(f32[pRange >> 2], f32[(pRange >> 2) + 1]);
}

/**
 * DynamicQuantizeLinear of the `count` float32 values at `pX` to uint8 codes at `pOut` (range and codes in SIMD; a
 * zero scale, from an all-zero input, gives all zeros with zero point 0); returns the scale and zero point.
 */
export function quantizeU8InHeap(ex: KernelExports, heap: WasmHeap, pX: number, count: number, pOut: number, what: string): DynamicParams {
  const params = dynamicParamsInHeap(ex, heap, pX, count, heap.scratch(8, `${what} range`));
  if (params.scale === 0) heap.u8.fill(0, pOut, pOut + count);
  else ex.quantizeU8(pX, count, params.scale, params.zeroPoint, pOut);
  return params;
}

/**
 * The dynamic MatMul on operands already in WASM memory: float32 `a` `[batch, m, k]` at `pAf`, `b` `[batch, k, n]` at
 * `pBf`; writes float32 `[batch, m, n]` at `pOut` (inside the caller's scratch scope).
 */
function dynamicMatMulInHeap(
  ex: KernelExports, heap: WasmHeap, batch: number, m: number, n: number, k: number, pAf: number, pBf: number, divisor: number | undefined, pOut: number,
): void {
  const na = batch * m * k;
  const nb = batch * k * n;
  const nc = batch * m * n;
  const kp = k + (k & 1);
  const lda = kp + 32;
  const panelBytes = ((n + 7) >> 3) * kp * 16;
  const rows = batch * m;
  const pRange = heap.scratch(8, 'dynamicMatMulF32 a range');
  const pB = heap.scratch(nb, 'dynamicMatMulF32 b quantized');
  const pZb = heap.scratch(4, 'dynamicMatMulF32 b zero point');
  const pAq = heap.scratch(na * 2 + 16, 'dynamicMatMulF32 a quantized');
  const pAw = heap.scratch(rows * lda * 2, 'dynamicMatMulF32 quantized a');
  const pBw = heap.scratch(panelBytes, 'dynamicMatMulF32 b panels');
  const pa = dynamicParamsInHeap(ex, heap, pAf, na, pRange);
  // A zero scale quantizes everything to 0 with zero point 0: the products and the output are all 0.
  const pb = quantizeU8InHeap(ex, heap, pBf, nb, pB, 'dynamicMatMulF32 b');
  heap.i32[pZb >> 2] = pb.zeroPoint;
  // A straight to the int16 GEMM layout, zero point already subtracted (dynamicLinear's quantizer for one scale shared
  // by all rows): the same values as quantizing to uint8 and widening.
  if (k > 0) {
    ex.quantizeRowsShared(pAf, rows, k, pa.scale, pa.zeroPoint, pAq, pAw, lda, kp);
    for (let i = 0; i < batch; i++) {
      ex.packPanelsB(pB + i * k * n, k, n, n, 0, pZb, 0, kp, pBw);
      ex.gemmI16(pAw + i * m * lda * 2, lda, m, kp, pBw, n, pOut + i * m * n * 4, n);
    }
  } else heap.i32.fill(0, pOut >> 2, (pOut >> 2) + nc); // no products: every sum is 0
  // In place: each int32 is read before its float32 replaces it.
  ex.scaleI32ToF32(pOut, nc, Math.fround(pa.scale * pb.scale), divisor === undefined ? 1 : Math.fround(divisor), pOut);
}

/** See `DynamicMatMulF32Args`: range and quantization in SIMD, the batched integer GEMM, the float scale (and divisor). */
export function dynamicMatMulF32Wasm(ex: KernelExports, heap: WasmHeap, args: DynamicMatMulF32Args): void {
  const { batch, m, n, k, a, b, out } = args;
  const na = batch * m * k;
  const nb = batch * k * n;
  const nc = batch * m * n;
  const pAf = heap.scratchF32(a, na, 'dynamicMatMulF32 a');
  const pBf = heap.scratchF32(b, nb, 'dynamicMatMulF32 b');
  const pC = heap.scratch(nc * 4, 'dynamicMatMulF32 out');
  dynamicMatMulInHeap(ex, heap, batch, m, n, k, pAf, pBf, args.divisor, pC);
  heap.readF32(pC, nc, out);
}

/**
 * See `DynamicAttentionF32Args`: scores, softmax and the value product without leaving WASM memory (the scores are
 * the largest tensor of attention and would otherwise cross the JS boundary three times).
 */
export function dynamicAttentionF32Wasm(ex: KernelExports, heap: WasmHeap, args: DynamicAttentionF32Args): void {
  const { batch, m, k, n, dv, q, kT, v, out } = args;
  const pQ = heap.scratchF32(q, batch * m * k, 'dynamicAttentionF32 q');
  const pK = heap.scratchF32(kT, batch * k * n, 'dynamicAttentionF32 kT');
  const pV = heap.scratchF32(v, batch * n * dv, 'dynamicAttentionF32 v');
  const pS = heap.scratch(batch * m * n * 4, 'dynamicAttentionF32 scores');
  const pO = heap.scratch(batch * m * dv * 4, 'dynamicAttentionF32 out');
  dynamicMatMulInHeap(ex, heap, batch, m, n, k, pQ, pK, args.divisor, pS);
  if (n > 0) ex.softmaxRows(pS, batch * m, n, pS);
  dynamicMatMulInHeap(ex, heap, batch, m, dv, n, pS, pV, undefined, pO);
  heap.readF32(pO, batch * m * dv, out);
}

/**
 * See `BatchedGemmF32Args`: both operands copied in once, then per entry what `gemmF32` does for one product (a GEMV
 * streaming `b` when m = 1, else `b` packed in 8-column panels and the panel kernel), so results equal per-head
 * `gemmF32` calls bit for bit.
 */
export function gemmF32BatchedWasm(ex: KernelExports, heap: WasmHeap, args: BatchedGemmF32Args): void {
  const { batch, m, n, k, a, b, out } = args;
  const np = ((n + 7) >> 3) * 8;
  const pA = heap.scratchF32(a, batch * m * k, 'gemmF32Batched a');
  const pB = heap.scratchF32(b, batch * k * n, 'gemmF32Batched b');
  const pPanels = m === 1 ? 0 : heap.scratch(np * k * 4, 'gemmF32Batched b panels');
  const pC = heap.scratch(batch * m * n * 4, 'gemmF32Batched out');
  for (let i = 0; i < batch; i++) {
    const ai = pA + i * m * k * 4;
    const bi = pB + i * k * n * 4;
    const ci = pC + i * m * n * 4;
    if (m === 1) ex.gemvF32(ai, k, bi, n, 0, ci);
    else {
      ex.packPanelsF32(bi, k, n, 0, pPanels);
      ex.gemmF32Panels(ai, k, m, k, pPanels, n, 0, 0, ci, n);
    }
  }
  heap.readF32(pC, batch * m * n, out);
}
