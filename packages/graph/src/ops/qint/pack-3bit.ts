import { ShapeError, ValueError } from '@qint/tensor';

/**
 * Packs signed 3-bit values (each in [−4, 3]) into a dense bit stream: value `i` occupies bits `3i … 3i+2` of the
 * stream, least significant bit first (byte 0 bit 0 is value 0's low bit), two's complement — 8 values per 3 bytes.
 * This is how `DynamicLinear` stores `bits = 3` weights, so a 3-bit model really holds 3 bits per weight.
 *
 * @param values - integers in [−4, 3]
 * @returns `ceil(3·n / 8)` bytes; unused high bits of the last byte are 0
 * @throws {@link ValueError} for a value that is not an integer in [−4, 3]
 * @example
 * ```ts
 * pack3Bit([1, -1, 3]); // Uint8Array [0xf9, 0x00] — 001 | 111 | 011 from the low bit
 * ```
 */
export function pack3Bit(values: ArrayLike<number>): Uint8Array {
  const n = values.length;
  const out = new Uint8Array(Math.ceil((3 * n) / 8));
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < -4 || v > 3) throw new ValueError(`pack3Bit: values[${i}] = ${v} is not an integer in [-4, 3]`);
    const bit = 3 * i;
    const byte = bit >> 3;
    const shift = bit & 7;
    const u = (v & 7) << shift;
    out[byte] |= u & 0xff;
    if (shift > 5) out[byte + 1] |= u >> 8;
  }
  return out;
}

/**
 * Unpacks a 3-bit stream written by {@link pack3Bit}, sign-extending each value.
 *
 * @param bytes - the stream
 * @param count - number of values to read
 * @returns `count` values in [−4, 3]
 * @throws {@link ShapeError} when `bytes` is shorter than `ceil(3·count / 8)`
 * @example
 * ```ts
 * unpack3Bit(new Uint8Array([0xf9, 0x00]), 3); // Int8Array [1, -1, 3]
 * ```
 */
export function unpack3Bit(bytes: Uint8Array, count: number): Int8Array {
  const need = Math.ceil((3 * count) / 8);
  if (!Number.isSafeInteger(count) || count < 0 || bytes.length < need) {
    throw new ShapeError(`unpack3Bit: ${count} values need ${need} bytes, got ${bytes.length}`);
  }
  const out = new Int8Array(count);
  for (let i = 0; i < count; i++) {
    const bit = 3 * i;
    const byte = bit >> 3;
    const shift = bit & 7;
    let u = bytes[byte] >> shift;
    if (shift > 5) u |= bytes[byte + 1] << (8 - shift);
    u &= 7;
    out[i] = u >= 4 ? u - 8 : u;
  }
  return out;
}
