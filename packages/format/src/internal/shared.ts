import { FormatError } from '../format-error';

/** Written into every header's `producer` field. */
export const PRODUCER = Object.freeze({ name: '@qint/format', version: '0.1.0' });

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Tensor data is little-endian and viewed in place, which only matches the host's typed arrays on little-endian hosts. */
export function assertLittleEndian(): void {
  if (!LITTLE_ENDIAN) {
    throw new FormatError('BAD_ARGUMENT', '.qint tensor data is little-endian and this host is big-endian, which @qint/format does not support', {
      field: 'host',
      offset: -1,
    });
  }
}

// JSON has no NaN, infinities or negative zero; attribute numbers must survive bit-exactly, so those four are strings.
const SPECIAL = new Map<string, number>([
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['-0', -0],
]);

/** A number as JSON: itself, or 'NaN' / 'Infinity' / '-Infinity' / '-0'. */
export function encodeNumber(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (Object.is(v, -0)) return '-0';
  return v;
}

/** The inverse of {@link encodeNumber}; undefined when `v` is neither a number nor one of the four strings. */
export function decodeNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return SPECIAL.get(v);
  return undefined;
}

/** Top-level header keys that this version defines; anything else is an extension, kept on re-save. */
export const KNOWN_TOP_LEVEL: ReadonlySet<string> = new Set(['producer', 'model', 'graph', 'tensors', 'metadata']);

/** Sets an own enumerable property, even for keys like `__proto__` (where `o[key] = v` would set the prototype). */
export function defineOwn<T>(o: Record<string, T>, key: string, value: T | undefined): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}
