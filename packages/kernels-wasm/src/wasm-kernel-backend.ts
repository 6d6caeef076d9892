import { ValueError } from '@qint/tensor';
import type {
  BackendDiagnostics,
  BatchedGemmF32Args,
  BatchedMatMulIntegerArgs,
  BinaryF32Args,
  Conv2dGeometry,
  DynamicAttentionF32Args,
  DynamicMatMulF32Args,
  ConvF32Args,
  ConvIntegerArgs,
  DynamicConvF32Args,
  ConvPool,
  GemmF32Args,
  GemmWeightsSpec,
  DynamicLinearArgs,
  GeluErfF32Args,
  KernelBackend,
  LayerNormF32Args,
  SoftmaxF32Args,
  StridedCopyF32Args,
  LinearWeightsSpec,
  MatMulIntegerArgs,
  PackedGemmWeights,
  PackedLinearWeights,
} from '@qint/kernels';
import { dynamicParamsFromRange } from '@qint/kernels';
import type { KernelExports } from './wasm-exports';
import { ConstantWeightCache } from './constant-weight-cache';
import { WasmHeap } from './wasm-heap';
import { WasmPackedGemmWeights } from './wasm-packed-gemm-weights';
import { WasmPackedLinearWeights } from './wasm-packed-linear-weights';
import { binaryF32Wasm, geluErfF32Wasm, layerNormF32Wasm, softmaxF32Wasm, stridedCopyF32Wasm } from './wasm-row-ops';
import { dynamicAttentionF32Wasm, dynamicMatMulF32Wasm, gemmF32BatchedWasm, matMulIntegerBatchedWasm, quantizeU8InHeap } from './wasm-mat-mul-integer-batched';

/**
 * The primitives this backend runs in WebAssembly (all of KernelBackend v1).
 *
 * @example
 * ```ts
 * NATIVE_OPS.includes('dynamicLinear'); // true
 * ```
 */
export const NATIVE_OPS = [
  'matMulInteger', 'gemmF32', 'convF32', 'convInteger', 'dynamicConvF32', 'packLinearWeights', 'dynamicLinear', 'releaseLinearWeights',
  'packGemmWeights', 'releaseGemmWeights',
  'matMulIntegerBatched', 'gemmF32Batched', 'dynamicMatMulF32', 'dynamicAttentionF32', 'stridedCopyF32', 'binaryF32', 'softmaxF32', 'geluErfF32', 'layerNormF32',
] as const;

/**
 * KernelBackend v1 over the WebAssembly SIMD kernels. Built by `createWasmBackend()`; see the package README for
 * the memory model. Primitives are arrow-function properties, so they may be called detached from the instance.
 *
 * @example
 * ```ts
 * const wasm = await createWasmBackend();
 * wasm.dynamicLinear({ m, x, weights: wasm.packLinearWeights(spec), perRow: false, out });
 * ```
 */
export class WasmKernelBackend implements KernelBackend {
  readonly specificationVersion = 'v1' as const;
  readonly name: string;
  /** `convF32` applies the Relu / affine / pool epilogue of `ConvF32Args` itself (in WASM memory). */
  readonly convF32Epilogue = true;
  private ex: KernelExports | undefined;
  private heap: WasmHeap | undefined;
  private readonly packed = new Set<WasmPackedLinearWeights>();
  private readonly packedGemm = new Set<WasmPackedGemmWeights>();
  private calls = 0;
  private readonly cache: ConstantWeightCache | undefined;

  constructor(name: string, exports: KernelExports, options: { cacheConstantWeights?: boolean } = {}) {
    this.name = name;
    this.ex = exports;
    this.heap = new WasmHeap(exports.memory, exports.heapBase());
    this.cache = options.cacheConstantWeights ? new ConstantWeightCache(() => this.heap) : undefined;
  }

  /** Runs `body` with a scratch arena of its own, outside any op call (used to build cached and packed forms). */
  private scoped(heap: WasmHeap, body: () => void): void {
    heap.beginCall();
    try {
      body();
    } finally {
      heap.endCall();
    }
  }

  private live(op: string): { ex: KernelExports; heap: WasmHeap } {
    if (!this.ex || !this.heap) throw new ValueError(`${op}: the WASM backend "${this.name}" was disposed; create a new one`);
    return { ex: this.ex, heap: this.heap };
  }

  /** Runs `body` with a fresh scratch arena that is released whatever happens. */
  private call<T>(op: string, body: (ex: KernelExports, heap: WasmHeap) => T): T {
    const { ex, heap } = this.live(op);
    heap.beginCall();
    try {
      this.calls++;
      return body(ex, heap);
    } finally {
      heap.endCall();
    }
  }

