// The contract between the op functions of @qint/kernels and a backend (JS reference, WASM SIMD, ...).
//
// Op functions (quantizeLinear, matMulInteger, convInteger, dynamicLinear, ...) take `Tensor`s with ONNX semantics,
// validate them, resolve shapes/broadcasting/batching, allocate outputs and then call these primitives on flat,
// row-major typed arrays. A backend implements the primitives only; any it leaves out (undefined) falls back to
// the JS backend, and `getBackend()` reports which. Every integer output must be bit-identical across backends,
// and every float output of `dynamicLinear` too, because the float arithmetic order is fixed below.

/** 8-bit integer storage of activations or weights. */
export type Int8Storage = Int8Array | Uint8Array;

/** Bit widths of pre-packed linear weights. */
export type WeightBits = 8 | 4 | 3 | 2;

/** `out[m, n] = Σ_k (a[m, k] − aZp) · (b[k, n] − bZp)`, exact int32 accumulation. */
export interface MatMulIntegerArgs {
  m: number;
  n: number;
  k: number;
  /** `[m, k]` row-major. Signedness follows the array type. */
  a: Int8Storage;
  /** `[k, n]` row-major. */
  b: Int8Storage;
  /** Length 1 (per tensor) or `m` (per row). */
  aZeroPoint: Int32Array;
  /** Length 1 (per tensor) or `n` (per column). */
  bZeroPoint: Int32Array;
  /** `[m, n]`, written. */
  out: Int32Array;
}

/** `out = a · b (+ bias)`, float32. */
export interface GemmF32Args {
  m: number;
  n: number;
  k: number;
  /** `[m, k]` row-major. */
  a: Float32Array;
  /** `[k, n]` row-major, or `[n, k]` when `transB`. */
  b: Float32Array;
  transB: boolean;
  /** Length `n`, added to every row; optional. */
  bias?: Float32Array;
  /** `[m, n]`, written. */
  out: Float32Array;
  /**
   * Optional: `b` already packed by this backend's `packGemmWeights` (same values, same `transB`), so the call skips
   * copying and packing it. `b` is still given: a backend without `packGemmWeights` ignores this field.
   */
  packedB?: PackedGemmWeights;
}

/** A constant float32 `B` operand of {@link GemmF32Args} to pack once (e.g. a MatMul or Gemm initializer). */
export interface GemmWeightsSpec {
  k: number;
  n: number;
  /** `[k, n]` row-major, or `[n, k]` when `transB`. */
  b: Float32Array;
  transB: boolean;
}

/** A float32 `B` operand packed once by a backend's `packGemmWeights`. Opaque to callers. */
export interface PackedGemmWeights {
  /** Name of the backend that packed it. */
  readonly backend: string;
  readonly k: number;
  readonly n: number;
  readonly transB: boolean;
  /** Bytes held by the packed form. */
  readonly byteLength: number;
}

/** Geometry of a 2-D convolution, NCHW, already resolved (pads from auto_pad, output size). */
export interface Conv2dGeometry {
  batch: number;
  inChannels: number;
  inHeight: number;
  inWidth: number;
  outChannels: number;
  kernelHeight: number;
  kernelWidth: number;
  outHeight: number;
  outWidth: number;
  padTop: number;
  padLeft: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  /** Groups: `inChannels` and `outChannels` are divisible by it; depthwise when it equals `inChannels`. */
  group: number;
}

/**
 * Float32 convolution; weights `[outChannels, inChannels/group, kH, kW]`. `out` is written in full (its previous
 * contents do not matter). The optional epilogue (added within v1; passed only to backends that declare
 * `convF32Epilogue`) runs on each output after the bias, in this order: `relu` as `v <= 0 ? 0 : v` (−0 gives +0, NaN stays NaN, as the Relu op),
 * then `v · postScale[c] + postShift[c]` per output channel `c`, evaluated in float64 and rounded once to float32
 * (bit-identical with a BatchNormalization node computing the same affine map).
 */
export interface ConvF32Args extends Conv2dGeometry, ConvOutputEpilogue {
  x: Float32Array;
  w: Float32Array;
  bias?: Float32Array;
  out: Float32Array;
}

/** The optional epilogue fields of {@link ConvF32Args} and {@link DynamicConvF32Args} (added within v1). */
export interface ConvOutputEpilogue {
  relu?: boolean;
  /** `outChannels` values, with `postShift`. */
  postScale?: Float64Array;
  /** `outChannels` values, with `postScale`. */
  postShift?: Float64Array;
  /** Then a max pooling of every output plane; see {@link ConvPool}. `out` then holds the pooled planes. */
  pool?: ConvPool;
}

