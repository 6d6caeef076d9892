import {
  allocateData,
  byteLengthOf,
  dtypeInfo,
  isPackedDType,
  storageConstructor,
  type DataTypeMap,
  type DType,
  type PackedDType,
} from './dtype';
import { DTypeError } from './dtype-error';
import { float16BitsToFloat32, float16ToFloat32Array, float32ToFloat16Bits } from './float16';
import { bfloat16BitsToFloat32, decodeMinifloat, encodeMinifloat, float32ToBfloat16Bits, isMinifloatDType, minifloatTable } from './minifloat';
import { packSubByte, readPacked, unpackSubByte, writePacked } from './packing';
import { computeStrides, formatShape, normalizeAxis, resolveReshape, resolveSliceRange, validateShape, type Shape } from './shape';
import { ShapeError } from './shape-error';
import { ValueError } from './value-error';

/** A nested array of numbers, as in `[[1, 2], [3, 4]]`. */
export type NestedArray = number | boolean | readonly NestedArray[];

/** Options of {@link Tensor.reshape}. */
export interface ReshapeOptions {
  /**
   * ONNX Reshape's `allowzero`: when false (the default, as in ONNX), a 0 in the new shape copies the input's dim at
   * that position; when true, 0 means an empty dimension.
   */
  allowZero?: boolean;
}

/** Marks tensors across copies of this package (its ESM and CJS builds, or two installed versions). */
const TENSOR_BRAND = Symbol.for('@qint/tensor.Tensor');

/**
 * An n-dimensional array: a dtype, an immutable shape and row-major contiguous data in the dtype's typed array.
 * Sub-byte dtypes are packed (element 0 in the low bits); float16 and bfloat16 hold raw 16-bit patterns, the float8
 * formats one code per byte, float4e2m1 4-bit codes packed like int4.
 *
 * @example
 * ```ts
 * const t = Tensor.from('float32', [2, 2], [1, 2, 3, 4]);
 * t.get([1, 0]); // 3
 * t.transpose().toArray(); // [1, 3, 2, 4]
 * ```
 */
export class Tensor<D extends DType = DType> {
  /**
   * `x instanceof Tensor` holds for tensors made by any copy of @qint/tensor — its ESM and CJS builds are two copies
   * when an app mixes `import` and `require` — so that kernels accept them all.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[TENSOR_BRAND] === true;
  }

  /**
   * @internal The brand checked by `instanceof`, on the prototype (see below the class): an own symbol-keyed field
   * would be defined on every tensor, which costs more than the rest of the constructor.
   */
  declare readonly [TENSOR_BRAND]: true;

  /** Element type. */
  readonly dtype: D;
  /** Dimensions, outermost first. Frozen. */
  readonly shape: readonly number[];
  /** Row-major storage. Shared (not copied) by `reshape` views and by tensors built from a typed array. */
  readonly data: DataTypeMap[D];
  /** Number of elements. */
  readonly size: number;

  private constructor(dtype: D, shape: readonly number[], data: DataTypeMap[D], size: number) {
    this.dtype = dtype;
    // A frozen shape (another tensor's) can be shared as it is; anything else is copied, then frozen.
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze(shape.slice());
    this.data = data;
    this.size = size;
  }

