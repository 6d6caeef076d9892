import { hasNonFinite } from './internal/non-finite';
import { ShapeError, type DType } from '@qint/tensor';
import { primitiveBackend, type OpOptions } from './backend-registry';
import type { BatchedGemmF32Args, BatchedMatMulIntegerArgs, BinaryF32Args, DynamicAttentionF32Args, DynamicMatMulF32Args, GeluErfF32Args, LayerNormF32Args, SoftmaxF32Args, StridedCopyF32Args } from './kernel-backend';
import { assertSafeK, maxSafeK } from './numerics';

function checkRows(op: string, rows: number, dim: number, x: Float32Array, out: Float32Array): void {
  if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(dim) || rows < 0 || dim < 0 || x.length < rows * dim || out.length < rows * dim) {
    throw new ShapeError(`${op}: rows × dim = ${rows} × ${dim} must be non-negative integers that fit x (${x.length}) and out (${out.length})`);
  }
}

/** Checks the sizes of `batch` contiguous `[m, k] · [k, n]` products against the arrays they read and write. */
function checkBatchedMatMul(op: string, args: { batch: number; m: number; n: number; k: number; a: ArrayLike<number>; b: ArrayLike<number>; out: ArrayLike<number> }): void {
  const { batch, m, n, k, a, b, out } = args;
  for (const [name, v] of [['batch', batch], ['m', m], ['n', n], ['k', k]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new ShapeError(`${op}: ${name} must be a non-negative integer, got ${v}`);
  }
  if (a.length < batch * m * k || b.length < batch * k * n || out.length < batch * m * n) {
    throw new ShapeError(`${op}: a (${a.length}), b (${b.length}) or out (${out.length}) is too short for batch ${batch} of [${m}, ${k}] × [${k}, ${n}]`);
  }
}

/**
 * Softmax over `rows` contiguous rows of `dim` float32 values, on the active backend: max-subtracted, a float32
 * polynomial exp, float32 sums in four lanes — bit-identical on the JS and WASM backends (NaN/±Infinity included),
 * within `2e-6·p + 1e-9` of the exact softmax (README, Numerics).
 *
 * @param args - {@link SoftmaxF32Args}
 * @param options - `{ backend }` to run on a specific backend
 * @throws {@link ShapeError} when `rows × dim` does not fit `x` or `out`
 * @example
 * ```ts
 * const out = new Float32Array(2);
 * softmaxF32({ rows: 1, dim: 2, x: new Float32Array([0, 0]), out }); // out = [0.5, 0.5]
 * ```
 */
export function softmaxF32(args: SoftmaxF32Args, options?: OpOptions): void {
  checkRows('softmaxF32', args.rows, args.dim, args.x, args.out);
  if (args.rows * args.dim === 0) return;
  primitiveBackend('softmaxF32', options).softmaxF32(args);
}

/**
 * The exact-Gelu chain `((x · (erf(x / divisor) + addend)) · scale`, elementwise over float32, on the active backend:
 * each step rounded to float32, erf as a float32 rational approximation (absolute error below 3e-7) — bit-identical on
 * the JS and WASM backends.
 *
 * @param args - {@link GeluErfF32Args}
 * @param options - `{ backend }` to run on a specific backend
 * @throws {@link ShapeError} when `out` is shorter than `x`
 * @example
 * ```ts
 * const out = new Float32Array(1);
 * geluErfF32({ x: new Float32Array([1]), divisor: Math.SQRT2, addend: 1, scale: 0.5, out }); // ≈ 0.8413
 * ```
 */
export function geluErfF32(args: GeluErfF32Args, options?: OpOptions): void {
  if (args.out.length < args.x.length) throw new ShapeError(`geluErfF32: out holds ${args.out.length} values; x has ${args.x.length}`);
  if (args.x.length === 0) return;
  primitiveBackend('geluErfF32', options).geluErfF32(args);
}

/**
 * LayerNormalization over `rows` contiguous rows of `dim` float32 values, on the active backend: two-pass float32
 * mean and biased variance summed in four lanes — bit-identical on the JS and WASM backends.
 *
 * @param args - {@link LayerNormF32Args}
 * @param options - `{ backend }` to run on a specific backend
 * @throws {@link ShapeError} when `rows × dim` does not fit `x` or `out`, or scale/bias hold neither 1 nor `dim` values
 * @example
 * ```ts
 * const out = new Float32Array(2);
 * layerNormF32({ rows: 1, dim: 2, x: new Float32Array([1, 3]), scale: new Float32Array([1]), epsilon: 0, out }); // [-1, 1]
 * ```
 */
export function layerNormF32(args: LayerNormF32Args, options?: OpOptions): void {
  checkRows('layerNormF32', args.rows, args.dim, args.x, args.out);
  const { scale, bias, dim } = args;
  if (scale.length !== 1 && scale.length !== dim) throw new ShapeError(`layerNormF32: scale holds ${scale.length} values; expected 1 or dim = ${dim}`);
  if (bias && bias.length !== 1 && bias.length !== dim) throw new ShapeError(`layerNormF32: bias holds ${bias.length} values; expected 1 or dim = ${dim}`);
  if (args.rows * dim === 0) return;
  primitiveBackend('layerNormF32', options).layerNormF32(args);
}

/**
 * `batch` independent MatMulIntegers with per-tensor zero points in one backend call (attention heads): exact int32,
 * bit-identical on every backend.
 *
 * @param args - {@link BatchedMatMulIntegerArgs}
 * @param options - `{ backend }` to run on a specific backend
 * @throws {@link ShapeError} when the sizes do not fit the arrays, or K may overflow int32 (code `ERR_OVERFLOW`)
 * @example
 * ```ts
 * const out = new Int32Array(1);
 * matMulIntegerBatched({ batch: 1, m: 1, n: 1, k: 2, a: new Uint8Array([3, 4]), b: new Uint8Array([1, 2]), aZeroPoint: 1, bZeroPoint: 0, out }); // [8]
 * ```
 */
export function matMulIntegerBatched(args: BatchedMatMulIntegerArgs, options?: OpOptions): void {
  checkBatchedMatMul('matMulIntegerBatched', args);
  const { batch, m, n, k, a, b, out } = args;
  const dt = (x: Int8Array | Uint8Array): DType => (x instanceof Int8Array ? 'int8' : 'uint8');
  assertSafeK('matMulIntegerBatched', k, maxSafeK(dt(a), dt(b), [args.aZeroPoint], [args.bZeroPoint]), `${dt(a)} × ${dt(b)} with these zero points`);
  if (batch * m * n === 0) return;
  if (k === 0) {
    out.fill(0, 0, batch * m * n);
    return;
  }
  primitiveBackend('matMulIntegerBatched', options).matMulIntegerBatched(args);
}

/**
 * The dynamic activation × activation MatMul (attention heads) in one backend call: both operands quantized per
 * tensor as DynamicQuantizeLinear, exact int32 products, float scale — what `DynamicQuantizeLinear ×2 →
 * MatMulInteger → Cast → Mul(sa·sb)` computes, bit for bit, on every backend — except that a NaN or ±Infinity in
 * `a` or `b` makes every output NaN (the float MatMul cannot be finite there; DynamicQuantizeLinear would hide it).
 *
 * @param args - {@link DynamicMatMulF32Args}
 * @param options - `{ backend }` to run on a specific backend
 * @throws {@link ShapeError} when the sizes do not fit the arrays, or K may overflow int32 (code `ERR_OVERFLOW`)
 * @example
 * ```ts
 * const out = new Float32Array(1);
 * dynamicMatMulF32({ batch: 1, m: 1, n: 1, k: 2, a: new Float32Array([1, 2]), b: new Float32Array([3, 4]), out }); // ≈ [11]
 * ```
 */
export function dynamicMatMulF32(args: DynamicMatMulF32Args, options?: OpOptions): void {
  checkBatchedMatMul('dynamicMatMulF32', args);
  const { batch, m, n, k } = args;
  assertSafeK('dynamicMatMulF32', k, maxSafeK('uint8', 'uint8'), 'uint8 × uint8 activations');
  if (batch * m * n === 0) return;
  primitiveBackend('dynamicMatMulF32', options).dynamicMatMulF32(args);
  // Both operands are quantized per tensor: a NaN or ±Infinity in either makes every output NaN.
  if (hasNonFinite(args.a, 0, batch * m * k) || hasNonFinite(args.b, 0, batch * k * n)) args.out.fill(NaN, 0, batch * m * n);
}

/**
 * Copies a strided view of a float32 array out contiguously (the data movement of Transpose and Slice), on the active
 * backend. Dims of size 1 are dropped and neighbours that walk `src` contiguously are merged first, so backends see
 * few, long loops.
 *
 * @param args - {@link StridedCopyF32Args}
 * @param options - `{ backend }` to run on a specific backend
 * @throws {@link ShapeError} when shape and strides differ in length, `out` has the wrong size, or an index falls
 *   outside `src`
 * @example
 * ```ts
 * const out = new Float32Array(6);
 * // transpose of a [2, 3] matrix
 * stridedCopyF32({ src: new Float32Array([1, 2, 3, 4, 5, 6]), shape: [3, 2], strides: [1, 3], offset: 0, out }); // [1, 4, 2, 5, 3, 6]
 * ```
 */
export function stridedCopyF32(args: StridedCopyF32Args, options?: OpOptions): void {
  const { src, shape, strides, offset, out } = args;
  if (shape.length !== strides.length) throw new ShapeError(`stridedCopyF32: shape has ${shape.length} dims but strides ${strides.length}`);
  let size = 1;
  let lo = offset;
  let hi = offset;
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d];
    const st = strides[d];
    if (!Number.isSafeInteger(n) || n < 0 || !Number.isSafeInteger(st)) throw new ShapeError(`stridedCopyF32: dim ${d} has size ${n} and stride ${st}; expected integers, size ≥ 0`);
    size *= n;
    if (n > 0) {
      if (st > 0) hi += (n - 1) * st;
      else lo += (n - 1) * st;
    }
  }
  if (out.length !== size) throw new ShapeError(`stridedCopyF32: out holds ${out.length} values; the view has ${size}`);
  if (size === 0) return;
  if (!Number.isSafeInteger(offset) || lo < 0 || hi >= src.length) {
    throw new ShapeError(`stridedCopyF32: the view reads elements ${lo}…${hi}, outside src (${src.length} values)`);
  }
  const dims: number[] = [];
  const st: number[] = [];
  for (let k = 0; k < shape.length; k++) {
    if (shape[k] === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && st[last] === strides[k] * shape[k]) {
      dims[last] *= shape[k];
      st[last] = strides[k];
    } else {
      dims.push(shape[k]);
      st.push(strides[k]);
    }
  }
  primitiveBackend('stridedCopyF32', options).stridedCopyF32({ src, shape: dims, strides: st, offset, out });
}

