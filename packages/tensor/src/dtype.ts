import { DTypeError } from './dtype-error';
import { checkAllocation } from './allocation-limit';

/** Every element type a qint tensor can hold. Names follow ONNX's `TensorProto.DataType` in lower case. */
export type DType =
  | 'float32'
  | 'float16'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'uint16'
  | 'int8'
  | 'uint8'
  | 'int4'
  | 'uint4'
  | 'int2'
  | 'uint2'
  | 'bool'
  | 'float64'
  | 'uint32'
  | 'uint64'
  | 'bfloat16'
  | 'float8e4m3fn'
  | 'float8e4m3fnuz'
  | 'float8e5m2'
  | 'float8e5m2fnuz'
  | 'float8e8m0'
  | 'float4e2m1';

/** Integer dtypes that quantized values can use. */
export type QuantDType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int4' | 'uint4' | 'int2' | 'uint2';

/**
 * Sub-byte dtypes, stored packed several elements per byte, element 0 in the low bits (as ONNX packs int4).
 * float4e2m1 packs its 4-bit codes the same way.
 */
export type PackedDType = 'int4' | 'uint4' | 'int2' | 'uint2' | 'float4e2m1';

/**
 * The typed array that stores each dtype. float16 is stored as its raw IEEE-754 half bits in a `Uint16Array`;
 * packed dtypes and bool in a `Uint8Array`; int64 in a `BigInt64Array`.
 */
export interface DataTypeMap {
  float32: Float32Array;
  float16: Uint16Array;
  int64: BigInt64Array;
  int32: Int32Array;
  int16: Int16Array;
  uint16: Uint16Array;
  int8: Int8Array;
  uint8: Uint8Array;
  int4: Uint8Array;
  uint4: Uint8Array;
  int2: Uint8Array;
  uint2: Uint8Array;
  bool: Uint8Array;
  float64: Float64Array;
  uint32: Uint32Array;
  uint64: BigUint64Array;
  /** Raw bfloat16 bits (the high half of a float32). */
  bfloat16: Uint16Array;
  /** One 8-bit code per element (see `minifloat.ts`). */
  float8e4m3fn: Uint8Array;
  float8e4m3fnuz: Uint8Array;
  float8e5m2: Uint8Array;
  float8e5m2fnuz: Uint8Array;
  float8e8m0: Uint8Array;
  /** 4-bit codes packed two per byte, element 0 in the low nibble. */
  float4e2m1: Uint8Array;
}

/** Any typed array that can back a tensor. */
export type TensorData = DataTypeMap[DType];

/** Static facts about a dtype. */
export interface DTypeInfo {
  readonly name: DType;
  /** Bits per element (16 for float16, 4 for int4, 8 for bool). */
  readonly bits: number;
  /** Elements stored per byte: 1 for byte-sized or larger types, 2 for 4-bit, 4 for 2-bit. */
  readonly elementsPerByte: number;
  /**
   * Smallest representable value (`-Infinity` for floats with infinities, -max for the float8/float4 formats without
   * them; a safe-integer approximation for int64 and uint64).
   */
  readonly min: number;
  /** Largest representable value. */
  readonly max: number;
  readonly isFloat: boolean;
  readonly isSigned: boolean;
  /** ONNX `TensorProto.DataType` enum value. */
  readonly onnxType: number;
}

function info(
  name: DType,
  bits: number,
  min: number,
  max: number,
  isFloat: boolean,
  isSigned: boolean,
  onnxType: number,
): DTypeInfo {
  return Object.freeze({ name, bits, elementsPerByte: bits < 8 ? 8 / bits : 1, min, max, isFloat, isSigned, onnxType });
}

const DTYPES: Readonly<Record<DType, DTypeInfo>> = Object.freeze({
  float32: info('float32', 32, -Infinity, Infinity, true, true, 1),
  float16: info('float16', 16, -Infinity, Infinity, true, true, 10),
  int64: info('int64', 64, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, false, true, 7),
  int32: info('int32', 32, -2147483648, 2147483647, false, true, 6),
  int16: info('int16', 16, -32768, 32767, false, true, 5),
  uint16: info('uint16', 16, 0, 65535, false, false, 4),
  int8: info('int8', 8, -128, 127, false, true, 3),
  uint8: info('uint8', 8, 0, 255, false, false, 2),
  int4: info('int4', 4, -8, 7, false, true, 22),
  uint4: info('uint4', 4, 0, 15, false, false, 21),
  int2: info('int2', 2, -2, 1, false, true, 26),
  uint2: info('uint2', 2, 0, 3, false, false, 25),
  bool: info('bool', 8, 0, 1, false, false, 9),
  float64: info('float64', 64, -Infinity, Infinity, true, true, 11),
  uint32: info('uint32', 32, 0, 4294967295, false, false, 12),
  uint64: info('uint64', 64, 0, Number.MAX_SAFE_INTEGER, false, false, 13),
  bfloat16: info('bfloat16', 16, -Infinity, Infinity, true, true, 16),
  float8e4m3fn: info('float8e4m3fn', 8, -448, 448, true, true, 17),
  float8e4m3fnuz: info('float8e4m3fnuz', 8, -240, 240, true, true, 18),
  float8e5m2: info('float8e5m2', 8, -Infinity, Infinity, true, true, 19),
  float8e5m2fnuz: info('float8e5m2fnuz', 8, -57344, 57344, true, true, 20),
  float8e8m0: info('float8e8m0', 8, 2 ** -127, 2 ** 127, true, false, 24),
  float4e2m1: info('float4e2m1', 4, -6, 6, true, true, 23),
});