  /**
   * Builds a tensor. A typed array of the dtype's storage type is used as storage without copying (for packed
   * dtypes it must hold the packed bytes); a plain array holds element values and is converted (packed, or converted
   * to half bits for float16, to bigint for int64).
   *
   * @param dtype - element type
   * @param shape - dims; their product must equal the element count
   * @param data - storage or values
   * @returns the tensor
   * @throws {@link DTypeError} for an unknown dtype or a typed array of the wrong type
   * @throws {@link ShapeError} for a bad shape or a data length that does not match it
   * @throws {@link ValueError} for values that the dtype cannot hold (non-integers, out of range)
   * @example
   * ```ts
   * Tensor.from('int4', [3], [1, -2, 7]); // packed into 2 bytes
   * ```
   */
  static from<D extends DType>(dtype: D, shape: Shape, data: DataTypeMap[D] | ArrayLike<number | bigint | boolean>): Tensor<D> {
    checkFromArguments(dtype, shape, data);
    const info = dtypeInfo(dtype);
    const size = validateShape(shape, 'shape');
    if (ArrayBuffer.isView(data)) {
      const Ctor = storageConstructor(dtype);
      if (!(data instanceof Ctor)) {
        throw new DTypeError(
          `data for a ${dtype} tensor must be a ${Ctor.name} (or a plain array of values), got ${data.constructor.name}`,
        );
      }
      const expected = isPackedDType(dtype) ? byteLengthOf(dtype, size) : size;
      if ((data as ArrayLike<unknown>).length !== expected) {
        throw new ShapeError(
          `data has ${(data as ArrayLike<unknown>).length} ${isPackedDType(dtype) ? 'packed bytes' : 'elements'} but shape ${formatShape(shape)} of ${dtype} needs ${expected}`,
        );
      }
      return new Tensor(dtype, shape, data as DataTypeMap[D], size);
    }
    const values = data as ArrayLike<number | bigint | boolean>;
    if (values.length !== size) {
      throw new ShapeError(`data has ${values.length} values but shape ${formatShape(shape)} has ${size} elements`);
    }
    return new Tensor(dtype, shape, convertValues(dtype, values, info.min, info.max), size);
  }

  /**
   * Builds a tensor from nested arrays, inferring the shape; rows must be rectangular.
   *
   * @param dtype - element type
   * @param nested - e.g. `[[1, 2], [3, 4]]`, or a bare number for a scalar
   * @returns the tensor
   * @throws {@link ShapeError} for ragged nesting
   * @example
   * ```ts
   * Tensor.fromNested('int8', [[1, 2], [3, 4]]).shape; // [2, 2]
   * ```
   */
  static fromNested<D extends DType>(dtype: D, nested: NestedArray): Tensor<D> {
    const shape: number[] = [];
    let probe: NestedArray = nested;
    while (Array.isArray(probe)) {
      shape.push(probe.length);
      probe = probe.length > 0 ? (probe as readonly NestedArray[])[0] : 0;
      if ((probe as unknown) === undefined) break;
    }
    const flat: (number | boolean)[] = [];
    const walk = (node: NestedArray, depth: number, path: string): void => {
      if (depth === shape.length) {
        if (Array.isArray(node)) throw new ShapeError(`nested array is ragged at ${path}: expected a value, got an array`);
        flat.push(node as number | boolean);
        return;
      }
      if (!Array.isArray(node) || node.length !== shape[depth]) {
        throw new ShapeError(
          `nested array is ragged at ${path}: expected ${shape[depth]} entries, got ${Array.isArray(node) ? node.length : 'a value'}`,
        );
      }
      (node as readonly NestedArray[]).forEach((child, i) => walk(child, depth + 1, `${path}[${i}]`));
    };
    walk(nested, 0, 'data');
    return Tensor.from(dtype, shape, flat);
  }

  /**
   * A zero-filled tensor.
   *
   * @param dtype - element type
   * @param shape - dims
   * @returns the tensor
   * @throws {@link ShapeError} for a bad shape
   * @example
   * ```ts
   * Tensor.zeros('float32', [2, 3]);
   * ```
   */
  static zeros<D extends DType>(dtype: D, shape: Shape): Tensor<D> {
    const size = validateShape(shape, 'shape');
    return new Tensor(dtype, shape, allocateData(dtype, size), size);
  }

  /**
   * A rank-0 tensor holding one value.
   *
   * @param dtype - element type
   * @param value - the value
   * @returns the scalar tensor (shape `[]`)
   * @example
   * ```ts
   * Tensor.scalar('float32', 0.5);
   * ```
   */
  static scalar<D extends DType>(dtype: D, value: number | bigint | boolean): Tensor<D> {
    return Tensor.from(dtype, [], [value]);
  }