  /**
   * `out = Σ_k (a − aZp)(b − bZp)` in int32, bit-identical with the JS backend.
   * @param args - see `MatMulIntegerArgs` (shapes already validated by the op function)
   * @throws {@link ValueError} after `dispose()` or when the operands exceed wasm32 memory
   * @example
   * ```ts
   * wasm.matMulInteger({ m, n, k, a, b, aZeroPoint: new Int32Array([128]), bZeroPoint: new Int32Array([0]), out });
   * ```
   */
  readonly matMulInteger = (args: MatMulIntegerArgs): void => {
    const { m, n, k, a, b, aZeroPoint, bZeroPoint, out } = args;
    if (m === 0 || n === 0) return;
    // M >= 4 runs the 4-row interleaved kernel (gemmI16IL) on whole 4-row blocks, which needs k padded to whole 4-pair vectors;
    // M < 4 uses the same padded panels (so one cached form serves both), at most 3 zero pairs more.
    const il = m >= 4;
    const kp = Math.ceil(k / 8) * 8;
    const panelBytes = ((n + 7) >> 3) * kp * 16;
    const bSigned = b instanceof Int8Array ? 1 : 0;
    // Copies b and its zero points to scratch and packs them as int16 panels at `dst` (inside a scratch scope).
    const packB = (ex: KernelExports, heap: WasmHeap, dst: number): void => {
      const pB = heap.scratch(k * n, 'matMulInteger b');
      const pBz = heap.scratch(bZeroPoint.length * 4, 'matMulInteger bZeroPoint');
      heap.u8.set(asBytes(b).subarray(0, k * n), pB);
      heap.i32.set(bZeroPoint, pBz >> 2);
      ex.packPanelsB(pB, k, n, n, bSigned, pBz, bZeroPoint.length > 1 ? 1 : 0, kp, dst);
    };
    let cachedB = 0;
    if (this.cache) {
      const { ex, heap } = this.live('matMulInteger');
      const params = new Int32Array(bZeroPoint.length + 3);
      params.set([k, n, bSigned]);
      params.set(bZeroPoint, 3);
      cachedB = this.cache.get(b, 'matMulInteger-b-panels', params, panelBytes, (dst) => this.scoped(heap, () => packB(ex, heap, dst)));
    }
    this.call('matMulInteger', (ex, heap) => {
      const pA = heap.scratch(m * k, 'matMulInteger a');
      const pAz = heap.scratch(aZeroPoint.length * 4, 'matMulInteger aZeroPoint');
      const lda = kp + 32; // padded row stride, see dynamicLinear
      const pAw = heap.scratch(m * lda * 2, 'matMulInteger widened a');
      const pC = heap.scratch(m * n * 4, 'matMulInteger out');
      heap.u8.set(asBytes(a).subarray(0, m * k), pA);
      heap.i32.set(aZeroPoint, pAz >> 2);
      ex.widenRows(pA, m, k, k, a instanceof Int8Array ? 1 : 0, pAz, aZeroPoint.length > 1 ? 1 : 0, lda, pAw);
      let pBw = cachedB;
      if (!pBw) {
        pBw = heap.scratch(panelBytes, 'matMulInteger b panels');
        packB(ex, heap, pBw);
      }
      // Whole 4-row blocks on the interleaved kernel, the last m % 4 rows on gemmI16's one-row loop.
      const m4 = il ? m & ~3 : 0;
      if (m4 > 0) {
        const pAi = heap.scratch(m4 * kp * 2, 'matMulInteger interleaved a');
        ex.interleaveRows4(pAw, lda, m4, kp >> 1, pAi);
        ex.gemmI16IL(pAi, m4, kp, pBw, n, pC, n);
      }
      if (m4 < m) ex.gemmI16(pAw + m4 * lda * 2, lda, m - m4, kp, pBw, n, pC + m4 * n * 4, n);
      heap.readI32(pC, m * n, out);
    });
  };

  /**
   * ConvInteger (NCHW), bit-identical with the JS backend: im2col + integer GEMM, direct loop when depthwise.
   * @param args - see `ConvIntegerArgs`
   * @throws {@link ValueError} after `dispose()` or when the operands exceed wasm32 memory
   * @example
   * ```ts
   * wasm.convInteger({ ...geometry, x, w, xZeroPoint: 128, wZeroPoint: new Int32Array([0]), out });
   * ```
   */
  readonly convInteger = (args: ConvIntegerArgs): void => {
    const { batch, inChannels: C, inHeight: H, inWidth: W, outChannels: M, kernelHeight: KH, kernelWidth: KW, outHeight: OH, outWidth: OW, group } = args;
    const { x, w, xZeroPoint, wZeroPoint, out } = args;
    const P = OH * OW;
    if (batch === 0 || M === 0 || P === 0) return;
    const kTotal = (C / group) * KH * KW;
    this.call('convInteger', (ex, heap) => {
      const xSigned = x instanceof Int8Array ? 1 : 0;
      const wSigned = w instanceof Int8Array ? 1 : 0;
      const pX = heap.scratch(batch * C * H * W, 'convInteger x');
      const pW = heap.scratch(M * kTotal, 'convInteger w');
      const pWz = heap.scratch(wZeroPoint.length * 4, 'convInteger wZeroPoint');
      const pOut = heap.scratch(batch * M * P * 4, 'convInteger out');
      const u8 = heap.u8;
      u8.set(asBytes(x), pX);
      u8.set(asBytes(w), pW);
      heap.i32.set(wZeroPoint, pWz >> 2);
      convIntegerInHeap(ex, heap, args, pX, xSigned, xZeroPoint, pW, wSigned, pWz, wZeroPoint.length > 1 ? 1 : 0, pOut);
      heap.readI32(pOut, batch * M * P, out);
    });
  };

  /**
   * ai.qint DynamicConv in one call, bit-identical with the JS backend: the activation is quantized (range and uint8
   * codes in SIMD), convolved as in {@link WasmKernelBackend.convInteger}, scaled per channel with the bias and the
   * Relu / BatchNormalization epilogue, all in WASM memory; one float32 copy in and one out.
   * @param args - see `DynamicConvF32Args` (validated by `dynamicConv` of @qint/kernels)
   * @throws {@link ValueError} after `dispose()` or when the operands exceed wasm32 memory
   * @example
   * ```ts
   * wasm.dynamicConvF32({ ...geometry, x, w, wZeroPoint: new Int32Array(1), wScale, out });
   * ```
   */
  readonly dynamicConvF32 = (args: DynamicConvF32Args): void => {
    const { batch, inChannels: C, inHeight: H, inWidth: W, outChannels: M, kernelHeight: KH, kernelWidth: KW, outHeight: OH, outWidth: OW, group } = args;
    const { x, w, wZeroPoint, wScale, bias, out, relu, postScale, postShift } = args;
    const P = OH * OW;
    if (batch === 0 || M === 0 || P === 0) return;
    const n = batch * C * H * W;
    const kTotal = (C / group) * KH * KW;
    this.call('dynamicConvF32', (ex, heap) => {
      const pXf = heap.scratchF32(x, n, 'dynamicConvF32 x');
      const pX = heap.scratch(n, 'dynamicConvF32 x quantized');
      const pW = heap.scratch(M * kTotal, 'dynamicConvF32 w');
      const pWz = heap.scratch(wZeroPoint.length * 4, 'dynamicConvF32 wZeroPoint');
      const pScale = heap.scratch(M * 4, 'dynamicConvF32 scales');
      const pBias = bias ? heap.scratchF32(bias, M, 'dynamicConvF32 bias') : 0;
      const pOut = heap.scratch(batch * M * P * 4, 'dynamicConvF32 out');
      heap.u8.set(asBytes(w), pW);
      heap.i32.set(wZeroPoint, pWz >> 2);
      const params = quantizeU8InHeap(ex, heap, pXf, n, pX, 'dynamicConvF32 x');
      const f32 = heap.f32;
      for (let c = 0; c < M; c++) f32[(pScale >> 2) + c] = Math.fround(params.scale * wScale[c]);
      convIntegerInHeap(ex, heap, args, pX, 0, params.zeroPoint, pW, w instanceof Int8Array ? 1 : 0, pWz, wZeroPoint.length > 1 ? 1 : 0, pOut);
      const [pPostScale, pPostShift] = affineInHeap(heap, M, postScale, postShift, 'dynamicConvF32');
      ex.dynamicConvOutF32(pOut, batch, M, P, pScale, pBias, relu === true, pPostScale, pPostShift);
      readPooled(ex, heap, pOut, batch * M, OH, OW, args.pool, out);
    });
  };

