import { Tensor, allocateData, byteLengthOf, dtypeInfo, isPackedDType, type DType, type PackedDType, type TensorData } from '@qint/tensor';
import { LITTLE_ENDIAN, swapBytes } from './byte-order';
import { readExternalData } from './external-data';
import type { DecodeTensorOptions, ExternalDataOptions } from './external-data-options';
import { SUPPORTED_ONNX_TYPES_TEXT, dtypeFromOnnx, onnxDataTypeName } from './onnx-data-type';
import { OnnxError } from './onnx-error';
import { decodeProto } from './proto/decode-proto';
import { int64ToBigInt, int64ToSafeInteger } from './proto/int64';
import type { Int64Like, TensorProto } from './proto/proto-messages';

function has(msg: object, field: string): boolean {
  return Object.prototype.hasOwnProperty.call(msg, field);
}

function count(list: readonly unknown[] | undefined): number {
  return Array.isArray(list) ? list.length : 0;
}

/**
 * Reads and checks a tensor's dims.
 *
 * @returns the shape and its element count
 */
function readDims(dims: readonly Int64Like[] | undefined, what: string): { shape: number[]; size: number } {
  const shape: number[] = [];
  let size = 1;
  const list = dims ?? [];
  if (!Array.isArray(list)) throw new OnnxError(`${what} dims must be a list of integers`);
  for (let i = 0; i < list.length; i++) {
    const d = int64ToSafeInteger(list[i], `${what} dims[${i}]`);
    if (d < 0) throw new OnnxError(`${what} dims[${i}] = ${d} is negative`);
    shape.push(d);
    size *= d;
    if (size > Number.MAX_SAFE_INTEGER) throw new OnnxError(`${what} dims [${list.map(String).join(',')}] describe more than 2^53 - 1 elements`);
  }
  return { shape, size };
}

/** Element storage from little-endian bytes, copied into a fresh (aligned) buffer. */
function fromRawBytes(dtype: DType, bytes: Uint8Array, size: number, what: string): TensorData {
  const expected = byteLengthOf(dtype, size);
  if (bytes.length !== expected) {
    throw new OnnxError(`${what} raw_data has ${bytes.length} bytes but dims and data type ${dtype} need ${expected}`);
  }
  const copy = new Uint8Array(bytes);
  const buffer = copy.buffer;
  switch (dtype) {
    case 'float32':
    case 'int32':
    case 'uint32':
      if (!LITTLE_ENDIAN) swapBytes(copy, 4);
      return dtype === 'float32' ? new Float32Array(buffer) : dtype === 'int32' ? new Int32Array(buffer) : new Uint32Array(buffer);
    case 'int64':
    case 'uint64':
    case 'float64':
      if (!LITTLE_ENDIAN) swapBytes(copy, 8);
      return dtype === 'int64' ? new BigInt64Array(buffer) : dtype === 'uint64' ? new BigUint64Array(buffer) : new Float64Array(buffer);
    case 'float16':
    case 'bfloat16':
    case 'uint16':
    case 'int16':
      if (!LITTLE_ENDIAN) swapBytes(copy, 2);
      return dtype === 'int16' ? new Int16Array(buffer) : new Uint16Array(buffer);
    case 'int8':
      return new Int8Array(buffer);
    case 'bool':
      // ONNX stores one byte per element, 0 or 1; any non-zero byte is taken as true so the tensor stays canonical.
      for (let i = 0; i < copy.length; i++) copy[i] = copy[i] !== 0 ? 1 : 0;
      return copy;
    default:
      if (isPackedDType(dtype)) clearPadding(copy, dtype, size);
      return copy;
  }
}

/** Zeroes the unused high bits of a last, partial byte of packed data, so equal tensors have equal bytes. */
function clearPadding(bytes: Uint8Array, dtype: PackedDType, size: number): void {
  const { bits, elementsPerByte } = dtypeInfo(dtype);
  const used = size % elementsPerByte;
  if (used !== 0 && bytes.length > 0) bytes[bytes.length - 1] &= (1 << (used * bits)) - 1;
}

function checkedInt(values: readonly number[], i: number, min: number, max: number, field: string, what: string, dtype: DType): number {
  const v = values[i];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new OnnxError(`${what} ${field}[${i}] = ${String(v)} is outside the range [${min}, ${max}] of ${dtype}`);
  }
  return v;
}