  /** Number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /** Row-major strides in elements. */
  get strides(): number[] {
    return computeStrides(this.shape);
  }

  /**
   * A view with another shape over the same data. `-1` is inferred from the element count; `0` copies the input
   * dim at that position unless `allowZero` is set (ONNX Reshape semantics).
   *
   * @param shape - the new dims
   * @param options - {@link ReshapeOptions}
   * @returns a tensor sharing this tensor's data
   * @throws {@link ShapeError} when the counts differ, more than one `-1` appears, or a dim is invalid
   * @example
   * ```ts
   * Tensor.zeros('float32', [2, 3, 4]).reshape([0, -1]).shape; // [2, 12]
   * ```
   */
  reshape(shape: Shape, options: ReshapeOptions = {}): Tensor<D> {
    return new Tensor(this.dtype, resolveReshape(this.shape, shape, options.allowZero), this.data, this.size);
  }

  /**
   * A transposed copy: output dim `i` is input dim `perm[i]` (default: reversed dims).
   *
   * @param perm - a permutation of `0..rank-1`
   * @returns a new contiguous tensor
   * @throws {@link ShapeError} when `perm` is not a permutation of the dims
   * @example
   * ```ts
   * Tensor.from('float32', [2, 3], [1, 2, 3, 4, 5, 6]).transpose([1, 0]).toArray(); // [1, 4, 2, 5, 3, 6]
   * ```
   */
  transpose(perm?: readonly number[]): Tensor<D> {
    const rank = this.rank;
    const p = perm ? perm.slice() : Array.from({ length: rank }, (_, i) => rank - 1 - i);
    const seen = new Array<boolean>(rank).fill(false);
    if (p.length !== rank) throw new ShapeError(`transpose: perm ${formatShape(p)} must have ${rank} entries for ${formatShape(this.shape)}`);
    for (const axis of p) {
      if (!Number.isInteger(axis) || axis < 0 || axis >= rank || seen[axis]) {
        throw new ShapeError(`transpose: perm ${formatShape(p)} is not a permutation of 0..${rank - 1}`);
      }
      seen[axis] = true;
    }
    const outShape = p.map((axis) => this.shape[axis]);
    const inStrides = computeStrides(this.shape);
    const strides = p.map((axis) => inStrides[axis]);
    return this.gather(outShape, strides, 0);
  }

  /**
   * A copy of a sub-range, with ONNX Slice semantics: negative indices count from the end, out-of-range bounds
   * are clamped, steps may be negative.
   *
   * @param starts - start index per sliced axis
   * @param ends - end index (exclusive) per sliced axis
   * @param axes - the axes sliced (default `0..starts.length-1`)
   * @param steps - step per sliced axis (default 1; never 0)
   * @returns a new contiguous tensor
   * @throws {@link ShapeError} when the argument lengths differ, an axis repeats or a step is 0
   * @example
   * ```ts
   * Tensor.from('int32', [5], [0, 1, 2, 3, 4]).slice([-1], [-6], [0], [-2]).toArray(); // [4, 2, 0]
   * ```
   */
  slice(starts: readonly number[], ends: readonly number[], axes?: readonly number[], steps?: readonly number[]): Tensor<D> {
    const rank = this.rank;
    const ax = axes ? axes.map((a) => normalizeAxis(a, rank, 'slice axes')) : starts.map((_, i) => i);
    if (ends.length !== starts.length || ax.length !== starts.length || (steps && steps.length !== starts.length)) {
      throw new ShapeError(`slice: starts, ends, axes and steps must have the same length, got ${starts.length}, ${ends.length}, ${ax.length}, ${steps ? steps.length : '-'}`);
    }
    if (new Set(ax).size !== ax.length) throw new ShapeError(`slice: axes ${formatShape(ax)} repeat an axis`);
    const outShape = this.shape.slice();
    const begin = new Array<number>(rank).fill(0);
    const step = new Array<number>(rank).fill(1);
    ax.forEach((axis, i) => {
      const dim = this.shape[axis];
      const s = steps ? steps[i] : 1;
      if (!Number.isInteger(s) || s === 0) throw new ShapeError(`slice: steps[${i}] must be a non-zero integer, got ${s}`);
      const range = resolveSliceRange(dim, starts[i], ends[i], s);
      outShape[axis] = range.count;
      begin[axis] = range.start;
      step[axis] = s;
    });
    const inStrides = computeStrides(this.shape);
    let offset = 0;
    for (let i = 0; i < rank; i++) offset += begin[i] * inStrides[i];
    return this.gather(outShape, inStrides.map((st, i) => st * step[i]), outShape.some((d) => d === 0) ? 0 : offset);
  }