  /**
   * Float32 GEMM `out = a · b (+ bias)` (float32 SIMD; summation order differs from the JS backend).
   * @param args - see `GemmF32Args`
   * @throws {@link ValueError} after `dispose()` or when the operands exceed wasm32 memory
   * @example
   * ```ts
   * wasm.gemmF32({ m, n, k, a, b, transB: false, out });
   * ```
   */
  readonly gemmF32 = (args: GemmF32Args): void => {
    const { m, n, k, a, b, transB, bias, out } = args;
    if (m === 0 || n === 0) return;
    const np = ((n + 7) >> 3) * 8;
    const gemv = m === 1;
    // Copies b to scratch and packs it as float32 panels at `dst` (inside a scratch scope).
    const packB = (ex: KernelExports, heap: WasmHeap, dst: number): void => {
      const pRaw = heap.scratchF32(b, k * n, 'gemmF32 b');
      ex.packPanelsF32(pRaw, k, n, transB ? 1 : 0, dst);
    };
    let panelsB = 0;
    let rawB = 0;
    const packed = args.packedB;
    if (packed instanceof WasmPackedGemmWeights && packed.owner === this && !packed.released) {
      if (packed.k !== k || packed.n !== n || packed.transB !== transB) {
        throw new ValueError(
          `gemmF32: packedB was packed for k = ${packed.k}, n = ${packed.n}, transB = ${packed.transB}; the call has k = ${k}, n = ${n}, transB = ${transB}`,
        );
      }
      panelsB = packed.address;
    } else if (this.cache) {
      const { ex, heap } = this.live('gemmF32');
      const params = new Int32Array([k, n, transB ? 1 : 0]);
      if (gemv) {
        rawB = this.cache.get(b, 'gemmF32-b', params, k * n * 4, (dst) => heap.f32.set(b.subarray(0, k * n), dst >> 2));
      } else {
        panelsB = this.cache.get(b, 'gemmF32-b-panels', params, np * k * 4, (dst) => this.scoped(heap, () => packB(ex, heap, dst)));
      }
    }
    this.call('gemmF32', (ex, heap) => {
      const pA = heap.scratchF32(a, m * k, 'gemmF32 a');
      const pBias = bias ? heap.scratch(np * 4, 'gemmF32 bias') : 0;
      const pC = heap.scratch(m * n * 4, 'gemmF32 out');
      const f32 = heap.f32;
      if (bias) {
        f32.set(bias.subarray(0, n), pBias >> 2);
        f32.fill(0, (pBias >> 2) + n, (pBias >> 2) + np);
      }
      if (gemv && !panelsB) {
        // Matrix × vector on an unpacked B: stream it as it is; packing it would cost as much as the product.
        let pB = rawB;
        if (!pB) pB = heap.scratchF32(b, k * n, 'gemmF32 b');
        if (transB) ex.gemvF32T(pA, k, pB, n, pBias, pC);
        else ex.gemvF32(pA, k, pB, n, pBias, pC);
      } else {
        let pB = panelsB;
        if (!pB) {
          pB = heap.scratch(np * k * 4, 'gemmF32 b panels');
          packB(ex, heap, pB);
        }
        if (gemv) ex.gemvF32Panels(pA, k, pB, n, pBias, pC);
        else ex.gemmF32Panels(pA, k, m, k, pB, n, pBias, 0, pC, n);
      }
      heap.readF32(pC, m * n, out);
    });
  };

  /**
   * Packs a constant float32 `B` once into persistent memory (float32 panels of 8 columns), for
   * `gemmF32({ ..., packedB })`: later products skip copying and packing it.
   * @param spec - see `GemmWeightsSpec`
   * @returns opaque packed weights for {@link WasmKernelBackend.gemmF32}
   * @throws {@link ValueError} when `b` is shorter than k·n, for negative or fractional sizes, or after `dispose()`
   * @example
   * ```ts
   * const pb = wasm.packGemmWeights({ k, n, b, transB: false });
   * wasm.gemmF32({ m, n, k, a, b, transB: false, out, packedB: pb });
   * ```
   */
  readonly packGemmWeights = (spec: GemmWeightsSpec): PackedGemmWeights => {
    const { heap, ex } = this.live('packGemmWeights');
    const { k, n, b, transB } = spec;
    if (!Number.isSafeInteger(k) || k < 0 || !Number.isSafeInteger(n) || n < 0) {
      throw new ValueError(`packGemmWeights: k and n must be non-negative integers, got k = ${k}, n = ${n}`);
    }
    if (b.length < k * n) throw new ValueError(`packGemmWeights: b has ${b.length} elements, expected k·n = ${k * n}`);
    const bytes = ((n + 7) >> 3) * 8 * k * 4;
    const address = heap.allocPersistent(bytes, 'packGemmWeights');
    this.scoped(heap, () => {
      const pRaw = heap.scratchF32(b, k * n, 'packGemmWeights staging');
      ex.packPanelsF32(pRaw, k, n, transB ? 1 : 0, address);
    });
    const packed = new WasmPackedGemmWeights({ backend: this.name, k, n, transB, byteLength: bytes, owner: this, address });
    this.packedGemm.add(packed);
    return packed;
  };

  /**
   * Returns the memory of packed float32 weights to the allocator; later use of them falls back to copying `b`.
   * Idempotent; ignores weights of other backends.
   * @param weights - weights packed by this backend instance's `packGemmWeights`
   * @example
   * ```ts
   * wasm.releaseGemmWeights(pb);
   * ```
   */
  readonly releaseGemmWeights = (weights: PackedGemmWeights): void => {
    if (!(weights instanceof WasmPackedGemmWeights) || weights.owner !== this || weights.released) return;
    weights.released = true;
    this.packedGemm.delete(weights);
    this.heap?.releasePersistent(weights.address);
  };

