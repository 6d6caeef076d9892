// Small helpers shared by the op implementations: reading shape-like inputs, dtype conversions, strided copies.
import {
  DTYPE_NAMES,
  DTypeError,
  Tensor,
  ValueError,
  allocateData,
  byteLengthOf,
  checkAllocation,
  dtypeInfo,
  encodeMinifloat,
  float16ToFloat32Array,
  float32ToBfloat16Bits,
  float32ToFloat16Array,
  formatShape,
  isMinifloatDType,
  isPackedDType,
  type DType,
  type Shape,
  type TensorData,
} from '@qint/tensor';
import { GraphError } from '../graph-error';

/**
 * Refuses an output of `shape` and `dtype` above the tensor size limit, before anything (index maps included) is
 * allocated for it: the growth ops (Expand, Tile, Pad, ConstantOfShape, Range, Resize) take their sizes from the file.
 */
export function checkOutputSize(dtype: DType, shape: readonly number[], what: string): void {
  let size = 1;
  for (const d of shape) size *= d;
  checkAllocation(byteLengthOf(dtype, size), `${what} ${formatShape(shape)} of ${dtype}`);
}

/** Maps an ONNX `TensorProto.DataType` number to a qint dtype. */
export function dtypeFromOnnx(code: number, what: string): DType {
  for (const name of DTYPE_NAMES) if (dtypeInfo(name).onnxType === code) return name;
  throw new DTypeError(`${what}: ONNX data type ${code} is not supported`);
}

/** Reads an integer tensor (int64, int32, ...) as numbers; int64 beyond 2^53 is clamped (ONNX uses INT64_MAX as "to the end"). */
export function readInts(t: Tensor, what: string): number[] {
  const d = t.data;
  const out = new Array<number>(t.size);
  if (d instanceof BigInt64Array) {
    for (let i = 0; i < d.length; i++) {
      const v = d[i];
      out[i] = v > 9007199254740991n ? Number.MAX_SAFE_INTEGER : v < -9007199254740991n ? Number.MIN_SAFE_INTEGER : Number(v);
    }
    return out;
  }
  if (dtypeInfo(t.dtype).isFloat) {
    throw new DTypeError(`${what} must be an integer tensor, got ${t.dtype}`);
  }
  const v = t.values();
  for (let i = 0; i < v.length; i++) out[i] = v[i];
  return out;
}

/** Reads a float (or integer) tensor's element values as a Float32Array view or copy. */
export function readFloats(t: Tensor): Float32Array {
  if (t.dtype === 'float32') return t.data as Float32Array;
  if (t.dtype === 'float16') return float16ToFloat32Array(t.data as Uint16Array);
  return Float32Array.from(t.values());
}

/**
 * A float32 or float16 input as float32 values (the transformer ops' inputs); any other dtype is a DTypeError.
 *
 * @param t - the input
 * @param what - its ONNX name, for the message
 * @returns its values (float32 data as is, float16 widened exactly)
 * @throws {@link DTypeError} for any other dtype
 */
export function readFloat16or32(t: Tensor, what: string): Float32Array {
  if (t.dtype !== 'float32' && t.dtype !== 'float16') throw new DTypeError(`input ${what} must be float32 or float16, got ${t.dtype}`);
  return readFloats(t);
}

/** Reads a scalar (or single-element) tensor as a number. */
export function readScalar(t: Tensor, what: string): number {
  if (t.size !== 1) throw new ValueError(`${what} must hold exactly one value, got shape ${formatShape(t.shape)}`);
  return t.values()[0];
}

/** Builds a tensor of `dtype` from float values (float16 encoded, ints truncated toward zero, bool as `x != 0`). */
export function fromFloats(dtype: DType, shape: Shape, values: Float32Array | Float64Array | number[]): Tensor {
  if (dtype === 'float32') return Tensor.from('float32', shape, values instanceof Float32Array ? values : Float32Array.from(values));
  if (dtype === 'float16') return Tensor.from('float16', shape, float32ToFloat16Array(values));
  return fromNumbers(dtype, shape, values);
}

/**
 * Builds a tensor from numbers with C-style conversion: truncation, wrap-around for ints, `!= 0` for bool; floats
 * round to nearest even (float8 and float4 saturate at their largest finite value).
 */
