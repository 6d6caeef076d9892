import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bfloat16BitsToFloat32,
  decodeMinifloat,
  encodeMinifloat,
  float32ToBfloat16Bits,
  minifloatTable,
  type MinifloatDType,
} from './minifloat';
import { Tensor } from './tensor';

// The formats written out as ONNX's Cast documentation and the OCP MX spec define them: sign bit, exponent bits with
// a bias, mantissa bits; subnormals at exponent 0; which codes are NaN or infinity.
interface Spec {
  e: number;
  m: number;
  bias: number;
  max: number;
  kind: 'fn' | 'fnuz' | 'ieee' | 'none';
}
const SPECS: Record<Exclude<MinifloatDType, 'float8e8m0'>, Spec> = {
  float8e4m3fn: { e: 4, m: 3, bias: 7, max: 448, kind: 'fn' },
  float8e4m3fnuz: { e: 4, m: 3, bias: 8, max: 240, kind: 'fnuz' },
  float8e5m2: { e: 5, m: 2, bias: 15, max: 57344, kind: 'ieee' },
  float8e5m2fnuz: { e: 5, m: 2, bias: 16, max: 57344, kind: 'fnuz' },
  float4e2m1: { e: 2, m: 1, bias: 1, max: 6, kind: 'none' },
};
const FORMATS = Object.keys(SPECS) as (keyof typeof SPECS)[];

/** The value of a code, straight from the definition. */
function referenceValue(s: Spec, code: number): number {
  const bits = 1 + s.e + s.m;
  const sign = code >> (bits - 1) ? -1 : 1;
  const exp = (code >> s.m) & ((1 << s.e) - 1);
  const man = code & ((1 << s.m) - 1);
  if (s.kind === 'fnuz' && code === 1 << (bits - 1)) return NaN;
  if (s.kind === 'fn' && exp === (1 << s.e) - 1 && man === (1 << s.m) - 1) return NaN;
  if (s.kind === 'ieee' && exp === (1 << s.e) - 1) return man === 0 ? sign * Infinity : NaN;
  if (exp === 0) return sign * (man / 2 ** s.m) * 2 ** (1 - s.bias);
  return sign * (1 + man / 2 ** s.m) * 2 ** (exp - s.bias);
}

/**
 * The code nearest to `x` by exhaustive search over the finite codes (ties to the even code), with the overflow rule:
 * a value that rounds past max (a virtual code after max, of the next parity) saturates or becomes inf/NaN.
 */
function referenceEncode(s: Spec, x: number, saturate: boolean): number {
  const bits = 1 + s.e + s.m;
  const signBit = 1 << (bits - 1);
  const nan = s.kind === 'fnuz' ? 0x80 : s.kind === 'ieee' ? 0x7e : s.kind === 'fn' ? 0x7f : 0x8;
  if (Number.isNaN(x)) return s.kind === 'fnuz' || s.kind === 'none' ? nan : nan | (x < 0 ? signBit : 0);
  const negative = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  const positives: number[] = [];
  for (let c = 0; c < signBit; c++) if (Number.isFinite(referenceValue(s, c))) positives.push(c);
  const maxCode = positives.reduce((p, c) => (referenceValue(s, c) > referenceValue(s, p) ? c : p));
  const ulpAtMax = 2 ** (Math.floor(Math.log2(s.max)) - s.m);
  let best = -1;
  let bestValue = 0;
  const consider = (code: number, value: number): void => {
    if (best < 0) {
      best = code;
      bestValue = value;
      return;
    }
    const d = Math.abs(value - a);
    const db = Math.abs(bestValue - a);
    if (d < db || (d === db && code % 2 === 0)) {
      best = code;
      bestValue = value;
    }
  };
  for (const c of positives) consider(c, referenceValue(s, c));
  consider(maxCode + 1, s.max + ulpAtMax);
  const sign = negative && !(s.kind === 'fnuz' && best === 0) ? signBit : 0;
  // Far beyond max the distances above are equal in double precision: such values overflow by any rounding.
  if (a === Infinity || a > 4 * s.max || best === maxCode + 1) {
    if (saturate || s.kind === 'none') return maxCode | (negative ? signBit : 0);
    if (s.kind === 'ieee') return 0x7c | (negative ? signBit : 0);
    return s.kind === 'fnuz' ? nan : nan | (negative ? signBit : 0);
  }
  return best | sign;
}

describe('minifloat decoding', () => {
  for (const f of FORMATS) {
    it(`${f}: every code has the value the format defines`, () => {
      const table = minifloatTable(f);
      for (let c = 0; c < table.length; c++) {
        const want = referenceValue(SPECS[f], c);
        if (Number.isNaN(want)) expect(Number.isNaN(table[c]), `code ${c}`).toBe(true);
        else expect(Object.is(table[c], want) || table[c] === want, `code ${c}: ${table[c]} vs ${want}`).toBe(true);
      }
    });
  }

  it('has the anchor values of the spec tables', () => {
    expect(decodeMinifloat('float8e4m3fn', 0x7e)).toBe(448);
    expect(decodeMinifloat('float8e4m3fn', 0x01)).toBe(2 ** -9);
    expect(decodeMinifloat('float8e4m3fnuz', 0x7f)).toBe(240);
    expect(decodeMinifloat('float8e4m3fnuz', 0x01)).toBe(2 ** -10);
    expect(decodeMinifloat('float8e5m2', 0x7b)).toBe(57344);
    expect(decodeMinifloat('float8e5m2', 0xfc)).toBe(-Infinity);
    expect(decodeMinifloat('float8e5m2fnuz', 0x7f)).toBe(57344);
    expect(decodeMinifloat('float8e5m2fnuz', 0x01)).toBe(2 ** -17);
    expect(Array.from({ length: 8 }, (_, c) => decodeMinifloat('float4e2m1', c))).toEqual([0, 0.5, 1, 1.5, 2, 3, 4, 6]);
    expect(decodeMinifloat('float8e8m0', 127)).toBe(1);
    expect(decodeMinifloat('float8e8m0', 0)).toBe(2 ** -127);
    expect(decodeMinifloat('float8e8m0', 254)).toBe(2 ** 127);
    expect(Number.isNaN(decodeMinifloat('float8e8m0', 255))).toBe(true);
  });
});