  /**
   * Float32 convolution (NCHW) with optional bias: im2col + float GEMM, direct loop when depthwise.
   * @param args - see `ConvF32Args`
   * @throws {@link ValueError} after `dispose()` or when the operands exceed wasm32 memory
   * @example
   * ```ts
   * wasm.convF32({ ...geometry, x, w, bias, out });
   * ```
   */
  readonly convF32 = (args: ConvF32Args): void => {
    const {
      batch, inChannels: C, inHeight: H, inWidth: W, outChannels: M, kernelHeight: KH, kernelWidth: KW, outHeight: OH,
      outWidth: OW, padTop, padLeft, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, group,
      x, w, bias, out, relu, postScale, postShift,
    } = args;
    const P = OH * OW;
    if (batch === 0 || M === 0 || P === 0) return;
    const cg = C / group;
    const mg = M / group;
    const kTotal = cg * KH * KW;
    this.call('convF32', (ex, heap) => {
      const pX = heap.scratchF32(x, batch * C * H * W, 'convF32 x');
      const pW = heap.scratchF32(w, M * kTotal, 'convF32 w');
      const pBias = bias ? heap.scratchF32(bias, M, 'convF32 bias') : 0;
      const pOut = heap.scratch(batch * M * P * 4, 'convF32 out');
      const imageBytes = C * H * W * 4;
      // Depthwise (one input channel per group, several groups) runs a direct loop; so does an ordinary conv of a
      // single input channel (a first layer on grey images), whose K = kh·kw is too short for im2col + GEMM to pay.
      if (C === 1 && group === 1 && kTotal > 0) {
        const lay = paddedLayout(args);
        const pPad = heap.scratch((lay.hp * lay.wp + 32) * 4 + lay.wp * 4, 'convF32 padded image');
        for (let b = 0; b < batch; b++) {
          ex.padImageF32(pX + b * imageBytes, 0, 1, H, W, padTop, padLeft, lay.hp, lay.wp, pPad);
          ex.convF32C1(pPad, lay.wp, pW, pBias, M, KH, KW, OH, OW, sh, sw, dh, dw, pOut + b * M * P * 4);
        }
      } else if (cg === 1 && group > 1 && kTotal > 0) {
        const lay = paddedLayout(args);
        // Stride 2 reads 16 neighbours for 8 outputs: slack for the last row.
        const pPad = heap.scratch((C * lay.hp * lay.wp + 32) * 4 + lay.wp * 4, 'convF32 padded image');
        for (let b = 0; b < batch; b++) {
          ex.padImageF32(pX + b * imageBytes, 0, C, H, W, padTop, padLeft, lay.hp, lay.wp, pPad);
          ex.depthwiseF32P(pPad, lay.hp, lay.wp, pW, pBias, C, mg, KH, KW, OH, OW, sh, sw, dh, dw, pOut + b * M * P * 4);
        }
      } else {
        const pCol = heap.scratch(((P + 7) >> 3) * Math.max(kTotal, 1) * 32, 'convF32 im2col');
        const lay = paddedLayout(args);
        const pPad = heap.scratch((cg * lay.hp * lay.wp + 16) * 4, 'convF32 padded image');
        const pTaps = heap.scratch(kTotal * 4, 'convF32 taps');
        ex.tapOffsets(cg, KH, KW, lay.hp, lay.wp, dh, dw, pTaps);
        for (let b = 0; b < batch; b++) {
          for (let g = 0; g < group; g++) {
            ex.padImageF32(pX + b * imageBytes, g * cg, cg, H, W, padTop, padLeft, lay.hp, lay.wp, pPad);
            if (lay.stride1) ex.im2colF32S1(pPad, lay.wp, pTaps, kTotal, OH, OW, pCol);
            else ex.im2colF32Gather(pPad, lay.wp, pTaps, kTotal, OH, OW, sh, sw, pCol);
            ex.gemmF32Panels(
              pW + g * mg * kTotal * 4, kTotal, mg, kTotal, pCol, P, 0, pBias ? pBias + g * mg * 4 : 0, pOut + (b * M + g * mg) * P * 4, P,
            );
          }
        }
      }
      // The fused Relu / BatchNormalization in one SIMD pass while the output is still in WASM memory (a JS loop over
      // it costs ~1 ns per element, mostly mispredicted Relu branches).
      if (relu || (postScale !== undefined && postShift !== undefined)) {
        const [pScale, pShift] = affineInHeap(heap, M, postScale, postShift, 'convF32');
        ex.convEpilogueF32(pOut, batch, M, P, relu === true, pScale, pShift);
      }
      readPooled(ex, heap, pOut, batch * M, OH, OW, args.pool, out);
    });
  };

