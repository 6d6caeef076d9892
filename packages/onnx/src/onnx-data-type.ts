// ONNX TensorProto.DataType numbers and how they map onto qint's dtypes. The numbers are part of the ONNX wire format.
import { dtypeInfo, type DType } from '@qint/tensor';

/** ONNX `TensorProto.DataType` values, by ONNX name. */
export const ONNX_DATA_TYPES = Object.freeze({
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
  FLOAT8E4M3FN: 17,
  FLOAT8E4M3FNUZ: 18,
  FLOAT8E5M2: 19,
  FLOAT8E5M2FNUZ: 20,
  UINT4: 21,
  INT4: 22,
  FLOAT4E2M1: 23,
  FLOAT8E8M0: 24,
  UINT2: 25,
  INT2: 26,
} as const);

/** An ONNX data type name, e.g. `'FLOAT'`, `'INT4'`. */
export type OnnxDataTypeName = keyof typeof ONNX_DATA_TYPES;

const NAME_BY_NUMBER = new Map<number, OnnxDataTypeName>(
  (Object.entries(ONNX_DATA_TYPES) as [OnnxDataTypeName, number][]).map(([name, n]) => [n, name]),
);

const DTYPE_BY_NUMBER = new Map<number, DType>([
  [1, 'float32'],
  [2, 'uint8'],
  [3, 'int8'],
  [4, 'uint16'],
  [5, 'int16'],
  [6, 'int32'],
  [7, 'int64'],
  [9, 'bool'],
  [10, 'float16'],
  [21, 'uint4'],
  [22, 'int4'],
  [25, 'uint2'],
  [26, 'int2'],
  [11, 'float64'],
  [12, 'uint32'],
  [13, 'uint64'],
  [16, 'bfloat16'],
  [17, 'float8e4m3fn'],
  [18, 'float8e4m3fnuz'],
  [19, 'float8e5m2'],
  [20, 'float8e5m2fnuz'],
  [23, 'float4e2m1'],
  [24, 'float8e8m0'],
]);

/**
 * Describes an ONNX data type number for messages: `'DOUBLE (11)'`, or `'unknown (99)'`.
 *
 * @param dataType - a `TensorProto.DataType` value
 * @returns its name and number
 * @example
 * ```ts
 * onnxDataTypeName(11); // 'DOUBLE (11)'
 * ```
 */
export function onnxDataTypeName(dataType: number): string {
  return `${NAME_BY_NUMBER.get(dataType) ?? 'unknown'} (${dataType})`;
}

/**
 * The qint dtype that holds an ONNX data type, or undefined when qint has none (string, complex, undefined).
 *
 * @param dataType - a `TensorProto.DataType` value
 * @returns the dtype, or undefined
 * @example
 * ```ts
 * dtypeFromOnnx(22); // 'int4'
 * dtypeFromOnnx(11); // 'float64'
 * dtypeFromOnnx(8); // undefined (STRING)
 * ```
 */
export function dtypeFromOnnx(dataType: number): DType | undefined {
  return DTYPE_BY_NUMBER.get(dataType);
}

/**
 * The ONNX data type number of a qint dtype.
 *
 * @param dtype - a qint dtype
 * @returns the `TensorProto.DataType` value
 * @throws {@link DTypeError} for an unknown dtype
 * @example
 * ```ts
 * dtypeToOnnx('uint2'); // 25
 * ```
 */
export function dtypeToOnnx(dtype: DType): number {
  return dtypeInfo(dtype).onnxType;
}

/** The dtypes qint can hold, as ONNX names, for error messages. */
export const SUPPORTED_ONNX_TYPES_TEXT = [...DTYPE_BY_NUMBER.keys()].map((n) => NAME_BY_NUMBER.get(n)).join(', ');