/**
 * A MaxPool fused after a convolution's epilogue (added within v1): `[kernelHeight, kernelWidth, strideHeight,
 * strideWidth]`, no padding, dilation 1, floor mode, so each `outHeight × outWidth` plane becomes
 * `(⌊(outHeight − kh) / sh⌋ + 1) × (⌊(outWidth − kw) / sw⌋ + 1)`. Per window the first tap, then every later tap
 * (row-major) that is strictly greater: the bits of the MaxPool node.
 */
export type ConvPool = readonly [kernelHeight: number, kernelWidth: number, strideHeight: number, strideWidth: number];

/**
 * The dynamic convolution of ai.qint DynamicConv in one call (added within v1; optional). Exact semantics,
 * bit-identical on every backend: `x` is quantized per tensor as ONNX DynamicQuantizeLinear (the rule of step 1 of
 * {@link DynamicLinearArgs}: uint8, range with 0, NaN/±Infinity left out; NaN → zero point); `acc` = ConvInteger of
 * it with `w` and `wZeroPoint`; then per output channel `c`: `s = f32(xScale · wScale[c])`,
 * `y = f32(acc · s)` (the product of the exact int32 and `s` in float64, rounded to float32), `y = f32(y + bias[c])`
 * with a bias; then the epilogue of {@link ConvF32Args} (`relu`, `postScale`/`postShift`, `pool`). `out` is written in full.
 */
export interface DynamicConvF32Args extends Conv2dGeometry, ConvOutputEpilogue {
  x: Float32Array;
  w: Int8Storage;
  /** Length 1 or `outChannels`. */
  wZeroPoint: Int32Array;
  /** `outChannels` positive finite scales. */
  wScale: Float32Array;
  bias?: Float32Array;
  out: Float32Array;
}

/** ConvInteger: int32 `Σ (x − xZp)(w − wZp)`; padding reads as `xZp` (i.e. contributes 0). */
export interface ConvIntegerArgs extends Conv2dGeometry {
  x: Int8Storage;
  w: Int8Storage;
  xZeroPoint: number;
  /** Length 1 or `outChannels`. */
  wZeroPoint: Int32Array;
  out: Int32Array;
}

/**
 * Quantized weights of a linear layer before packing: output-major `[n, k]` (like `nn.Linear.weight`), signed values
 * in `[−2^(bits−1), 2^(bits−1) − 1]`. Groups run along k: one group per output row when `blockSize` is 0
 * (per channel; per tensor is per channel with equal scales), else `ceil(k / blockSize)` groups per row.
 */
export interface LinearWeightsSpec {
  n: number;
  k: number;
  bits: WeightBits;
  values: Int8Array;
  /** 0 (per output channel) or a block length along k (e.g. 32, 64, 128). */
  blockSize: number;
  /** `[n, groupsPerRow]` row-major. */
  scales: Float32Array;
  /** Same layout as `scales`, same signed range as `values`; absent means all 0 (symmetric). */
  zeroPoints?: Int32Array;
}

/** Weights packed once, ahead of time, in the layout a backend's inner loop wants. Opaque to callers. */
export interface PackedLinearWeights {
  /** Name of the backend that packed them. */
  readonly backend: string;
  readonly n: number;
  readonly k: number;
  readonly bits: WeightBits;
  readonly blockSize: number;
  /** Bytes held by the packed form (weights + scales + zero points + any precomputed sums). */
  readonly byteLength: number;
}

/**
 * The fused dynamic linear layer: float activations quantized on the fly, integer dot products, float out.
 *
 * Exact semantics (all float ops in float32, i.e. each result rounded with `Math.fround`; ties to even):
 * 1. Activation range per tensor (or per row when `perRow`): `lo = min(0, min x)`, `hi = max(0, max x)` (NaN ignored;
 *    ±Infinity ignored too, so one bad value cannot make the whole range infinite);
 *    `sa = (hi − lo) / 255`; if `sa == 0` all quantized values and `za` are 0;
 *    else `za = clamp(roundEven(−lo / sa), 0, 255)`, `xq = clamp(roundEven(x / sa) + za, 0, 255)` (uint8, as ONNX
 *    DynamicQuantizeLinear); a NaN element quantizes to `za` (real 0), +Infinity to 255, −Infinity to 0.
 *    The division is `x / sa` (not a multiply by a reciprocal). An empty group sums to 0.
 * 2. Per output `n`, per group `g` in increasing order: `acc = Σ_{k∈g} (xq − za)(wq − wz)` in int32;
 *    `y = y + f32(acc) · (sa · sw[n, g])` with y starting at 0 (per-channel: a single group).
 * 3. `out[m, n] = y + bias[n]` when a bias is given.
 */