export function fromNumbers(dtype: DType, shape: Shape, values: ArrayLike<number>): Tensor {
  const n = values.length;
  if (dtype === 'float16') return Tensor.from('float16', shape, float32ToFloat16Array(values));
  if (dtype === 'bfloat16') return Tensor.from('bfloat16', shape, Uint16Array.from(values as ArrayLike<number>, float32ToBfloat16Bits));
  if (dtype === 'float64') return Tensor.from('float64', shape, Float64Array.from(values as ArrayLike<number>));
  if (isMinifloatDType(dtype)) {
    const codes = Uint8Array.from(values as ArrayLike<number>, (v) => encodeMinifloat(dtype, v));
    return Tensor.from(dtype, shape, dtype === 'float4e2m1' ? packCodes(codes) : codes);
  }
  if (dtype === 'int64' || dtype === 'uint64') {
    const out = dtype === 'int64' ? new BigInt64Array(n) : new BigUint64Array(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      const big = Number.isFinite(v) ? BigInt(Math.trunc(v)) : v > 0 ? 9223372036854775807n : v < 0 ? -9223372036854775808n : 0n;
      out[i] = dtype === 'int64' ? big : BigInt.asUintN(64, big);
    }
    return Tensor.from(dtype, shape, out as never);
  }
  if (dtype === 'bool') {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = values[i] !== 0 ? 1 : 0;
    return Tensor.from('bool', shape, out);
  }
  if (isPackedDType(dtype)) {
    const { min, max } = dtypeInfo(dtype);
    const span = max - min + 1;
    const ints = new Array<number>(n);
    for (let i = 0; i < n; i++) ints[i] = ((((Math.trunc(values[i]) - min) % span) + span) % span) + min;
    return Tensor.from(dtype, shape, ints);
  }
  const out = allocateData(dtype, n) as Exclude<TensorData, BigInt64Array | BigUint64Array>;
  for (let i = 0; i < n; i++) out[i] = values[i];
  return Tensor.from(dtype, shape, out);
}

/** Packs 4-bit codes two per byte, element 0 in the low nibble (float4e2m1 storage). */
export function packCodes(codes: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(Math.ceil(codes.length / 2));
  for (let i = 0; i < codes.length; i++) out[i >> 1] |= (codes[i] & 15) << ((i & 1) * 4);
  return out;
}

/** Rejects packed sub-byte storage for ops that move elements. */
export function requireUnpacked(t: Tensor, what: string): void {
  if (isPackedDType(t.dtype)) throw new DTypeError(`${what}: ${t.dtype} (packed sub-byte) tensors are not supported by this op`);
}

/** Returns input `i`, or fails naming it when an omitted or missing required input. */
export function need(inputs: readonly (Tensor | undefined)[], i: number, what: string): Tensor {
  const t = inputs[i];
  if (t === undefined) throw new GraphError(`required input ${i} (${what}) is missing`);
  return t;
}

/**
 * Copies `outShape` elements from `src` starting at `offset` and stepping by `strides` (elements; 0 broadcasts) into
 * `dst` at `dstOffset`, row-major. The inner loop runs over the last dim, so only the carry logic is per row.
 */
export function stridedCopy(
  src: ArrayLike<unknown>,
  offset: number,
  strides: readonly number[],
  outShape: readonly number[],
  dst: { [i: number]: unknown },
  dstOffset = 0,
): void {
  const rank = outShape.length;
  let total = 1;
  for (const d of outShape) total *= d;
  if (total === 0) return;
  const s = src as unknown as { [i: number]: unknown };
  if (rank === 0) {
    dst[dstOffset] = s[offset];
    return;
  }
  const inner = outShape[rank - 1];
  const innerStride = strides[rank - 1];
  const coord = new Array<number>(rank).fill(0);
  let at = offset;
  let o = dstOffset;
  const rows = total / inner;
  for (let r = 0; r < rows; r++) {
    if (innerStride === 1) {
      for (let i = 0; i < inner; i++) dst[o++] = s[at + i];
    } else {
      let a = at;
      for (let i = 0; i < inner; i++, a += innerStride) dst[o++] = s[a];
    }
    for (let k = rank - 2; k >= 0; k--) {
      coord[k]++;
      at += strides[k];
      if (coord[k] < outShape[k]) break;
      at -= strides[k] * outShape[k];
      coord[k] = 0;
    }
  }
}

/** Product of dims in `[from, to)`. */
export function prod(shape: readonly number[], from = 0, to = shape.length): number {
  let p = 1;
  for (let i = from; i < to; i++) p *= shape[i];
  return p;
}

/**
 * The dims of `[..., m, k] × [..., k, n]` as one batched GEMM when both float32 operands have rank ≥ `minRank` and the
 * same batch dims (attention heads), else undefined (broadcast batch dims, 1-D operands: the general path).
 */
export function sameBatchMatMul(a: Tensor, b: Tensor, minRank: number): { batch: number; m: number; k: number; n: number; shape: number[] } | undefined {
  const r = a.rank;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || r < minRank || b.rank !== r || a.shape[r - 1] !== b.shape[r - 2]) return undefined;
  if (!a.shape.every((d, i) => i >= r - 2 || d === b.shape[i])) return undefined;
  const n = b.shape[r - 1];
  return { batch: prod(a.shape, 0, r - 2), m: a.shape[r - 2], k: a.shape[r - 1], n, shape: [...a.shape.slice(0, r - 1), n] };
}

/** Slice's inputs 1–4 (opset ≥ 10): starts, ends and the optional axes and steps, as numbers. */
export function readSliceInputs(inputs: readonly (Tensor | undefined)[]): {
  starts: number[];
  ends: number[];
  axes: number[] | undefined;
  steps: number[] | undefined;
} {
  return {
    starts: readInts(need(inputs, 1, 'starts'), 'input starts'),
    ends: readInts(need(inputs, 2, 'ends'), 'input ends'),
    axes: inputs[3] ? readInts(inputs[3], 'input axes') : undefined,
    steps: inputs[4] ? readInts(inputs[4], 'input steps') : undefined,
  };
}