const BINARY_OPS: ReadonlySet<string> = new Set(['add', 'sub', 'mul', 'div']);

/**
 * Float32 Add/Sub/Mul/Div where one operand repeats along the other (a scalar, or trailing dims such as a bias or a
 * position table) or both have the output's length, on the active backend (SIMD on WASM); bit-identical everywhere.
 *
 * @param args - {@link BinaryF32Args}
 * @param options - `{ backend }` to run on a specific backend
 * @throws {@link ShapeError} when neither operand has `out`'s length or the other's length does not divide it
 * @example
 * ```ts
 * const out = new Float32Array(4);
 * binaryF32({ op: 'add', a: new Float32Array([1, 2, 3, 4]), b: new Float32Array([10, 20]), out }); // [11, 22, 13, 24]
 * ```
 */
export function binaryF32(args: BinaryF32Args, options?: OpOptions): void {
  const n = args.out.length;
  const na = args.a.length;
  const nb = args.b.length;
  const fits = (full: number, part: number): boolean => full === n && part > 0 && n % part === 0;
  if (n > 0 && !fits(na, nb) && !fits(nb, na)) {
    throw new ShapeError(`binaryF32: operands of ${na} and ${nb} values do not repeat onto ${n} outputs (one must have ${n}, the other a divisor)`);
  }
  if (!BINARY_OPS.has(args.op)) throw new ShapeError(`binaryF32: op must be add, sub, mul or div, got ${String(args.op)}`);
  if (n === 0) return;
  primitiveBackend('binaryF32', options).binaryF32(args);
}