/** All dtype names, in a stable order. */
export const DTYPE_NAMES: readonly DType[] = Object.freeze(Object.keys(DTYPES) as DType[]);

/**
 * Returns whether `name` is a dtype qint knows.
 *
 * @param name - any string
 * @returns true when `name` is a {@link DType}
 * @example
 * ```ts
 * isDType('int4'); // true
 * ```
 */
export function isDType(name: unknown): name is DType {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(DTYPES, name);
}

/**
 * Facts about a dtype: bits, packing, range, signedness.
 *
 * @param dtype - a dtype name
 * @returns its {@link DTypeInfo}
 * @throws {@link DTypeError} when the name is unknown
 * @example
 * ```ts
 * dtypeInfo('int4'); // { bits: 4, elementsPerByte: 2, min: -8, max: 7, ... }
 * ```
 */
export function dtypeInfo(dtype: DType): DTypeInfo {
  if (!isDType(dtype)) {
    throw new DTypeError(`unknown dtype ${JSON.stringify(dtype)}; expected one of ${DTYPE_NAMES.join(', ')}`);
  }
  return DTYPES[dtype];
}

/**
 * Returns whether the dtype is stored packed several elements per byte.
 *
 * @param dtype - a dtype name
 * @returns true for int4, uint4, int2, uint2
 * @example
 * ```ts
 * isPackedDType('uint2'); // true
 * ```
 */
export function isPackedDType(dtype: DType): dtype is PackedDType {
  return dtypeInfo(dtype).bits < 8;
}

/**
 * Returns whether the dtype can hold quantized values (the integer types of QuantizeLinear's output).
 *
 * @param dtype - a dtype name
 * @returns true for int8, uint8, int16, uint16, int4, uint4, int2, uint2
 * @example
 * ```ts
 * isQuantDType('int32'); // false
 * ```
 */
export function isQuantDType(dtype: DType): dtype is QuantDType {
  return (
    dtype === 'int8' ||
    dtype === 'uint8' ||
    dtype === 'int16' ||
    dtype === 'uint16' ||
    dtype === 'int4' ||
    dtype === 'uint4' ||
    dtype === 'int2' ||
    dtype === 'uint2'
  );
}

/**
 * Number of bytes needed to store `count` elements of `dtype` (packed types round up to whole bytes).
 *
 * @param dtype - a dtype name
 * @param count - element count (a non-negative integer)
 * @returns the byte length
 * @example
 * ```ts
 * byteLengthOf('int4', 5); // 3
 * ```
 */
export function byteLengthOf(dtype: DType, count: number): number {
  const { bits } = dtypeInfo(dtype);
  return bits < 8 ? Math.ceil((count * bits) / 8) : count * (bits / 8);
}

/**
 * Allocates a zero-filled typed array that stores `count` elements of `dtype`.
 *
 * @param dtype - a dtype name
 * @param count - element count
 * @returns a new typed array of the dtype's storage type
 * @example
 * ```ts
 * allocateData('int4', 3); // Uint8Array(2)
 * ```
 */
export function allocateData<D extends DType>(dtype: D, count: number): DataTypeMap[D] {
  const length = byteLengthOf(dtype, count);
  checkAllocation(length, `a ${dtype} tensor of ${count} elements`);
  return new (storageConstructor(dtype))(isPackedDType(dtype) ? length : count) as DataTypeMap[D];
}

type TypedArrayConstructor =
  | Float32ArrayConstructor
  | Uint16ArrayConstructor
  | BigInt64ArrayConstructor
  | Int32ArrayConstructor
  | Int16ArrayConstructor
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Float64ArrayConstructor
  | Uint32ArrayConstructor
  | BigUint64ArrayConstructor;

/**
 * The typed-array constructor that stores a dtype.
 *
 * @param dtype - a dtype name
 * @returns e.g. `Float32Array` for float32, `Uint8Array` for int4
 * @example
 * ```ts
 * storageConstructor('float16') === Uint16Array; // true
 * ```
 */
export function storageConstructor(dtype: DType): TypedArrayConstructor {
  switch (dtypeInfo(dtype).name) {
    case 'float32':
      return Float32Array;
    case 'float16':
    case 'bfloat16':
    case 'uint16':
      return Uint16Array;
    case 'float64':
      return Float64Array;
    case 'uint32':
      return Uint32Array;
    case 'uint64':
      return BigUint64Array;
    case 'int64':
      return BigInt64Array;
    case 'int32':
      return Int32Array;
    case 'int16':
      return Int16Array;
    case 'int8':
      return Int8Array;
    default:
      return Uint8Array;
  }
}