/** Element storage from the typed `*_data` fields. */
function fromTypedFields(dtype: DType, msg: TensorProto, size: number, what: string): TensorData {
  const expectField = (field: 'floatData' | 'int32Data' | 'int64Data' | 'doubleData' | 'uint64Data', name: string): readonly unknown[] => {
    const list = msg[field];
    const n = count(list);
    if (n !== size && !(isPackedDType(dtype) && field === 'int32Data')) {
      throw new OnnxError(`${what} ${name} has ${n} entries but dims describe ${size} elements`);
    }
    return list ?? [];
  };
  switch (dtype) {
    case 'float32': {
      const list = expectField('floatData', 'float_data') as number[];
      return Float32Array.from(list);
    }
    case 'int64': {
      const list = expectField('int64Data', 'int64_data') as Int64Like[];
      const out = new BigInt64Array(size);
      for (let i = 0; i < size; i++) out[i] = int64ToBigInt(list[i], `${what} int64_data[${i}]`);
      return out;
    }
    case 'float64': {
      const list = expectField('doubleData', 'double_data') as number[];
      return Float64Array.from(list);
    }
    case 'uint32':
    case 'uint64': {
      // Both travel in uint64_data.
      const list = expectField('uint64Data', 'uint64_data') as Int64Like[];
      const out = dtype === 'uint32' ? new Uint32Array(size) : new BigUint64Array(size);
      for (let i = 0; i < size; i++) {
        const v = BigInt.asUintN(64, int64ToBigInt(list[i], `${what} uint64_data[${i}]`));
        if (dtype === 'uint32') {
          if (v > 0xffffffffn) throw new OnnxError(`${what} uint64_data[${i}] = ${v} is outside the range [0, 4294967295] of uint32`);
          out[i] = Number(v);
        } else out[i] = v as never;
      }
      return out;
    }
    case 'bfloat16':
    case 'float8e4m3fn':
    case 'float8e4m3fnuz':
    case 'float8e5m2':
    case 'float8e5m2fnuz':
    case 'float8e8m0': {
      // Bit patterns, one per int32 entry (16 bits for bfloat16, 8 for float8).
      const list = expectField('int32Data', 'int32_data') as number[];
      const bfloat = dtype === 'bfloat16';
      const out = bfloat ? new Uint16Array(size) : new Uint8Array(size);
      for (let i = 0; i < size; i++) out[i] = checkedInt(list, i, bfloat ? -32768 : -128, bfloat ? 65535 : 255, 'int32_data', what, dtype) & (bfloat ? 0xffff : 0xff);
      return out;
    }
    case 'float16': {
      // Half floats travel as their 16 bit patterns, one per int32 entry.
      const list = expectField('int32Data', 'int32_data') as number[];
      const out = new Uint16Array(size);
      for (let i = 0; i < size; i++) out[i] = checkedInt(list, i, -32768, 65535, 'int32_data', what, dtype) & 0xffff;
      return out;
    }
    case 'bool': {
      const list = expectField('int32Data', 'int32_data') as number[];
      const out = new Uint8Array(size);
      for (let i = 0; i < size; i++) out[i] = checkedInt(list, i, -2147483648, 2147483647, 'int32_data', what, dtype) !== 0 ? 1 : 0;
      return out;
    }
    case 'int32':
    case 'int16':
    case 'uint16':
    case 'int8':
    case 'uint8': {
      const list = expectField('int32Data', 'int32_data') as number[];
      const { min, max } = dtypeInfo(dtype);
      const out = allocateData(dtype, size);
      for (let i = 0; i < size; i++) out[i] = checkedInt(list, i, min, max, 'int32_data', what, dtype);
      return out;
    }
    default:
      return fromPackedInt32Data(dtype as PackedDType, msg.int32Data ?? [], size, what);
  }
}

/**
 * Sub-byte tensors in `int32_data` come in two layouts in the wild: one element per entry (ONNX's test data for
 * int2/uint2 and some exporters) or one packed byte per entry (what onnx.helper writes for int4). The entry count
 * tells them apart; when both counts coincide (one element) the low bits are the element either way.
 */
function fromPackedInt32Data(dtype: PackedDType, list: readonly number[], size: number, what: string): Uint8Array {
  const { bits, elementsPerByte, min: lowest, isFloat } = dtypeInfo(dtype);
  // float4e2m1 entries are 4-bit codes, never negative values.
  const min = isFloat ? 0 : lowest;
  const mask = (1 << bits) - 1;
  const packedLength = byteLengthOf(dtype, size);
  if (list.length !== packedLength && !(list.length === size && size > 1)) {
    throw new OnnxError(
      `${what} int32_data has ${list.length} entries but ${size} ${dtype} elements need ${size} (one per entry) or ${packedLength} (packed bytes)`,
    );
  }
  // Only now is the allocation bounded by the input's size.
  const out = new Uint8Array(packedLength);
  if (list.length === size && size > 1) {
    for (let i = 0; i < size; i++) {
      // Accept either the signed value or its unsigned bit pattern (e.g. int4 -1 as -1 or 15).
      const v = checkedInt(list, i, Math.min(min, 0), mask, 'int32_data', what, dtype);
      out[(i / elementsPerByte) | 0] |= (v & mask) << ((i % elementsPerByte) * bits);
    }
    return out;
  }
  for (let i = 0; i < packedLength; i++) out[i] = checkedInt(list, i, -128, 255, 'int32_data', what, dtype) & 0xff;
  clearPadding(out, dtype, size);
  return out;
}