  /**
   * Packs quantized linear weights (8/4/3/2 bits, per channel or per block) into this backend's persistent memory.
   * @param spec - see `LinearWeightsSpec`
   * @returns opaque packed weights for {@link WasmKernelBackend.dynamicLinear}
   * @throws {@link ValueError} for bits other than 8/4/3/2, a negative or fractional blockSize, arrays shorter than
   * the shape needs, values or zero points outside the signed bit range, or after `dispose()`
   * @example
   * ```ts
   * const w = wasm.packLinearWeights({ n, k, bits: 4, values, blockSize: 32, scales });
   * ```
   */
  readonly packLinearWeights = (spec: LinearWeightsSpec): PackedLinearWeights => {
    const { heap, ex } = this.live('packLinearWeights');
    const { n, k, bits, values, blockSize, scales, zeroPoints } = spec;
    if (bits !== 8 && bits !== 4 && bits !== 3 && bits !== 2) {
      throw new ValueError(`packLinearWeights: bits must be 8, 4, 3 or 2, got ${String(bits)}`);
    }
    if (!Number.isInteger(blockSize) || blockSize < 0) {
      throw new ValueError(`packLinearWeights: blockSize must be 0 or a positive integer, got ${blockSize}`);
    }
    const groups = blockSize > 0 ? Math.ceil(k / blockSize) : 1;
    const gl = blockSize > 0 ? blockSize : k;
    if (values.length < n * k) throw new ValueError(`packLinearWeights: values has ${values.length} elements, expected n·k = ${n * k}`);
    if (scales.length < n * groups) {
      throw new ValueError(`packLinearWeights: scales has ${scales.length} elements, expected n·groups = ${n * groups}`);
    }
    if (zeroPoints && zeroPoints.length < n * groups) {
      throw new ValueError(`packLinearWeights: zeroPoints has ${zeroPoints.length} elements, expected n·groups = ${n * groups}`);
    }
    const qmin = -(2 ** (bits - 1));
    const qmax = 2 ** (bits - 1) - 1;
    for (let i = 0; i < n * k; i++) {
      const v = values[i];
      if (v < qmin || v > qmax) {
        throw new ValueError(`packLinearWeights: values[${i}] = ${v} is outside the ${bits}-bit range [${qmin}, ${qmax}]`);
      }
    }
    if (zeroPoints) {
      for (let i = 0; i < n * groups; i++) {
        const z = zeroPoints[i];
        if (z < qmin || z > qmax) {
          throw new ValueError(`packLinearWeights: zeroPoints[${i}] = ${z} is outside the ${bits}-bit range [${qmin}, ${qmax}]`);
        }
      }
    }
    // 3-bit weights use 4-bit fields. The 4-bit GEMV keeps 16x sums in int32, exact for groups up to 32768 long, the
    // 2-bit one 4x sums, exact up to 2^18; longer groups are stored in 8-bit fields.
    const storeBits: 8 | 4 | 2 = bits === 8 ? 8 : bits === 2 ? (gl <= 262144 ? 2 : 8) : gl <= 32768 ? 4 : 8;
    const offset = storeBits === 8 ? 0 : 2 ** (storeBits - 1);
    const lp = Math.ceil(gl / 8) * 8;
    const panels = (n + 7) >> 3;
    const panelBytes = panels * groups * lp * storeBits;
    const metaBytes = panels * groups * 32;
    const hasZp = !!zeroPoints && zeroPoints.some((z, i) => i < n * groups && z !== 0);
    const total = panelBytes + 2 * metaBytes;
    const address = heap.allocPersistent(total + 64, 'packLinearWeights');
    const panelsAddress = address;
    const scalesAddress = address + Math.ceil(panelBytes / 64) * 64;
    const offsetsAddress = scalesAddress + metaBytes;
    // Stage the signed values right after this block in scratch, then pack in wasm.
    this.scoped(heap, () => {
      const src = heap.scratch(n * k, 'packLinearWeights staging');
      heap.i8.set(values.subarray(0, n * k), src);
      ex.packWeights(src, n, k, storeBits, gl, lp, groups, panelsAddress);
    });
    const f32 = heap.f32;
    const i32 = heap.i32;
    for (let j = 0; j < panels; j++) {
      for (let g = 0; g < groups; g++) {
        const base = ((j * groups + g) * 32) >> 2;
        for (let c = 0; c < 8; c++) {
          const col = j * 8 + c;
          const inRange = col < n;
          f32[(scalesAddress >> 2) + base + c] = inRange ? scales[col * groups + g] : 0;
          i32[(offsetsAddress >> 2) + base + c] = offset + (inRange && zeroPoints ? zeroPoints[col * groups + g] : 0);
        }
      }
    }
    const packed = new WasmPackedLinearWeights({
      backend: this.name, n, k, bits, blockSize, byteLength: total, owner: this, address, panelsAddress, scalesAddress,
      offsetsAddress, panels, groups, groupLength: gl, paddedGroupLength: lp, storageBits: storeBits,
      gemvCorrection: hasZp ? -1 : offset,
    });
    this.packed.add(packed);
    return packed;
  };

  /**
   * Returns the memory of packed weights to the allocator; later use of them throws. Idempotent; ignores weights of
   * other backends.
   * @param weights - weights packed by this backend instance
   * @example
   * ```ts
   * wasm.releaseLinearWeights(w);
   * ```
   */
  readonly releaseLinearWeights = (weights: PackedLinearWeights): void => {
    if (!(weights instanceof WasmPackedLinearWeights) || weights.owner !== this) return;
    if (weights.released) return;
    weights.released = true;
    this.packed.delete(weights);
    this.heap?.releasePersistent(weights.address);
    if (weights.widenedAddress) this.heap?.releasePersistent(weights.widenedAddress);
    weights.widenedAddress = 0;
  };

