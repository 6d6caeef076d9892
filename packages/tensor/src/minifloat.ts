// Exact conversions between numbers and the small float formats of ONNX: bfloat16, the float8 family (e4m3fn,
// e4m3fnuz, e5m2, e5m2fnuz, e8m0) and float4e2m1. Written from the formats' definitions (ONNX's Cast, the OCP
// microscaling spec): decoding is exact through a table; encoding rounds to nearest, ties to even, on the format's
// grid, then applies its overflow rule.
import { DTypeError } from './dtype-error';

/** The small float dtypes stored as one code per element (float4e2m1: packed two per byte, low nibble first). */
export type MinifloatDType = 'float8e4m3fn' | 'float8e4m3fnuz' | 'float8e5m2' | 'float8e5m2fnuz' | 'float8e8m0' | 'float4e2m1';

/** Layout of a sign/exponent/mantissa minifloat (e8m0 is handled apart: it has no sign and no mantissa). */
interface Layout {
  readonly exponentBits: number;
  readonly mantissaBits: number;
  readonly bias: number;
  /** Largest finite value. */
  readonly max: number;
  /** IEEE-style infinities (all-ones exponent, zero mantissa) and NaNs (all-ones exponent, non-zero mantissa). */
  readonly ieee: boolean;
  /** The code of NaN for positive inputs (the sign bit is added for negative ones unless `unsignedZero`). */
  readonly nan: number;
  /** "uz" formats: no negative zero, the code 0x80 is the only NaN. */
  readonly unsignedZero: boolean;
  /** Codes whose exponent and mantissa bits are all ones are NaN (e4m3fn). */
  readonly allOnesNaN: boolean;
}

const LAYOUTS: Readonly<Record<Exclude<MinifloatDType, 'float8e8m0'>, Layout>> = Object.freeze({
  float8e4m3fn: { exponentBits: 4, mantissaBits: 3, bias: 7, max: 448, ieee: false, nan: 0x7f, unsignedZero: false, allOnesNaN: true },
  float8e4m3fnuz: { exponentBits: 4, mantissaBits: 3, bias: 8, max: 240, ieee: false, nan: 0x80, unsignedZero: true, allOnesNaN: false },
  float8e5m2: { exponentBits: 5, mantissaBits: 2, bias: 15, max: 57344, ieee: true, nan: 0x7e, unsignedZero: false, allOnesNaN: false },
  float8e5m2fnuz: { exponentBits: 5, mantissaBits: 2, bias: 16, max: 57344, ieee: false, nan: 0x80, unsignedZero: true, allOnesNaN: false },
  // No infinity and no NaN: every code is a number. A NaN input becomes the code 0x8 (what ONNX's reference writes).
  float4e2m1: { exponentBits: 2, mantissaBits: 1, bias: 1, max: 6, ieee: false, nan: 0x8, unsignedZero: false, allOnesNaN: false },
});

const MINIFLOAT_DTYPES: ReadonlySet<string> = new Set(['float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz', 'float8e8m0', 'float4e2m1']);

/**
 * Whether a dtype is one of the small float formats stored as codes.
 *
 * @param dtype - a dtype name
 * @returns true for the float8 formats and float4e2m1
 * @example
 * ```ts
 * isMinifloatDType('float8e5m2'); // true
 * ```
 */
export function isMinifloatDType(dtype: string): dtype is MinifloatDType {
  return MINIFLOAT_DTYPES.has(dtype);
}

/**
 * The largest finite value of a small float format.
 *
 * @param dtype - a minifloat dtype
 * @returns e.g. 448 for float8e4m3fn, 6 for float4e2m1, 2^127 for float8e8m0
 * @example
 * ```ts
 * minifloatMax('float8e4m3fnuz'); // 240
 * ```
 */
export function minifloatMax(dtype: MinifloatDType): number {
  return dtype === 'float8e8m0' ? 2 ** 127 : layoutOf(dtype).max;
}