  /**
   * Reads one element.
   *
   * @param index - one coordinate per dim (`[]` for a scalar)
   * @returns the value (float16, bfloat16, float8 and float4 decoded; int64 and uint64 as numbers; bool as 0/1)
   * @throws {@link ValueError} when the index is out of bounds
   * @example
   * ```ts
   * Tensor.from('int4', [2], [3, -4]).get([1]); // -4
   * ```
   */
  get(index: readonly number[]): number {
    return this.readFlat(this.flatIndex(index));
  }

  /**
   * Writes one element in place (for tests and debugging; kernels write typed arrays directly).
   *
   * @param index - one coordinate per dim
   * @param value - the value, converted as {@link Tensor.from} converts values
   * @throws {@link ValueError} when the index is out of bounds or the value does not fit the dtype
   * @example
   * ```ts
   * t.set([0, 1], 5);
   * ```
   */
  set(index: readonly number[], value: number): void {
    const flat = this.flatIndex(index);
    const info = dtypeInfo(this.dtype);
    if (this.dtype === 'float4e2m1') {
      writePacked(this.data as Uint8Array, 'float4e2m1', flat, encodeMinifloat('float4e2m1', value));
      return;
    }
    if (isPackedDType(this.dtype)) {
      writePacked(this.data as Uint8Array, this.dtype as PackedDType, flat, value);
      return;
    }
    const converted = convertValues(this.dtype, [value], info.min, info.max);
    (this.data as unknown as ArrayLike<unknown> & Record<number, unknown>)[flat] = (converted as unknown as ArrayLike<unknown>)[0];
  }

  /**
   * The element values as a flat typed array of numbers: the storage itself for byte-sized and wider numeric
   * types, unpacked for sub-byte types, decoded for float16, converted to float64 for int64.
   *
   * @returns a typed array of `size` values
   * @example
   * ```ts
   * Tensor.from('uint2', [3], [1, 2, 3]).values(); // Uint8Array [1, 2, 3]
   * ```
   */
  values(): Float32Array | Float64Array | Int32Array | Int16Array | Uint16Array | Int8Array | Uint8Array | Uint32Array {
    const d = this.dtype as DType;
    if (isMinifloatDType(d)) {
      const table = minifloatTable(d);
      const codes = d === 'float4e2m1' ? unpackSubByte(this.data as Uint8Array, d, this.size) : (this.data as Uint8Array);
      return Float32Array.from(codes, (c) => table[c]);
    }
    if (isPackedDType(d)) return unpackSubByte(this.data as Uint8Array, d, this.size);
    if (d === 'float16') return float16ToFloat32Array(this.data as Uint16Array);
    if (d === 'bfloat16') return Float32Array.from(this.data as Uint16Array, bfloat16BitsToFloat32);
    if (d === 'int64' || d === 'uint64') return Float64Array.from(this.data as BigInt64Array, (v) => Number(v));
    return this.data as Float32Array | Float64Array | Int32Array | Int16Array | Uint16Array | Int8Array | Uint8Array | Uint32Array;
  }

  /**
   * The element values as a plain array.
   *
   * @returns `size` numbers in row-major order
   * @example
   * ```ts
   * Tensor.from('float16', [2], [0.5, 2]).toArray(); // [0.5, 2]
   * ```
   */
  toArray(): number[] {
    return Array.from(this.values());
  }