  /**
   * The fused dynamic linear layer, bit-identical with the JS backend (float order fixed by the interface).
   * @param args - see `DynamicLinearArgs`; the weights must come from this instance's `packLinearWeights`
   * @throws {@link ValueError} for weights of another backend or instance, released weights, or after `dispose()`
   * @example
   * ```ts
   * wasm.dynamicLinear({ m, x, weights: w, perRow: true, out });
   * ```
   */
  readonly dynamicLinear = (args: DynamicLinearArgs): void => {
    const w = args.weights;
    if (!(w instanceof WasmPackedLinearWeights) || w.owner !== this) {
      throw new ValueError(`dynamicLinear: weights were packed by backend "${w.backend}", not by this WASM backend instance; pack them with its packLinearWeights`);
    }
    if (w.released) throw new ValueError('dynamicLinear: weights were released');
    const { m, x, bias, perRow, out } = args;
    const { n, k, groups, groupLength: gl, paddedGroupLength: lp, panels, storageBits: bits } = w;
    if (m === 0 || n === 0) return;
    const gemm = m >= 4;
    // 8-bit weights: the GEMM path reads int16 panels widened once (here, on first use, so weights only ever used
    // for M < 4 keep their 1 byte per value) instead of widening every panel on every call.
    if (gemm && bits === 8 && !w.widenedAddress) this.widenLinearWeights(w);
    this.call('dynamicLinear', (ex, heap) => {
      // Rows [0, mb) run on the 4-row GEMM kernel (a last block of 3 rows padded with one zero row), the rest, a
      // tail of 1 or 2 rows (or all rows when M < 4), on the GEMV: a padded block would cost 4 rows of work.
      const m4 = m & ~3;
      const mb = !gemm ? 0 : m - m4 === 3 ? m4 + 4 : m4;
      const gemvStart = gemm ? Math.min(m, mb) : 0;
      const gemvRows = m - gemvStart;
      const mp = Math.max(m, mb);
      const np = panels * 8;
      // When n fills whole panels the accumulators are the output itself (no finishing copy); except on the GEMM
      // path when a row is a multiple of 4 KB: there the row stride is padded by 64 bytes, or the rows of a 4-row
      // tile would alias at 4 KB. The GEMV writes rows of np floats.
      const direct = np === n && !(gemm && n % 1024 === 0);
      const ldy = direct ? n : gemm ? np + 16 : np;
      const rowLength = groups * lp;
      // Row stride padded by 64 bytes: with power-of-two K the rows of a 4-row block would otherwise share L1 sets.
      const xStride = rowLength + 32;
      const pX = heap.scratchF32(x, m * k, 'dynamicLinear x');
      const pRange = heap.scratch(m * 8, 'dynamicLinear ranges');
      const pSa = heap.scratch(mp * 4, 'dynamicLinear scales');
      const pZa = heap.scratch(mp * 4, 'dynamicLinear zero points');
      // GEMV rows: row-major centred rows plus group sums; GEMM rows: 4-row interleaved blocks (pXi).
      const pXq = gemvRows ? heap.scratch(gemvRows * xStride * 2, 'dynamicLinear quantized x') : 0;
      const pSums = gemvRows ? heap.scratch(gemvRows * groups * 4, 'dynamicLinear group sums') : 0;
      const pY = heap.scratch(mp * ldy * 4, 'dynamicLinear accumulators');
      const gemvInPlace = ldy === np;
      const pYt = gemvRows && !gemvInPlace ? heap.scratch(gemvRows * np * 4, 'dynamicLinear GEMV rows') : pY + gemvStart * ldy * 4;
      const pBias = bias ? heap.scratchF32(bias, n, 'dynamicLinear bias') : 0;
      const pOut = direct ? pY : heap.scratch(m * n * 4, 'dynamicLinear out');
      const pXi = mb ? heap.scratch(mb * rowLength * 2, 'dynamicLinear interleaved x') : 0;
      const pBw = mb && !w.widenedAddress ? heap.scratch(rowLength * 16, 'dynamicLinear widened panel') : 0;
      ex.rangeRows(pX, perRow ? m : 1, perRow ? k : m * k, pRange);
      const f32 = heap.f32;
      const i32 = heap.i32;
      // One scale and zero point per row (perRow) or one for all rows; rows [m, mp) pad a GEMM block: 0 and 0.
      if (perRow) {
        for (let r = 0; r < m; r++) {
          const { scale, zeroPoint } = dynamicParamsFromRange(f32[(pRange >> 2) + 2 * r], f32[(pRange >> 2) + 2 * r + 1]);
          f32[(pSa >> 2) + r] = scale;
          i32[(pZa >> 2) + r] = zeroPoint;
        }
      } else {
        const { scale, zeroPoint } = dynamicParamsFromRange(f32[pRange >> 2], f32[(pRange >> 2) + 1]);
        f32.fill(scale, pSa >> 2, (pSa >> 2) + m);
        i32.fill(zeroPoint, pZa >> 2, (pZa >> 2) + m);
      }
      f32.fill(0, (pSa >> 2) + m, (pSa >> 2) + mp);
      i32.fill(0, (pZa >> 2) + m, (pZa >> 2) + mp);
      if (mb) {
        ex.quantizeRowsIL(pX, Math.min(m, mb), mb, k, pSa, pZa, pXi, gl, lp, groups);
        // The kernel writes every accumulator (first group stores), unless there is no group at all (k = 0).
        if (groups === 0) heap.u8.fill(0, pY, pY + mb * ldy * 4);
        ex.dynGemmIL(
          pXi, mb, pSa, w.panelsAddress, w.scalesAddress, w.offsetsAddress, panels, groups, lp, bits, w.widenedAddress, pBw, pY, ldy,
        );
      }
      if (gemvRows) {
        ex.quantizeRows(pX + gemvStart * k * 4, gemvRows, k, pSa + gemvStart * 4, pZa + gemvStart * 4, pXq, xStride, gl, lp, groups, pSums);
        ex.dynGemv(
          pXq, xStride, gemvRows, pSums, pSa + gemvStart * 4, w.panelsAddress, w.scalesAddress, w.offsetsAddress, panels, groups, lp,
          bits, w.gemvCorrection, pYt,
        );
      }
      if (gemvRows && !gemvInPlace) {
        // GEMV rows live apart (the GEMM rows have a padded stride): finish both parts into the output.
        ex.finishRows(pY, ldy, gemvStart, n, pBias, pOut);
        ex.finishRows(pYt, np, gemvRows, n, pBias, pOut + gemvStart * n * 4);
      } else if (!direct || pBias) {
        ex.finishRows(pY, ldy, m, n, pBias, pOut); // in place when direct
      }
      heap.readF32(pOut, m * n, out);
    });
  };

  /** Builds the persistent int16 panels of 8-bit weights for the GEMM path (see dynamicLinear). */
  private widenLinearWeights(w: WasmPackedLinearWeights): void {
    const { heap, ex } = this.live('dynamicLinear');
    const address = heap.allocPersistent(w.widenedBytes, 'dynamicLinear widened weights');
    ex.widenPanels(w.panelsAddress, w.offsetsAddress, w.panels, w.groups, w.paddedGroupLength, w.storageBits, address);
    w.widenedAddress = address;
  }

  /**
   * Facts about this instance: SIMD, memory in use, scratch peak, packed and cached weights, native primitives.
   * @returns a plain object (see the README)
   * @example
   * ```ts
   * console.log(wasm.diagnostics().memoryBytes);
   * ```
   */
  readonly diagnostics = (): BackendDiagnostics => {
    const heap = this.heap;
    return {
      simd: true,
      relaxedSimd: false,
      disposed: !heap,
      memoryBytes: heap ? heap.memoryBytes : 0,
      persistentBytes: heap ? heap.persistentBytes : 0,
      peakBytes: heap ? heap.peakBytes : 0,
      packedWeights: this.packed.size,
      packedGemmWeights: this.packedGemm.size,
      cachedWeightForms: this.cache ? this.cache.size : 0,
      cachedWeightBytes: this.cache ? this.cache.bytes : 0,
      calls: this.calls,
      nativeOps: [...NATIVE_OPS],
    };
  };

  /**
   * `batch` MatMulIntegers (per-tensor zero points) in one call, bit-identical with the JS backend.
   * @param args - see `BatchedMatMulIntegerArgs` (sizes already validated by `matMulIntegerBatched`)
   * @throws {@link ValueError} after `dispose()` or when the operands exceed wasm32 memory
   * @example
   * ```ts
   * wasm.matMulIntegerBatched({ batch: 4, m: 28, n: 28, k: 8, a, b, aZeroPoint: 128, bZeroPoint: 120, out });
   * ```
   */
  readonly matMulIntegerBatched = (args: BatchedMatMulIntegerArgs): void =>
    this.call('matMulIntegerBatched', (ex, heap) => matMulIntegerBatchedWasm(ex, heap, args));