function layoutOf(dtype: MinifloatDType): Layout {
  const l = (LAYOUTS as Record<string, Layout | undefined>)[dtype];
  if (!l) throw new DTypeError(`${String(dtype)} is not a sign/exponent/mantissa minifloat`);
  return l;
}

const tables = new Map<MinifloatDType, Float32Array>();

/**
 * The value of every code of a format: 256 entries for float8, 16 for float4e2m1 (NaN codes hold NaN).
 *
 * @param dtype - a minifloat dtype
 * @returns a shared, read-only-by-convention table indexed by code
 * @example
 * ```ts
 * minifloatTable('float8e4m3fn')[0x7e]; // 448
 * ```
 */
export function minifloatTable(dtype: MinifloatDType): Float32Array {
  let t = tables.get(dtype);
  if (t) return t;
  if (dtype === 'float8e8m0') {
    t = new Float32Array(256);
    for (let c = 0; c < 256; c++) t[c] = c === 0xff ? NaN : 2 ** (c - 127);
  } else {
    const l = layoutOf(dtype);
    const bits = 1 + l.exponentBits + l.mantissaBits;
    const count = 1 << bits;
    const expMax = (1 << l.exponentBits) - 1;
    const mantMask = (1 << l.mantissaBits) - 1;
    t = new Float32Array(count);
    for (let c = 0; c < count; c++) {
      const negative = (c >> (bits - 1)) & 1;
      const e = (c >> l.mantissaBits) & expMax;
      const m = c & mantMask;
      let v: number;
      if (l.unsignedZero && c === 1 << (bits - 1)) v = NaN;
      else if (l.allOnesNaN && e === expMax && m === mantMask) v = NaN;
      else if (l.ieee && e === expMax) v = m === 0 ? Infinity : NaN;
      else if (e === 0) v = m * 2 ** (1 - l.bias - l.mantissaBits);
      else v = (2 ** l.mantissaBits + m) * 2 ** (e - l.bias - l.mantissaBits);
      t[c] = negative ? -v : v;
    }
  }
  tables.set(dtype, t);
  return t;
}