  /** A short description: `Tensor<int8>[2,3]`. */
  toString(): string {
    return `Tensor<${this.dtype}>${formatShape(this.shape)}`;
  }

  private flatIndex(index: readonly number[]): number {
    if (index.length !== this.rank) {
      throw new ValueError(`index ${formatShape(index)} must have ${this.rank} coordinates for shape ${formatShape(this.shape)}`);
    }
    let flat = 0;
    for (let i = 0; i < index.length; i++) {
      const c = index[i];
      if (!Number.isInteger(c) || c < 0 || c >= this.shape[i]) {
        throw new ValueError(`index ${formatShape(index)} is out of bounds for shape ${formatShape(this.shape)} at dim ${i}`);
      }
      flat = flat * this.shape[i] + c;
    }
    return flat;
  }

  private readFlat(flat: number): number {
    const d = this.dtype as DType;
    if (d === 'float4e2m1') return decodeMinifloat(d, readPacked(this.data as Uint8Array, d, flat));
    if (isPackedDType(d)) return readPacked(this.data as Uint8Array, d, flat);
    const raw = (this.data as unknown as ArrayLike<number | bigint>)[flat];
    if (d === 'float16') return float16BitsToFloat32(raw as number);
    if (d === 'bfloat16') return bfloat16BitsToFloat32(raw as number);
    if (isMinifloatDType(d)) return decodeMinifloat(d, raw as number);
    return typeof raw === 'bigint' ? Number(raw) : raw;
  }

  /**
   * Copies elements reached by `offset + Σ coord[i]·strides[i]` into a new contiguous tensor of `outShape`, a row of
   * the last dim at a time (the inner loop is a plain strided read; the odometer moves once per row).
   */
  private gather(outShape: number[], strides: number[], offset: number): Tensor<D> {
    const size = validateShape(outShape, 'shape');
    const rank = outShape.length;
    const packed = isPackedDType(this.dtype);
    const src = (packed ? unpackSubByte(this.data as Uint8Array, this.dtype as PackedDType, this.size) : this.data) as unknown as { [i: number]: number };
    const dst: { [i: number]: number | bigint; length: number } = packed
      ? new Int16Array(size)
      : (allocateData(this.dtype, size) as unknown as { [i: number]: number; length: number });
    if (size > 0 && rank === 0) dst[0] = src[offset];
    else if (size > 0) {
      const inner = outShape[rank - 1];
      const innerStride = strides[rank - 1];
      const coord = new Array<number>(rank).fill(0);
      let at = offset;
      let o = 0;
      for (let row = size / inner; row > 0; row--) {
        for (let i = 0, a = at; i < inner; i++, a += innerStride) dst[o++] = src[a];
        for (let k = rank - 2; k >= 0; k--) {
          coord[k]++;
          at += strides[k];
          if (coord[k] < outShape[k]) break;
          at -= strides[k] * outShape[k];
          coord[k] = 0;
        }
      }
    }
    const data = packed ? packSubByte(dst as Int16Array, this.dtype as PackedDType) : dst;
    return new Tensor(this.dtype, outShape, data as DataTypeMap[D], size);
  }
}

// The brand every tensor inherits (non-enumerable, read-only), checked by Tensor[Symbol.hasInstance].
Object.defineProperty(Tensor.prototype, TENSOR_BRAND, { value: true });