  /**
   * The dynamic activation × activation MatMul, batched, in one call; bit-identical with the JS backend.
   * @param args - see `DynamicMatMulF32Args` (sizes already validated by `dynamicMatMulF32`)
   * @throws {@link ValueError} after `dispose()` or when the operands exceed wasm32 memory
   * @example
   * ```ts
   * wasm.dynamicMatMulF32({ batch: 4, m: 28, n: 28, k: 8, a, b, out });
   * ```
   */
  readonly dynamicMatMulF32 = (args: DynamicMatMulF32Args): void => this.call('dynamicMatMulF32', (ex, heap) => dynamicMatMulF32Wasm(ex, heap, args));

  /**
   * `batch` float32 GEMMs in one call (attention heads of float models); per entry the same kernels as `gemmF32`.
   * @param args - see `BatchedGemmF32Args` (sizes validated by `gemmF32Batched`)
   * @throws {@link ValueError} after `dispose()`
   * @example
   * ```ts
   * wasm.gemmF32Batched({ batch: 4, m: 28, n: 28, k: 8, a, b, out });
   * ```
   */
  readonly gemmF32Batched = (args: BatchedGemmF32Args): void => this.call('gemmF32Batched', (ex, heap) => gemmF32BatchedWasm(ex, heap, args));

  /**
   * Dynamic attention in one call (scores, softmax, value product in WASM memory); equals `dynamicMatMulF32`,
   * `softmaxF32`, `dynamicMatMulF32` of this backend run one after the other.
   * @param args - see `DynamicAttentionF32Args` (sizes validated by `dynamicAttentionF32`)
   * @throws {@link ValueError} after `dispose()`
   * @example
   * ```ts
   * wasm.dynamicAttentionF32({ batch: 4, m: 28, k: 8, n: 28, dv: 8, q, kT, v, divisor: Math.sqrt(8), out });
   * ```
   */
  readonly dynamicAttentionF32 = (args: DynamicAttentionF32Args): void =>
    this.call('dynamicAttentionF32', (ex, heap) => dynamicAttentionF32Wasm(ex, heap, args));

  /**
   * Strided float32 copy (Transpose, Slice) in SIMD; exact.
   * @param args - see `StridedCopyF32Args` (merged and bounds-checked by `stridedCopyF32`)
   * @throws {@link ValueError} after `dispose()`
   * @example
   * ```ts
   * wasm.stridedCopyF32({ src, shape: [3, 2], strides: [1, 3], offset: 0, out });
   * ```
   */
  readonly stridedCopyF32 = (args: StridedCopyF32Args): void => this.call('stridedCopyF32', (ex, heap) => stridedCopyF32Wasm(ex, heap, args));

  /**
   * Float32 Add/Sub/Mul/Div with a repeating operand, in SIMD; bit-identical with the JS backend.
   * @param args - see `BinaryF32Args` (lengths checked by `binaryF32`)
   * @throws {@link ValueError} after `dispose()`
   * @example
   * ```ts
   * wasm.binaryF32({ op: 'add', a: residual, b: projected, out: residual });
   * ```
   */
  readonly binaryF32 = (args: BinaryF32Args): void => this.call('binaryF32', (ex, heap) => binaryF32Wasm(ex, heap, args));

  /**
   * Softmax over rows in float32 SIMD (polynomial exp): within 2e-6 relative of the JS backend.
   * @param args - see `SoftmaxF32Args`
   * @throws {@link ValueError} after `dispose()`
   * @example
   * ```ts
   * wasm.softmaxF32({ rows: 1, dim: 2, x: new Float32Array([0, 0]), out: new Float32Array(2) });
   * ```
   */
  readonly softmaxF32 = (args: SoftmaxF32Args): void => this.call('softmaxF32', (ex, heap) => softmaxF32Wasm(ex, heap, args));

  /**
   * The exact-Gelu chain in float32 SIMD (rational erf): within 1e-6 absolute + 1e-6 relative of the JS backend.
   * @param args - see `GeluErfF32Args`
   * @throws {@link ValueError} after `dispose()`
   * @example
   * ```ts
   * wasm.geluErfF32({ x, divisor: Math.SQRT2, addend: 1, scale: 0.5, out });
   * ```
   */
  readonly geluErfF32 = (args: GeluErfF32Args): void => this.call('geluErfF32', (ex, heap) => geluErfF32Wasm(ex, heap, args));

  /**
   * LayerNormalization over rows in float32 SIMD (float32 statistics): within 1e-5 absolute of the JS backend for
   * unit-scale data.
   * @param args - see `LayerNormF32Args`
   * @throws {@link ValueError} after `dispose()`
   * @example
   * ```ts
   * wasm.layerNormF32({ rows, dim, x, scale, bias, epsilon: 1e-5, out });
   * ```
   */
  readonly layerNormF32 = (args: LayerNormF32Args): void => this.call('layerNormF32', (ex, heap) => layerNormF32Wasm(ex, heap, args));

  /**
   * Drops the WebAssembly instance and its memory; every later call throws a `ValueError`.
   * @example
   * ```ts
   * wasm.dispose();
   * ```
   */
  readonly dispose = (): void => {
    for (const p of this.packed) p.released = true;
    this.packed.clear();
    for (const p of this.packedGemm) p.released = true;
    this.packedGemm.clear();
    this.cache?.clear();
    this.ex = undefined;
    this.heap = undefined;
  };
}

/**
 * ConvInteger on operands already in WASM memory (inside the caller's scratch scope): 8-bit `x` at `pX`, 8-bit `w` at
 * `pW`, int32 weight zero points at `pWz` (`perCh` 1: one per output channel); writes int32 `[batch, M, P]` at `pOut`.
 */
