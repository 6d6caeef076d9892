// Conversions between protobuf int64 values (protobufjs `Long`s, or numbers/bigints in hand-built messages) and JS
// numbers/bigints, with the range checks that untrusted input needs.
import { OnnxError } from '../onnx-error';
import type { Int64Like } from './proto-messages';

const TWO_32 = 4294967296;

function isLongLike(v: unknown): v is { low: number; high: number; unsigned?: boolean } {
  return typeof v === 'object' && v !== null && typeof (v as { low?: unknown }).low === 'number' && typeof (v as { high?: unknown }).high === 'number';
}

/**
 * An int64 as the nearest double (values beyond 2^53 lose precision, e.g. INT64_MAX becomes 2^63).
 *
 * @param v - the decoded value
 * @param what - the field, for the error message
 * @returns the number
 * @throws {@link OnnxError} when the value is not an integer
 */
export function int64ToNumber(v: Int64Like | undefined, what: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new OnnxError(`${what} must be an integer, got ${v}`);
    return v;
  }
  if (typeof v === 'bigint') return Number(v);
  if (isLongLike(v)) {
    const high = v.unsigned ? v.high >>> 0 : v.high | 0;
    return high * TWO_32 + (v.low >>> 0);
  }
  throw new OnnxError(`${what} must be an int64, got ${typeof v}`);
}

/**
 * An int64 that must be exactly representable as a JS number (|v| ≤ 2^53 − 1).
 *
 * @param v - the decoded value
 * @param what - the field, for the error message
 * @returns the number
 * @throws {@link OnnxError} when it is out of the safe range
 */
export function int64ToSafeInteger(v: Int64Like | undefined, what: string): number {
  const n = int64ToNumber(v, what);
  if (!Number.isSafeInteger(n)) throw new OnnxError(`${what} = ${int64ToBigInt(v, what)} is beyond 2^53 - 1`);
  return n;
}

/**
 * An int64 as an exact bigint.
 *
 * @param v - the decoded value
 * @param what - the field, for the error message
 * @returns the bigint
 */
export function int64ToBigInt(v: Int64Like | undefined, what: string): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'bigint') return BigInt.asIntN(64, v);
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new OnnxError(`${what} must be an integer, got ${v}`);
    return BigInt.asIntN(64, BigInt(v));
  }
  if (isLongLike(v)) return BigInt.asIntN(64, (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0));
  throw new OnnxError(`${what} must be an int64, got ${typeof v}`);
}

/** The `{ low, high }` bit halves protobufjs's writer accepts for an int64 field. */
export interface Int64Bits {
  low: number;
  high: number;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Encodes a number or bigint as int64 bits; numbers beyond the int64 range saturate (so the INT64_MAX sentinel,
 * which decodes to 2^63, encodes back to INT64_MAX).
 *
 * @param v - an integer
 * @param what - the field, for the error message
 * @returns the bit halves
 * @throws {@link OnnxError} when the value is not an integer
 */
export function toInt64Bits(v: number | bigint, what: string): Int64Bits {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else {
    if (!Number.isInteger(v)) throw new OnnxError(`${what} must be an integer, got ${v}`);
    b = BigInt(v);
  }
  if (b < INT64_MIN) b = INT64_MIN;
  if (b > INT64_MAX) b = INT64_MAX;
  const u = BigInt.asUintN(64, b);
  return { low: Number(u & 0xffffffffn) | 0, high: Number(u >> 32n) | 0 };
}
