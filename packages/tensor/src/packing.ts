import { dtypeInfo, isPackedDType, type PackedDType } from './dtype';
import { DTypeError } from './dtype-error';
import { ShapeError } from './shape-error';
import { ValueError } from './value-error';

function packedInfo(dtype: PackedDType): { bits: number; perByte: number; mask: number; signed: boolean; min: number; max: number } {
  if (!isPackedDType(dtype)) throw new DTypeError(`dtype must be int4, uint4, int2, uint2 or float4e2m1, got ${String(dtype)}`);
  const info = dtypeInfo(dtype);
  // float4e2m1 packs its 4-bit codes (0–15), not values: decode them with the minifloat table.
  if (info.isFloat) return { bits: info.bits, perByte: info.elementsPerByte, mask: (1 << info.bits) - 1, signed: false, min: 0, max: (1 << info.bits) - 1 };
  return { bits: info.bits, perByte: info.elementsPerByte, mask: (1 << info.bits) - 1, signed: info.isSigned, min: info.min, max: info.max };
}

/**
 * Packs sub-byte values two (4-bit) or four (2-bit) per byte, element 0 in the low bits, as ONNX does.
 * The unused high bits of a last, partial byte are zero.
 *
 * @param values - element values, each inside the dtype's range
 * @param dtype - int4, uint4, int2 or uint2
 * @returns the packed bytes (`ceil(n·bits/8)` of them)
 * @throws {@link ValueError} when a value is not an integer inside the dtype's range
 * @example
 * ```ts
 * packSubByte([1, -1], 'int4'); // Uint8Array [0xf1]
 * ```
 */
export function packSubByte(values: ArrayLike<number>, dtype: PackedDType): Uint8Array {
  const { bits, perByte, mask, min, max } = packedInfo(dtype);
  const out = new Uint8Array(Math.ceil(values.length / perByte));
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new ValueError(`values[${i}] = ${v} is not an integer in [${min}, ${max}] of ${dtype}`);
    }
    out[(i / perByte) | 0] |= (v & mask) << ((i % perByte) * bits);
  }
  return out;
}

/**
 * Unpacks sub-byte values (element 0 in the low bits), sign-extending signed types.
 *
 * @param bytes - packed bytes
 * @param dtype - int4, uint4, int2 or uint2
 * @param count - number of elements to unpack
 * @returns `Int8Array` for signed dtypes, `Uint8Array` for unsigned
 * @throws {@link ShapeError} when `bytes` is too short for `count` elements
 * @example
 * ```ts
 * unpackSubByte(new Uint8Array([0xf1]), 'int4', 2); // Int8Array [1, -1]
 * ```
 */
export function unpackSubByte(bytes: Uint8Array, dtype: PackedDType, count: number): Int8Array | Uint8Array {
  const { bits, perByte, mask, signed } = packedInfo(dtype);
  if (bytes.length * perByte < count) {
    throw new ShapeError(`${bytes.length} packed bytes hold at most ${bytes.length * perByte} ${dtype} elements, asked for ${count}`);
  }
  const out = signed ? new Int8Array(count) : new Uint8Array(count);
  const shift = 32 - bits;
  for (let i = 0; i < count; i++) {
    const raw = (bytes[(i / perByte) | 0] >>> ((i % perByte) * bits)) & mask;
    out[i] = signed ? (raw << shift) >> shift : raw;
  }
  return out;
}

/**
 * Reads one element of packed data.
 *
 * @param bytes - packed bytes
 * @param dtype - int4, uint4, int2 or uint2
 * @param index - element index
 * @returns the element's value
 * @example
 * ```ts
 * readPacked(new Uint8Array([0xf1]), 'int4', 1); // -1
 * ```
 */
export function readPacked(bytes: Uint8Array, dtype: PackedDType, index: number): number {
  const { bits, perByte, mask, signed } = packedInfo(dtype);
  const raw = (bytes[(index / perByte) | 0] >>> ((index % perByte) * bits)) & mask;
  return signed ? (raw << (32 - bits)) >> (32 - bits) : raw;
}

/**
 * Writes one element of packed data in place.
 *
 * @param bytes - packed bytes
 * @param dtype - int4, uint4, int2 or uint2
 * @param index - element index
 * @param value - an integer inside the dtype's range
 * @throws {@link ValueError} when the value is out of range
 * @example
 * ```ts
 * writePacked(bytes, 'uint2', 3, 2);
 * ```
 */
export function writePacked(bytes: Uint8Array, dtype: PackedDType, index: number, value: number): void {
  const { bits, perByte, mask, min, max } = packedInfo(dtype);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ValueError(`value ${value} is not an integer in [${min}, ${max}] of ${dtype}`);
  }
  const byte = (index / perByte) | 0;
  const shift = (index % perByte) * bits;
  bytes[byte] = (bytes[byte] & ~(mask << shift)) | ((value & mask) << shift);
}