export interface DynamicLinearArgs {
  m: number;
  /** `[m, k]` row-major float activations. */
  x: Float32Array;
  weights: PackedLinearWeights;
  bias?: Float32Array;
  /** Quantize each row with its own range (per token) instead of one range for the whole `x`. */
  perRow: boolean;
  /** `[m, n]`, written. */
  out: Float32Array;
}

/**
 * `batch` independent integer products with per-tensor zero points, in one call (attention heads):
 * `out[i] = (a[i] − aZp) · (b[i] − bZp)` with `a[i]` `[m, k]`, `b[i]` `[k, n]`, `out[i]` `[m, n]`, all contiguous.
 */
export interface BatchedMatMulIntegerArgs {
  batch: number;
  m: number;
  n: number;
  k: number;
  a: Int8Storage;
  b: Int8Storage;
  aZeroPoint: number;
  bZeroPoint: number;
  /** `[batch, m, n]`, written. */
  out: Int32Array;
}

/** `batch` independent float32 products `out[i] = a[i] · b[i]` (`[m, k] · [k, n]`, contiguous) in one call: attention heads. */
export interface BatchedGemmF32Args {
  batch: number;
  m: number;
  n: number;
  k: number;
  /** `[batch, m, k]` row-major. */
  a: Float32Array;
  /** `[batch, k, n]` row-major. */
  b: Float32Array;
  /** `[batch, m, n]`, written. */
  out: Float32Array;
}

/**
 * The dynamic activation × activation MatMul (attention), batched, in one call. Exact semantics (bit-identical on
 * every backend): `a` and `b` are each quantized per tensor as ONNX DynamicQuantizeLinear (the rule of step 1 of
 * {@link DynamicLinearArgs}: uint8, range with 0, NaN/±Infinity left out; NaN → zero point), then per batch entry
 * `acc = Σ_k (aq − za)(bq − zb)` in int32 and `out = f32(f32(acc) · f32(sa · sb))`, then `out = f32(out / divisor)`
 * when a divisor is given (attention's `/ √d`, fused).
 */
export interface DynamicMatMulF32Args extends BatchedGemmF32Args {
  /** Optional float32 divisor applied last (omitted: none). */
  divisor?: number;
}

/**
 * Dynamic attention in one call: `S = dynamicMatMul(q, kT) [/ divisor]`, `P = softmax(S)` over each row of `n`
 * (as this backend's `softmaxF32`), `out = dynamicMatMul(P, v)` — each dynamic MatMul exactly as
 * {@link DynamicMatMulF32Args}, so the result equals the three primitives run one after the other on the same backend.
 */
export interface DynamicAttentionF32Args {
  batch: number;
  /** Query rows. */
  m: number;
  /** Query/key depth. */
  k: number;
  /** Key/value rows (the softmax length). */
  n: number;
  /** Value depth. */
  dv: number;
  /** `[batch, m, k]`. */
  q: Float32Array;
  /** `[batch, k, n]` (keys transposed). */
  kT: Float32Array;
  /** `[batch, n, dv]`. */
  v: Float32Array;
  divisor?: number;
  /** `[batch, m, dv]`, written. */
  out: Float32Array;
}

/**
 * A strided view of `src` copied out contiguously (Transpose, Slice): `out[i] = src[offset + Σ_d idx_d(i) · strides[d]]`
 * over `shape` in row-major order. The op function merges dims and checks every index is inside `src`.
 */
export interface StridedCopyF32Args {
  src: Float32Array;
  shape: readonly number[];
  /** Element strides per dim (may be negative, 0 for a repeated dim). */
  strides: readonly number[];
  offset: number;
  /** `Π shape` values, written. */
  out: Float32Array;
}

/**
 * Float32 arithmetic with the broadcasts of transformer graphs: `out[i] = a[i mod |a|] ∘ b[i mod |b|]`, where the
 * longer operand has `out.length` values and the shorter one (a scalar, a bias, a position table: trailing dims) a
 * length dividing it. Exact float32 arithmetic: bit-identical on every backend.
 */
export interface BinaryF32Args {
  op: 'add' | 'sub' | 'mul' | 'div';
  a: Float32Array;
  b: Float32Array;
  /** Written; may be `a` or `b` itself when that operand has the full length (in place). */
  out: Float32Array;
}

