// IEEE-754 binary16 <-> binary32 conversion, round to nearest even, with subnormals, infinities and NaN.
// Written by hand: it is ~40 lines, allocation-free, and avoids a dependency on the hot path of float16 models.
const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/**
 * Converts a number to the bits of the nearest float16 (round to nearest, ties to even).
 * Values beyond ±65504 (after rounding) become ±Infinity; NaN stays NaN (quiet).
 *
 * @param value - any number (first rounded to float32, as a Float32Array would)
 * @returns the 16-bit pattern
 * @example
 * ```ts
 * float32ToFloat16Bits(1); // 0x3c00
 * ```
 */
export function float32ToFloat16Bits(value: number): number {
  scratchF32[0] = value;
  const bits = scratchU32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 | (mantissa >>> 13) : 0);
  const e = exponent - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // Result is subnormal (or zero): units of 2^-24, value = (1.m) * 2^(e-15).
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const tie = 1 << (shift - 1);
    if (rest > tie || (rest === tie && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent, up to Infinity.
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

/**
 * Converts float16 bits to the number they represent (exact).
 *
 * @param bits - a 16-bit pattern
 * @returns the value (subnormals, ±Infinity and NaN included)
 * @example
 * ```ts
 * float16BitsToFloat32(0x3c00); // 1
 * ```
 */
export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 5.960464477539063e-8; // 2^-24
  if (exponent === 31) return mantissa !== 0 ? NaN : sign * Infinity;
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}

/**
 * Converts an array of numbers to float16 bits.
 *
 * @param values - the values
 * @returns a new `Uint16Array` of half bits
 * @example
 * ```ts
 * float32ToFloat16Array(new Float32Array([0.5])); // Uint16Array [0x3800]
 * ```
 */
export function float32ToFloat16Array(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float32ToFloat16Bits(values[i]);
  return out;
}

/**
 * Converts float16 bits to float32 values.
 *
 * @param bits - half bits
 * @returns a new `Float32Array`
 * @example
 * ```ts
 * float16ToFloat32Array(new Uint16Array([0xc000])); // Float32Array [-2]
 * ```
 */
export function float16ToFloat32Array(bits: ArrayLike<number>): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = float16BitsToFloat32(bits[i]);
  return out;
}