function convIntegerInHeap(
  ex: KernelExports, heap: WasmHeap, g: Conv2dGeometry, pX: number, xSigned: number, xZeroPoint: number, pW: number, wSigned: number, pWz: number,
  perCh: number, pOut: number,
): void {
  const {
    batch, inChannels: C, inHeight: H, inWidth: W, outChannels: M, kernelHeight: KH, kernelWidth: KW, outHeight: OH,
    outWidth: OW, padTop, padLeft, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, group,
  } = g;
  const P = OH * OW;
  const cg = C / group;
  const mg = M / group;
  const kTotal = cg * KH * KW;
  if (kTotal === 0) {
    heap.i32.fill(0, pOut >> 2, (pOut >> 2) + batch * M * P);
    return;
  }
  const imageBytes = C * H * W;
  // Depthwise (one input channel per group, several groups) runs a direct loop; an ordinary conv whose
  // single input channel makes cg 1 too (group 1, e.g. a first layer on grey images) is a GEMM like any other.
  if (cg === 1 && group > 1) {
    // Depthwise (and channel multipliers): a direct vector loop; as a GEMM it would have one row per group.
    const lay = paddedLayout(g);
    // Stride 2 reads 16 neighbours for 8 outputs: one more slack row and 16 more elements.
    const pPad = heap.scratch((C * lay.hp * lay.wp + 32) * 2 + lay.wp * 2, 'convInteger padded image');
    const pWw = heap.scratch(M * kTotal * 2, 'convInteger widened w');
    ex.widenRows(pW, M, kTotal, kTotal, wSigned, pWz, perCh, kTotal, pWw);
    for (let b = 0; b < batch; b++) {
      ex.padImageI16(pX + b * imageBytes, xSigned, xZeroPoint, 0, C, H, W, padTop, padLeft, lay.hp, lay.wp, pPad);
      ex.depthwiseI16(pPad, lay.hp, lay.wp, pWw, C, mg, KH, KW, OH, OW, sh, sw, dh, dw, pOut + b * M * P * 4);
    }
  } else {
    // Whole 4-row blocks of output channels per group run on the interleaved kernel (gemmI16IL: the four weight
    // rows of a block are one sequential stream, ~2% faster here); it wants k padded to whole 4-pair vectors. The
    // im2col leaves those extra pairs unwritten: they meet zero weights, so they add nothing.
    const il = mg % 4 === 0;
    const kp = il ? Math.ceil(kTotal / 8) * 8 : kTotal + (kTotal & 1);
    const pWw = heap.scratch(M * kp * 2, 'convInteger widened w');
    const pCol = heap.scratch(((P + 7) >> 3) * kp * 16, 'convInteger im2col');
    ex.widenRows(pW, M, kTotal, kTotal, wSigned, pWz, perCh, kp, pWw);
    let pA = pWw;
    if (il) {
      pA = heap.scratch(M * kp * 2, 'convInteger interleaved w');
      ex.interleaveRows4(pWw, kp, M, kp >> 1, pA);
    }
    const lay = paddedLayout(g);
    const pPad = heap.scratch((cg * lay.hp * lay.wp + 16) * 2, 'convInteger padded image');
    const pTaps = heap.scratch(kTotal * 4, 'convInteger taps');
    ex.tapOffsets(cg, KH, KW, lay.hp, lay.wp, dh, dw, pTaps);
    for (let b = 0; b < batch; b++) {
      for (let gi = 0; gi < group; gi++) {
        ex.padImageI16(pX + b * imageBytes, xSigned, xZeroPoint, gi * cg, cg, H, W, padTop, padLeft, lay.hp, lay.wp, pPad);
        if (lay.stride1) ex.im2colI16S1(pPad, lay.wp, pTaps, kTotal, kp, OH, OW, pCol);
        else ex.im2colI16Gather(pPad, lay.wp, pTaps, kTotal, kp, OH, OW, sh, sw, pCol);
        const pC = pOut + (b * M + gi * mg) * P * 4;
        if (il) ex.gemmI16IL(pA + gi * mg * kp * 2, mg, kp, pCol, P, pC, P);
        else ex.gemmI16(pWw + gi * mg * kp * 2, kp, mg, kp, pCol, P, pC, P);
      }
    }
  }
}

/**
 * The float64 `postScale`/`postShift` of a conv epilogue copied into scratch memory (`M` values each), as the WASM
 * epilogues take them; `[0, 0]` (no affine map) when either is absent.
 */
function affineInHeap(heap: WasmHeap, M: number, postScale: Float64Array | undefined, postShift: Float64Array | undefined, op: string): [number, number] {
  if (postScale === undefined || postShift === undefined) return [0, 0];
  const pScale = heap.scratch(M * 8, `${op} postScale`);
  const pShift = heap.scratch(M * 8, `${op} postShift`);
  new Float64Array(heap.u8.buffer, pScale, M).set(postScale.subarray(0, M));
  new Float64Array(heap.u8.buffer, pShift, M).set(postShift.subarray(0, M));
  return [pScale, pShift];
}

/**
 * Copies a conv output (`planes` planes `h × w` at `p`) to `out`, max-pooled in WASM memory first when a fused pool is
 * asked for (so only the pooled planes cross to JS).
 */
function readPooled(ex: KernelExports, heap: WasmHeap, p: number, planes: number, h: number, w: number, pool: ConvPool | undefined, out: Float32Array): void {
  if (!pool) {
    heap.readF32(p, planes * h * w, out);
    return;
  }
  const [kh, kw, sh, sw] = pool;
  const n = planes * (Math.floor((h - kh) / sh) + 1) * (Math.floor((w - kw) / sw) + 1);
  const pPool = heap.scratch(n * 4, 'conv fused pool');
  ex.maxPoolPlanesF32(p, planes, h, w, kh, kw, sh, sw, pPool);
  heap.readF32(pPool, n, out);
}

/**
 * Geometry of the zero-padded image buffer the im2col reads from: every tap of every output pixel is inside it, plus
 * one slack row for the second load of the stride-1 path (panels of 8 output pixels span at most two output rows
 * when the output is at least 8 wide).
 */
function paddedLayout(g: Conv2dGeometry): { hp: number; wp: number; stride1: boolean } {
  const { strideHeight: sh, strideWidth: sw } = g;
  const hp = Math.max(g.inHeight + g.padTop, (g.outHeight - 1) * sh + (g.kernelHeight - 1) * g.dilationHeight + 1) + 1;
  const wp = Math.max(g.inWidth + g.padLeft, (g.outWidth - 1) * sw + (g.kernelWidth - 1) * g.dilationWidth + 1);
  return { hp, wp, stride1: sh === 1 && sw === 1 && g.outWidth >= 8 };
}

function asBytes(a: Int8Array | Uint8Array): Uint8Array {
  return a instanceof Uint8Array ? a : new Uint8Array(a.buffer, a.byteOffset, a.length);
}