describe('minifloat encoding', () => {
  for (const f of FORMATS) {
    const s = SPECS[f];
    it(`${f}: equals the exhaustive nearest-even search, saturating or not`, () => {
      const table = minifloatTable(f);
      const finite = Array.from(table).filter((v) => Number.isFinite(v) && v >= 0).sort((a, b) => a - b);
      // Every code value, every midpoint (ties), just beside each, and past the range.
      const probes: number[] = [Infinity, NaN, 0, -0, s.max * 1.0001, s.max * 4, 1e-30];
      for (let i = 0; i < finite.length; i++) {
        probes.push(finite[i]);
        if (i + 1 < finite.length) {
          const mid = (finite[i] + finite[i + 1]) / 2;
          probes.push(mid, mid * (1 + 2 ** -20), mid * (1 - 2 ** -20));
        }
      }
      const ulp = 2 ** (Math.floor(Math.log2(s.max)) - s.m);
      probes.push(s.max + ulp / 2, s.max + ulp / 2 - ulp / 64, s.max + ulp / 2 + ulp / 64);
      for (const p of probes) {
        for (const x of [p, -p]) {
          for (const saturate of [true, false]) {
            expect(encodeMinifloat(f, x, saturate), `${f} ${x} saturate=${saturate}`).toBe(referenceEncode(s, x, saturate));
          }
        }
      }
      fc.assert(
        fc.property(fc.float({ noDefaultInfinity: false }), fc.boolean(), (x, saturate) => encodeMinifloat(f, x, saturate) === referenceEncode(s, x, saturate)),
        { seed: 21, numRuns: 2000 },
      );
    });
  }

  it('float8e8m0 rounds up, down or to the nearer power of two (ONNX suite values for "up")', () => {
    const xs = [0, 0.1239, 0.25, 0.5, 1.1, 2, 4, 8];
    expect(xs.map((x) => encodeMinifloat('float8e8m0', Math.fround(x)))).toEqual([0x00, 0x7c, 0x7d, 0x7e, 0x80, 0x80, 0x81, 0x82]);
    expect(xs.map((x) => encodeMinifloat('float8e8m0', Math.fround(x), true, 'down'))).toEqual([0x00, 0x7b, 0x7d, 0x7e, 0x7f, 0x80, 0x81, 0x82]);
    expect([1.4, 1.5, 3, 2.9].map((x) => encodeMinifloat('float8e8m0', x, true, 'nearest'))).toEqual([0x7f, 0x80, 0x81, 0x80]);
    expect(encodeMinifloat('float8e8m0', Infinity)).toBe(0xfe);
    expect(encodeMinifloat('float8e8m0', Infinity, false)).toBe(0xff);
    expect(encodeMinifloat('float8e8m0', NaN)).toBe(0xff);
  });
});

describe('bfloat16', () => {
  it('rounds float32 to nearest even on the high half and decodes exactly', () => {
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (bits) => {
        u32[0] = bits;
        const x = f32[0];
        const got = float32ToBfloat16Bits(x);
        if (Number.isNaN(x)) return Number.isNaN(bfloat16BitsToFloat32(got));
        // Reference: the two bfloat16 neighbours of x (truncation and the next code), nearest wins, tie to even.
        const lo = bits >>> 16;
        const hi = (lo + 1) & 0xffff;
        const dl = Math.abs(bfloat16BitsToFloat32(lo) - x);
        const dh = Math.abs(bfloat16BitsToFloat32(hi) - x);
        const want = (bits & 0xffff) === 0 ? lo : dl < dh || (dl === dh && lo % 2 === 0) ? lo : hi;
        return got === want;
      }),
      { seed: 5, numRuns: 5000 },
    );
    expect(float32ToBfloat16Bits(1)).toBe(0x3f80);
    expect(float32ToBfloat16Bits(-2)).toBe(0xc000);
    expect(bfloat16BitsToFloat32(0x3f81)).toBe(1 + 2 ** -7);
  });
});

describe('tensors of the new dtypes', () => {
  it('store codes and read values, float4e2m1 packed low nibble first', () => {
    const t = Tensor.from('float4e2m1', [3], [0.25, -3.5, 9]);
    expect(Array.from(t.data)).toEqual([0xe0, 0x07]);
    expect(t.toArray()).toEqual([0, -4, 6]);
    expect(Tensor.from('float4e2m1', [2, 2], [0.25, -3.5, 9, 1]).transpose().toArray()).toEqual([0, 6, -4, 1]);
    expect(Tensor.from('float8e4m3fn', [2], [1e6, -0.3]).toArray()).toEqual([448, -0.3125]);
    expect(Tensor.from('float64', [1], [Math.PI]).get([0])).toBe(Math.PI);
    expect(Tensor.from('uint64', [1], [2n ** 64n - 1n]).data[0]).toBe(2n ** 64n - 1n);
    expect(() => Tensor.from('uint32', [1], [-1])).toThrow(/uint32/);
    expect(Tensor.from('bfloat16', [2], [1, 3.14159]).toArray()).toEqual([1, 3.140625]);
  });
});
