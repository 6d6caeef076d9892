import { DTypeError, float16BitsToFloat32, type Tensor } from '@qint/tensor';
import { ObserverError } from './observer-error';

let halfTable: Float32Array | undefined;

/**
 * The values of a float32 or float16 tensor as a Float32Array: float32 storage is used as is; float16 is decoded
 * through a 65536-entry table (one array per call, nothing per element).
 *
 * @param x - the tensor
 * @param who - the observer name, for error messages
 * @returns the values
 * @throws {@link DTypeError} for a dtype other than float32/float16
 * @throws {@link ObserverError} for an empty tensor
 */
export function tensorValues(x: Tensor, who: string): Float32Array {
  if (x === null || typeof x !== 'object' || !('dtype' in x)) {
    throw new ObserverError(`${who}.observe: x must be a Tensor, got ${x === null ? 'null' : typeof x}`);
  }
  if (x.size === 0) throw new ObserverError(`${who}.observe: x is empty (shape [${x.shape.join(',')}]); there is nothing to observe`);
  if (x.dtype === 'float32') return x.data as Float32Array;
  if (x.dtype === 'float16') {
    const table = (halfTable ??= buildHalfTable());
    const bits = x.data as Uint16Array;
    const out = new Float32Array(bits.length);
    for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]];
    return out;
  }
  throw new DTypeError(`${who}.observe: x must be float32 or float16, got ${x.dtype}`);
}

function buildHalfTable(): Float32Array {
  const t = new Float32Array(65536);
  for (let i = 0; i < 65536; i++) t[i] = float16BitsToFloat32(i);
  return t;
}

/** Shared result slots of {@link scanMinMax} and {@link scanMinMaxWithInfinity}: [min, max]. Reused so that a scan allocates nothing. */
export const scanResult = new Float64Array(2);

/**
 * Min and max of `data[start:end]` ignoring NaN and ±Infinity, written to {@link scanResult}
 * (`+Infinity`/`-Infinity` when no finite value was seen). Used by the histogram observers, which drop ±Infinity.
 *
 * @param data - values
 * @param start - first index
 * @param end - one past the last index
 */
export function scanMinMax(data: Float32Array, start: number, end: number): void {
  // Infinities are rare: the first pass keeps them, and only when one turned up is the slice scanned again without.
  scanMinMaxWithInfinity(data, start, end);
  if (scanResult[0] === -Infinity || scanResult[1] === Infinity) {
    let mn = Infinity;
    let mx = -Infinity;
    for (let i = start; i < end; i++) {
      const v = data[i];
      if (v === Infinity || v === -Infinity) continue;
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    scanResult[0] = mn;
    scanResult[1] = mx;
  }
}

/**
 * Min and max of `data[start:end]` ignoring NaN but keeping ±Infinity (what PyTorch's min/max observers record),
 * written to {@link scanResult}. `+Infinity`/`-Infinity` when every value was NaN; a slice of only `+Infinity` gives
 * `[+Infinity, +Infinity]` (and of only `-Infinity` `[-Infinity, -Infinity]`), so min > max means "nothing seen".
 *
 * @param data - values
 * @param start - first index
 * @param end - one past the last index
 */
export function scanMinMaxWithInfinity(data: Float32Array, start: number, end: number): void {
  let mn = Infinity;
  let mx = -Infinity;
  // NaN fails both comparisons, so it is skipped for free.
  for (let i = start; i < end; i++) {
    const v = data[i];
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  }
  scanResult[0] = mn;
  scanResult[1] = mx;
}

/** Encodes a float for JSON (non-finite values become strings). */
export function encodeFloat(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

/** Decodes {@link encodeFloat}'s output. */
export function decodeFloat(v: unknown, what: string): number {
  if (typeof v === 'number') return v;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (v === 'NaN') return NaN;
  throw new ObserverError(`observerFromJSON: ${what} must be a number or 'Infinity'/'-Infinity', got ${JSON.stringify(v)}`);
}

/** Decodes an array of {@link encodeFloat} values into a Float32Array. */
export function decodeFloatArray(v: unknown, what: string): Float32Array {
  if (!Array.isArray(v)) throw new ObserverError(`observerFromJSON: ${what} must be an array, got ${typeof v}`);
  return Float32Array.from(v, (e, i) => decodeFloat(e, `${what}[${i}]`));
}