/**
 * Dynamic attention (`softmax(dynMatMul(q, kT) / divisor) → dynMatMul(·, v)`) in one backend call; equals
 * {@link dynamicMatMulF32}, {@link softmaxF32} and {@link dynamicMatMulF32} run one after the other on that backend.
 *
 * @param args - {@link DynamicAttentionF32Args}
 * @param options - `{ backend }` to run on a specific backend
 * @throws {@link ShapeError} when the sizes do not fit the arrays, or K or N may overflow int32 (code `ERR_OVERFLOW`)
 * @example
 * ```ts
 * dynamicAttentionF32({ batch: 4, m: 28, k: 8, n: 28, dv: 8, q, kT, v, divisor: Math.sqrt(8), out });
 * ```
 */
export function dynamicAttentionF32(args: DynamicAttentionF32Args, options?: OpOptions): void {
  const { batch, m, k, n, dv, q, kT, v, out } = args;
  for (const [name, x] of [['batch', batch], ['m', m], ['k', k], ['n', n], ['dv', dv]] as const) {
    if (!Number.isSafeInteger(x) || x < 0) throw new ShapeError(`dynamicAttentionF32: ${name} must be a non-negative integer, got ${x}`);
  }
  if (q.length < batch * m * k || kT.length < batch * k * n || v.length < batch * n * dv || out.length < batch * m * dv) {
    throw new ShapeError(`dynamicAttentionF32: q (${q.length}), kT (${kT.length}), v (${v.length}) or out (${out.length}) is too short for batch ${batch}, m ${m}, k ${k}, n ${n}, dv ${dv}`);
  }
  const limit = maxSafeK('uint8', 'uint8');
  assertSafeK('dynamicAttentionF32', Math.max(k, n), limit, 'uint8 × uint8 activations');
  if (batch * m * dv === 0) return;
  primitiveBackend('dynamicAttentionF32', options).dynamicAttentionF32(args);
  // Every operand is quantized per tensor: a NaN or ±Infinity in q, kT or v makes every output NaN.
  if (hasNonFinite(q, 0, batch * m * k) || hasNonFinite(kT, 0, batch * k * n) || hasNonFinite(v, 0, batch * n * dv)) out.fill(NaN, 0, batch * m * dv);
}

/**
 * `batch` float32 MatMuls of contiguous `[m, k] · [k, n]` operands in one backend call (attention heads of a float
 * model): per entry the same arithmetic as the backend's `gemmF32`, without a call and a copy per head.
 *
 * @param args - {@link BatchedGemmF32Args}
 * @param options - `{ backend }` to run on a specific backend
 * @throws {@link ShapeError} when the sizes do not fit the arrays
 * @example
 * ```ts
 * const out = new Float32Array(2);
 * gemmF32Batched({ batch: 2, m: 1, n: 1, k: 2, a: new Float32Array([1, 2, 3, 4]), b: new Float32Array([1, 1, 2, 2]), out }); // [3, 14]
 * ```
 */
export function gemmF32Batched(args: BatchedGemmF32Args, options?: OpOptions): void {
  checkBatchedMatMul('gemmF32Batched', args);
  const { batch, m, n, k, out } = args;
  if (batch * m * n === 0) return;
  if (k === 0) {
    out.fill(0, 0, batch * m * n);
    return;
  }
  primitiveBackend('gemmF32Batched', options).gemmF32Batched(args);
}