/** Softmax over `rows` contiguous rows of `dim` values: `out = exp(x − max) / Σ exp(x − max)` per row. */
export interface SoftmaxF32Args {
  rows: number;
  dim: number;
  /** `[rows, dim]` row-major. */
  x: Float32Array;
  /** `[rows, dim]`, written; may be `x` itself (in place). */
  out: Float32Array;
}

/**
 * The exact-Gelu chain as PyTorch exports it, elementwise: `out = f32(f32(x · f32(erf(f32(x / divisor)) + addend)) · scale)`
 * (Gelu for divisor √2, addend 1, scale ½).
 */
export interface GeluErfF32Args {
  x: Float32Array;
  divisor: number;
  addend: number;
  scale: number;
  /** Same length as `x`, written; may be `x` itself (in place). */
  out: Float32Array;
}

/** LayerNormalization over `rows` contiguous rows of `dim` values: `(x − mean) / sqrt(var + epsilon) · scale + bias`. */
export interface LayerNormF32Args {
  rows: number;
  dim: number;
  x: Float32Array;
  /** `dim` values, or 1 broadcast. */
  scale: Float32Array;
  /** `dim` values, or 1 broadcast; optional. */
  bias?: Float32Array;
  epsilon: number;
  /** `[rows, dim]`, written; may be `x` itself (in place). */
  out: Float32Array;
}

/** Optional diagnostics a backend reports through `getBackend()`. */
export interface BackendDiagnostics {
  /** Free-form facts: SIMD available, memory size, ... */
  readonly [key: string]: unknown;
}

/**
 * A kernel backend, version 1. Build one with a factory (`createJsBackend()`, `createWasmBackend()`), then pass it
 * to `setBackend(backend)` or register a factory by name with `registerBackend`.
 * Every primitive is optional except in the JS backend; missing ones fall back to JS.
 */
export interface KernelBackend {
  readonly specificationVersion: 'v1';
  readonly name: string;
  matMulInteger?(args: MatMulIntegerArgs): void;
  gemmF32?(args: GemmF32Args): void;
  convF32?(args: ConvF32Args): void;
  /**
   * True when `convF32` applies the epilogue fields of {@link ConvF32Args} (`relu`, `postScale`/`postShift`, `pool`;
   * added within v1). Absent: `conv` runs the plain primitive and applies them itself in JS, so a backend written
   * before them stays correct.
   */
  readonly convF32Epilogue?: boolean;
  convInteger?(args: ConvIntegerArgs): void;
  /** DynamicQuantizeLinear → ConvInteger → per-channel scale (+ bias) (+ epilogue) in one call (added within v1). */
  dynamicConvF32?(args: DynamicConvF32Args): void;
  packLinearWeights?(spec: LinearWeightsSpec): PackedLinearWeights;
  dynamicLinear?(args: DynamicLinearArgs): void;
  /** Float rows and elementwise ops of transformer graphs (added after v1's first release; optional like all). */
  matMulIntegerBatched?(args: BatchedMatMulIntegerArgs): void;
  gemmF32Batched?(args: BatchedGemmF32Args): void;
  dynamicMatMulF32?(args: DynamicMatMulF32Args): void;
  dynamicAttentionF32?(args: DynamicAttentionF32Args): void;
  stridedCopyF32?(args: StridedCopyF32Args): void;
  binaryF32?(args: BinaryF32Args): void;
  /**
   * The float order of these three is part of the contract, so that every backend gives the same bits: float32
   * steps only (no FMA, no float64), exp and erf as `expF32`/`erfF32` of the JS backend (src/js/exp-f32.ts,
   * erf-f32.ts: the Cephes expf polynomial and the Eigen/XLA rational erf), and row sums as four lanes (element i in
   * lane i mod 4, combined as (l0 + l1) + (l2 + l3)) followed by the leftover elements in order (src/js/row-ops-js.ts).
   */
  softmaxF32?(args: SoftmaxF32Args): void;
  geluErfF32?(args: GeluErfF32Args): void;
  layerNormF32?(args: LayerNormF32Args): void;
  /** Releases memory held by packed weights of this backend. */
  releaseLinearWeights?(weights: PackedLinearWeights): void;
  /** Packs a constant float32 `B` operand once, for `gemmF32({ ..., packedB })`. Added in v1; optional. */
  packGemmWeights?(spec: GemmWeightsSpec): PackedGemmWeights;
  /** Releases memory held by a `packGemmWeights` result of this backend. */
  releaseGemmWeights?(weights: PackedGemmWeights): void;
  diagnostics?(): BackendDiagnostics;
  /** Releases everything the backend holds (WASM memory, ...). */
  dispose?(): void;
}