/** ⌊log2 a⌋ exactly, for a positive finite number. */
function floorLog2(a: number): number {
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return e;
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** How {@link encodeMinifloat} rounds to float8e8m0 (ONNX Cast's `round_mode`). */
export type E8M0RoundMode = 'up' | 'down' | 'nearest';

/**
 * Converts a number to the code of the nearest value of a small float format (ties to even), with ONNX Cast's
 * overflow rule: `saturate` (the default) clamps finite and infinite values beyond the range to ±max; otherwise they
 * become infinity (float8e5m2) or NaN (formats without infinity). float4e2m1 always saturates. NaN stays NaN.
 * float8e8m0 (a power of two, no sign) rounds by `roundMode`: `up` (default) to the next power of two, `down` to the
 * previous one, `nearest` to the nearer one (ties up).
 *
 * @param dtype - the target format
 * @param value - any number (float32, float16 and float64 values alike)
 * @param saturate - clamp out-of-range values (default true)
 * @param roundMode - rounding for float8e8m0 only
 * @returns the code (0–255, or 0–15 for float4e2m1)
 * @example
 * ```ts
 * encodeMinifloat('float8e4m3fn', 1e6); // 0x7e (448)
 * encodeMinifloat('float8e4m3fn', 1e6, false); // 0x7f (NaN)
 * ```
 */
export function encodeMinifloat(dtype: MinifloatDType, value: number, saturate = true, roundMode: E8M0RoundMode = 'up'): number {
  if (dtype === 'float8e8m0') return encodeE8M0(value, saturate, roundMode);
  const l = layoutOf(dtype);
  const bits = 1 + l.exponentBits + l.mantissaBits;
  const signBit = 1 << (bits - 1);
  const negative = value < 0 || Object.is(value, -0);
  const sign = negative ? signBit : 0;
  if (Number.isNaN(value)) return l.unsignedZero ? l.nan : l.nan | sign;
  const expMax = (1 << l.exponentBits) - 1;
  const maxCode = encodeFinite(l, l.max);
  const overflow = (): number => {
    if (saturate || dtype === 'float4e2m1') return maxCode | sign;
    if (l.ieee) return (expMax << l.mantissaBits) | sign;
    return l.unsignedZero ? l.nan : l.nan | sign;
  };
  const a = Math.abs(value);
  if (a === Infinity) return overflow();
  if (a === 0) return l.unsignedZero ? 0 : sign;
  const emin = 1 - l.bias;
  const e = Math.max(floorLog2(a), emin);
  const quantum = 2 ** (e - l.mantissaBits);
  const rounded = roundHalfEven(a / quantum) * quantum;
  if (rounded > l.max) return overflow();
  if (rounded === 0) return l.unsignedZero ? 0 : sign;
  return encodeFinite(l, rounded) | sign;
}

/** The code of a non-negative value that lies exactly on the format's grid. */
function encodeFinite(l: Layout, v: number): number {
  const emin = 1 - l.bias;
  if (v < 2 ** emin) return v / 2 ** (emin - l.mantissaBits);
  const e = floorLog2(v);
  const mantissa = v / 2 ** (e - l.mantissaBits) - 2 ** l.mantissaBits;
  return ((e + l.bias) << l.mantissaBits) | mantissa;
}

function encodeE8M0(value: number, saturate: boolean, roundMode: E8M0RoundMode): number {
  if (Number.isNaN(value)) return 0xff;
  const a = Math.abs(value);
  if (a === Infinity) return saturate ? 0xfe : 0xff;
  // The smallest code is 2^-127: zero and anything below rounds to it (there is no zero).
  if (a <= 2 ** -127) return 0;
  const e = floorLog2(a);
  const low = 2 ** e;
  let exponent = e;
  if (a !== low) {
    if (roundMode === 'up') exponent = e + 1;
    else if (roundMode === 'nearest' && a >= low * 1.5) exponent = e + 1;
  }
  const code = exponent + 127;
  if (code > 0xfe) return saturate ? 0xfe : 0xff;
  return Math.max(code, 0);
}

/**
 * The value of a code of a small float format (exact).
 *
 * @param dtype - the format
 * @param code - the code (0–255, or 0–15 for float4e2m1)
 * @returns the value (NaN for NaN codes, ±Infinity for float8e5m2's infinities)
 * @example
 * ```ts
 * decodeMinifloat('float4e2m1', 0x7); // 6
 * ```
 */
export function decodeMinifloat(dtype: MinifloatDType, code: number): number {
  return minifloatTable(dtype)[code];
}

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/**
 * Converts a number to the bits of the nearest bfloat16 (first rounded to float32, then to nearest, ties to even).
 * NaN becomes the quiet NaN 0x7fc0 (sign kept).
 *
 * @param value - any number
 * @returns the 16-bit pattern
 * @example
 * ```ts
 * float32ToBfloat16Bits(1); // 0x3f80
 * ```
 */
export function float32ToBfloat16Bits(value: number): number {
  scratchF32[0] = value;
  const bits = scratchU32[0];
  if (Number.isNaN(scratchF32[0])) return ((bits >>> 16) & 0x8000) | 0x7fc0;
  // Overflow past the largest finite value carries into the exponent and gives infinity, as IEEE rounding does.
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/**
 * Converts bfloat16 bits to the number they represent (exact).
 *
 * @param bits - a 16-bit pattern
 * @returns the value
 * @example
 * ```ts
 * bfloat16BitsToFloat32(0x3f80); // 1
 * ```
 */
export function bfloat16BitsToFloat32(bits: number): number {
  scratchU32[0] = (bits & 0xffff) << 16;
  return scratchF32[0];
}