/**
 * Converts a decoded `TensorProto` message into a Tensor. Internal form of {@link decodeTensor} that takes the
 * message and a description for errors.
 *
 * @param msg - the decoded message
 * @param options - external data sources
 * @param what - how errors name the tensor
 * @returns the tensor
 * @throws {@link OnnxError} for anything wrong with the message
 */
export function tensorFromProto(msg: TensorProto, options: ExternalDataOptions, what: string): Tensor {
  if (typeof msg !== 'object' || msg === null) throw new OnnxError(`${what} must be a TensorProto message`);
  if (has(msg, 'segment') && msg.segment != null) throw new OnnxError(`${what} is segmented (TensorProto.segment); segmented tensors are not supported`);
  const dataType = msg.dataType ?? 0;
  if (typeof dataType !== 'number' || !Number.isInteger(dataType)) throw new OnnxError(`${what} data_type must be an integer`);
  const dtype = dtypeFromOnnx(dataType);
  if (dtype === undefined) {
    throw new OnnxError(`${what} has data type ${onnxDataTypeName(dataType)}, which qint cannot hold; supported: ${SUPPORTED_ONNX_TYPES_TEXT}`);
  }
  const { shape, size } = readDims(msg.dims, what);
  const external = msg.dataLocation === 1 || count(msg.externalData) > 0;
  let data: TensorData;
  if (external) {
    if (msg.dataLocation !== 1) throw new OnnxError(`${what} has external_data entries but data_location is not EXTERNAL`);
    const expected = byteLengthOf(dtype, size);
    data = fromRawBytes(dtype, readExternalData(msg.externalData ?? [], expected, options, what), size, what);
  } else if (has(msg, 'rawData') && msg.rawData != null) {
    if (!(msg.rawData instanceof Uint8Array)) throw new OnnxError(`${what} raw_data must be bytes`);
    data = fromRawBytes(dtype, msg.rawData, size, what);
  } else {
    const present = (['floatData', 'int32Data', 'int64Data', 'doubleData', 'uint64Data', 'stringData'] as const).filter((f) => count(msg[f]) > 0);
    const wanted =
      dtype === 'float32'
        ? 'floatData'
        : dtype === 'int64'
          ? 'int64Data'
          : dtype === 'float64'
            ? 'doubleData'
            : dtype === 'uint32' || dtype === 'uint64'
              ? 'uint64Data'
              : 'int32Data';
    const wrong = present.find((f) => f !== wanted);
    if (wrong !== undefined) {
      throw new OnnxError(`${what} is ${dtype} but stores values in ${snake(wrong)}; expected raw_data or ${snake(wanted)}`);
    }
    if (size > 0 && present.length === 0) throw new OnnxError(`${what} has ${size} elements but no data (raw_data, ${snake(wanted)} or external data)`);
    data = fromTypedFields(dtype, msg, size, what);
  }
  return Tensor.from(dtype, shape, data as never);
}

const FIELD_NAMES: Record<string, string> = {
  floatData: 'float_data',
  int32Data: 'int32_data',
  int64Data: 'int64_data',
  doubleData: 'double_data',
  uint64Data: 'uint64_data',
  stringData: 'string_data',
};

function snake(field: string): string {
  return FIELD_NAMES[field] ?? field;
}

/**
 * Decodes an ONNX `TensorProto` (serialized bytes, e.g. a `.pb` file of ONNX test data, or an already decoded
 * message) into a qint Tensor. Reads `raw_data` (little-endian), the typed fields (`float_data`, `int32_data` for
 * 8/16-bit integers, bool, float16 bit patterns and sub-byte types, `int64_data`) and external data.
 *
 * @param source - the serialized TensorProto (Uint8Array or ArrayBuffer), or a decoded message
 * @param options - where external data may be read from (`baseDir`, `externalData`) and how errors name the tensor
 * @returns the tensor (its data is a fresh copy, never a view into `source`)
 * @throws {@link OnnxError} for corrupt bytes, data types qint cannot hold (string, complex), dims whose element count does not match the data, unsafe external data
 * @example
 * ```ts
 * const t = decodeTensor(readFileSync('test_data_set_0/input_0.pb'));
 * t.shape; // [1, 1, 28, 28]
 * ```
 */
export function decodeTensor(source: Uint8Array | ArrayBuffer | TensorProto, options: DecodeTensorOptions = {}): Tensor {
  const msg =
    source instanceof Uint8Array || source instanceof ArrayBuffer ? decodeProto<TensorProto>('TensorProto', source, 'TensorProto') : source;
  const what = options.what ?? `tensor ${JSON.stringify(msg?.name ?? '')}`;
  return tensorFromProto(msg, options, what);
}