/** Converts plain values to the storage of `dtype`, validating integers and ranges. */
function convertValues<D extends DType>(dtype: D, values: ArrayLike<number | bigint | boolean>, min: number, max: number): DataTypeMap[D] {
  const n = values.length;
  if (dtype === 'float64' || dtype === 'bfloat16' || isMinifloatDType(dtype)) {
    const codes = dtype === 'float64' ? new Float64Array(n) : dtype === 'bfloat16' ? new Uint16Array(n) : new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const v = toNumber(values[i], i);
      codes[i] = dtype === 'float64' ? v : dtype === 'bfloat16' ? float32ToBfloat16Bits(v) : encodeMinifloat(dtype as never, v);
    }
    return (dtype === 'float4e2m1' ? packSubByte(codes, 'float4e2m1') : codes) as DataTypeMap[D];
  }
  if (dtype === 'uint64') {
    const out = new BigUint64Array(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v === 'bigint') {
        if (v < 0n || v >= 2n ** 64n) throw new ValueError(`values[${i}] = ${v} does not fit uint64`);
        out[i] = v;
      } else {
        const num = toNumber(v, i);
        if (!Number.isSafeInteger(num) || num < 0) throw new ValueError(`values[${i}] = ${num} is not a safe non-negative integer for uint64 (pass a bigint)`);
        out[i] = BigInt(num);
      }
    }
    return out as DataTypeMap[D];
  }
  if (dtype === 'float32' || dtype === 'float16') {
    const out = dtype === 'float32' ? new Float32Array(n) : new Uint16Array(n);
    for (let i = 0; i < n; i++) {
      const v = toNumber(values[i], i);
      out[i] = dtype === 'float32' ? v : float32ToFloat16Bits(v);
    }
    return out as DataTypeMap[D];
  }
  if (dtype === 'int64') {
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v === 'bigint') {
        if (v < -(2n ** 63n) || v >= 2n ** 63n) throw new ValueError(`values[${i}] = ${v} does not fit int64`);
        out[i] = v;
      } else {
        const num = toNumber(v, i);
        if (!Number.isSafeInteger(num)) throw new ValueError(`values[${i}] = ${num} is not a safe integer for int64 (pass a bigint)`);
        out[i] = BigInt(num);
      }
    }
    return out as DataTypeMap[D];
  }
  const ints = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const v = toNumber(values[i], i);
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new ValueError(`values[${i}] = ${v} is not an integer in [${min}, ${max}] of ${dtype}`);
    }
    ints[i] = v;
  }
  if (isPackedDType(dtype)) return packSubByte(ints, dtype) as DataTypeMap[D];
  const Ctor = storageConstructor(dtype) as Int32ArrayConstructor;
  return Ctor.from(ints) as unknown as DataTypeMap[D];
}

function toNumber(v: number | bigint | boolean, i: number): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return Number(v);
  throw new ValueError(`values[${i}] must be a number, bigint or boolean, got ${typeof v}`);
}

/** What a value is, for argument messages: `a Float32Array`, `an array`, `the string "x"`, `undefined`. */
function describeValue(v: unknown): string {
  if (v === undefined || v === null) return String(v);
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v)}`;
  if (Array.isArray(v)) return 'an array';
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  if (v instanceof Tensor) return 'a Tensor';
  return `a ${typeof v}`;
}

/**
 * `Tensor.from(dtype, shape, data)` with arguments in another order (`Tensor.from(data, shape)`, data before shape)
 * would otherwise fail deep inside with V8's words; each argument is named with the form it must have.
 */
function checkFromArguments(dtype: unknown, shape: unknown, data: unknown): void {
  const form = 'Tensor.from(dtype, shape, data)';
  if (typeof dtype !== 'string') {
    throw new DTypeError(`${form}: dtype must be a dtype name such as 'float32', got ${describeValue(dtype)}${Array.isArray(dtype) || ArrayBuffer.isView(dtype) ? ' (arguments in the wrong order? the dtype comes first)' : ''}`);
  }
  if (!Array.isArray(shape)) {
    throw new ShapeError(`${form}: shape must be an array of dims such as [2, 3], got ${describeValue(shape)}${ArrayBuffer.isView(shape) ? ' (arguments in the wrong order? the data comes last)' : ''}`);
  }
  if (data === undefined || data === null || typeof data !== 'object' || typeof (data as { length?: unknown }).length !== 'number') {
    throw new ShapeError(`${form}: data must be a typed array or an array of values, got ${describeValue(data)}`);
  }
}
