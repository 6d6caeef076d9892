import { ShapeError, Tensor } from '@qint/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { erf } from './erf';
import { dynamicQuantizeLinear } from './dynamic-quantize-linear';
import { createJsBackend } from './js-backend';
import { matMulInteger } from './mat-mul-integer';
import { binaryF32, dynamicAttentionF32, dynamicMatMulF32, gemmF32Batched, geluErfF32, layerNormF32, matMulIntegerBatched, softmaxF32, stridedCopyF32 } from './row-ops';

const js = { backend: createJsBackend() };

// The JS row ops replay the WASM backend's float32 kernels bit for bit (test/row-ops.test.ts of @qint/kernels-wasm);
// here their accuracy is checked against independent float64 references (Math.exp, the float64 erf of ./erf,
// two-pass float64 statistics) within the tolerances stated in the README.
function floats(len: number, seed: number, spread: number): Float32Array {
  let s = seed | 0 || 1;
  return Float32Array.from({ length: len }, () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) / 4294967296 - 0.5) * spread;
  });
}

const PARAMS = { seed: 20261126, numRuns: 100 };

describe('row ops (JS backend) against float64 references', () => {
  it('softmaxF32: |Δ| ≤ 2e-6·p + 1e-9 against exp(x − max) / Σ in float64', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 300 }), fc.integer(), fc.constantFrom(1, 20, 200), (rows, dim, seed, spread) => {
        const x = floats(rows * dim, seed, spread);
        const out = new Float32Array(x.length);
        softmaxF32({ rows, dim, x, out }, js);
        for (let r = 0; r < rows; r++) {
          const row = Array.from(x.subarray(r * dim, (r + 1) * dim));
          const mx = Math.max(...row);
          const e = row.map((v) => Math.exp(v - mx));
          const sum = e.reduce((p, q) => p + q, 0);
          for (let k = 0; k < dim; k++) {
            const p = e[k] / sum;
            const got = out[r * dim + k];
            if (!(Math.abs(got - p) <= 2e-6 * p + 1e-9)) expect.fail(`row ${r}, element ${k} (x = ${row[k]}, max ${mx}): ${got} vs ${p}`);
          }
        }
      }),
      PARAMS,
    );
  });

  it('geluErfF32: |Δ| ≤ 1e-6·(1 + |x|) against x·Φ(x) = ½·x·(1 + erf(x/√2)) in float64', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer(), fc.constantFrom(2, 8, 30), (n, seed, spread) => {
        const x = floats(n, seed, spread);
        const out = new Float32Array(n);
        geluErfF32({ x, divisor: Math.SQRT2, addend: 1, scale: 0.5, out }, js);
        for (let i = 0; i < n; i++) {
          const want = 0.5 * x[i] * (1 + erf(x[i] / Math.SQRT2));
          if (!(Math.abs(out[i] - want) <= 1e-6 * (1 + Math.abs(x[i])))) expect.fail(`x = ${x[i]}: ${out[i]} vs ${want}`);
        }
      }),
      PARAMS,
    );
  });

  it('layerNormF32: |Δ| ≤ 1e-5·(1 + |y|) against two-pass float64 statistics (scale/bias per element or broadcast)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 300 }), fc.integer(), fc.boolean(), fc.constantFrom(0, 1, 2), fc.constantFrom(1, 100), fc.constantFrom(1e-5, 0.25),
        (rows, dim, seed, fullScale, biasKind, spread, epsilon) => {
          const x = floats(rows * dim, seed, spread);
          const scale = floats(fullScale ? dim : 1, seed + 1, 4);
          const bias = biasKind === 0 ? undefined : floats(biasKind === 1 ? 1 : dim, seed + 2, 4);
          const out = new Float32Array(x.length);
          layerNormF32({ rows, dim, x, scale, ...(bias ? { bias } : {}), epsilon, out }, js);
          for (let r = 0; r < rows; r++) {
            const row = Array.from(x.subarray(r * dim, (r + 1) * dim));
            const mean = row.reduce((p, q) => p + q, 0) / dim;
            const variance = row.reduce((p, q) => p + (q - mean) ** 2, 0) / dim;
            const inv = 1 / Math.sqrt(variance + Math.fround(epsilon));
            for (let j = 0; j < dim; j++) {
              const y = (row[j] - mean) * inv * scale[fullScale ? j : 0] + (bias ? bias[biasKind === 1 ? 0 : j] : 0);
              const got = out[r * dim + j];
              if (!(Math.abs(got - y) <= 1e-5 * (1 + Math.abs(y)))) expect.fail(`row ${r}, element ${j}: ${got} vs ${y}`);
            }
          }
        },
      ),
      PARAMS,
    );
  });
});

describe('softmaxF32 (JS backend)', () => {
  it('gives hand-checked rows: [0, ln 2, ln 5] → [1/8, 2/8, 5/8]; a constant row is uniform', () => {
    const out = new Float32Array(6);
    softmaxF32({ rows: 2, dim: 3, x: new Float32Array([0, Math.log(2), Math.log(5), 7, 7, 7]), out }, js);
    [1 / 8, 2 / 8, 5 / 8].forEach((p, i) => expect(out[i]).toBeCloseTo(p, 6));
    expect(Array.from(out.subarray(3))).toEqual([1 / 3, 1 / 3, 1 / 3].map(Math.fround));
  });

  it('rejects sizes that do not fit the arrays', () => {
    expect(() => softmaxF32({ rows: 2, dim: 3, x: new Float32Array(5), out: new Float32Array(6) }, js)).toThrow(ShapeError);
  });
});

describe('geluErfF32 (JS backend)', () => {
  it('is x·Φ(x) for divisor √2, addend 1, scale ½ (Φ(1) = 0.841344746, hand-checked), each step rounded to float32', () => {
    const x = new Float32Array([1, -1, 0, 3]);
    const out = new Float32Array(4);
    geluErfF32({ x, divisor: Math.SQRT2, addend: 1, scale: 0.5, out }, js);
    expect(out[0]).toBeCloseTo(0.841344746, 7);
    expect(out[1]).toBeCloseTo(-0.158655254, 7);
    expect(out[2]).toBe(0);
    // Φ(3) = 0.998650102 (hand-checked table value)
    expect(out[3]).toBeCloseTo(3 * 0.998650102, 6);
  });
});

describe('layerNormF32 (JS backend)', () => {
  it('normalizes [1, 3] to [−1, 1] (ε = 0), then applies scale and bias', () => {
    const out = new Float32Array(4);
    layerNormF32({ rows: 2, dim: 2, x: new Float32Array([1, 3, 5, 5]), scale: new Float32Array([2, 3]), bias: new Float32Array([1]), epsilon: 0.25, out }, js);
    // Row 1: mean 2, var 1 → inv 1/sqrt(1.25); row 2: var 0 → inv 2, centred values 0.
    expect(out[0]).toBeCloseTo(-2 / Math.sqrt(1.25) + 1, 6);
    expect(out[1]).toBeCloseTo(3 / Math.sqrt(1.25) + 1, 6);
    expect(Array.from(out.subarray(2))).toEqual([1, 1]);
  });

  it('rejects a scale of the wrong length', () => {
    expect(() => layerNormF32({ rows: 1, dim: 3, x: new Float32Array(3), scale: new Float32Array(2), epsilon: 0, out: new Float32Array(3) }, js)).toThrow(/scale holds 2/);
  });
});

describe('matMulIntegerBatched (JS backend)', () => {
  it('equals matMulInteger on each batch entry (per-tensor zero points, int8 B)', () => {
    const a = Uint8Array.from({ length: 3 * 4 * 5 }, (_, i) => (i * 37) % 256);
    const b = Int8Array.from({ length: 3 * 5 * 2 }, (_, i) => ((i * 53) % 256) - 128);
    const out = new Int32Array(3 * 4 * 2);
    matMulIntegerBatched({ batch: 3, m: 4, n: 2, k: 5, a, b, aZeroPoint: 100, bZeroPoint: -3, out }, js);
    const ref = matMulInteger(Tensor.from('uint8', [3, 4, 5], a), Tensor.from('int8', [3, 5, 2], b), Tensor.scalar('uint8', 100), Tensor.scalar('int8', -3), js);
    expect(out).toEqual(ref.data);
    // Independent plain reference (matMulInteger runs the same JS kernel): Σ_k (a − 100)(b + 3) per batch entry.
    const plain = new Int32Array(out.length);
    for (let t = 0; t < 3; t++) {
      for (let i = 0; i < 4; i++) {
        for (let j = 0; j < 2; j++) {
          let acc = 0;
          for (let p = 0; p < 5; p++) acc += (a[t * 20 + i * 5 + p] - 100) * (b[t * 10 + p * 2 + j] + 3);
          plain[t * 8 + i * 2 + j] = acc;
        }
      }
    }
    expect(out).toEqual(plain);
  });

  it('checks sizes and the int32 bound on K', () => {
    expect(() => matMulIntegerBatched({ batch: 2, m: 1, n: 1, k: 2, a: new Uint8Array(3), b: new Uint8Array(4), aZeroPoint: 0, bZeroPoint: 0, out: new Int32Array(2) }, js)).toThrow(ShapeError);
    const big = 40000;
    expect(() => matMulIntegerBatched({ batch: 1, m: 1, n: 1, k: big, a: new Uint8Array(big), b: new Uint8Array(big), aZeroPoint: 0, bZeroPoint: 0, out: new Int32Array(1) }, js)).toThrow(/overflow/);
  });
});

describe('gemmF32Batched (JS backend)', () => {
  it('multiplies each batch entry (hand-checked) and zero-fills for k = 0', () => {
    const out = new Float32Array(2 * 2 * 2);
    // [[1, 2], [3, 4]] · [[1, 0], [0, 1]] and [[1, 1], [0, 2]] · [[2, 3], [4, 5]]
    gemmF32Batched({ batch: 2, m: 2, n: 2, k: 2, a: new Float32Array([1, 2, 3, 4, 1, 1, 0, 2]), b: new Float32Array([1, 0, 0, 1, 2, 3, 4, 5]), out }, js);
    expect(Array.from(out)).toEqual([1, 2, 3, 4, 6, 8, 8, 10]);
    const empty = new Float32Array(3).fill(7);
    gemmF32Batched({ batch: 3, m: 1, n: 1, k: 0, a: new Float32Array(0), b: new Float32Array(0), out: empty }, js);
    expect(Array.from(empty)).toEqual([0, 0, 0]);
    expect(() => gemmF32Batched({ batch: 2, m: 1, n: 1, k: 2, a: new Float32Array(3), b: new Float32Array(4), out: new Float32Array(2) }, js)).toThrow(ShapeError);
  });
});

describe('dynamicMatMulF32 (JS backend)', () => {
  it('equals DynamicQuantizeLinear ×2 → MatMulInteger → Cast → Mul(sa·sb), bit for bit', () => {
    const a = Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.sin(i) * 3);
    const b = Float32Array.from({ length: 2 * 4 * 5 }, (_, i) => Math.cos(i * 1.3));
    const out = new Float32Array(2 * 3 * 5);
    dynamicMatMulF32({ batch: 2, m: 3, n: 5, k: 4, a, b, out }, js);
    const [aq, sa, za] = dynamicQuantizeLinear(Tensor.from('float32', [2, 3, 4], a));
    const [bq, sb, zb] = dynamicQuantizeLinear(Tensor.from('float32', [2, 4, 5], b));
    const acc = matMulInteger(aq, bq, za, zb, js).data as Int32Array;
    const scale = Math.fround((sa.data as Float32Array)[0] * (sb.data as Float32Array)[0]);
    expect(Array.from(out)).toEqual(Array.from(acc, (v) => Math.fround(Math.fround(v) * scale)));
    // With a divisor: f32(f32(f32(acc) · scale) / f32(divisor)).
    dynamicMatMulF32({ batch: 2, m: 3, n: 5, k: 4, a, b, divisor: Math.sqrt(8), out }, js);
    const d = Math.fround(Math.sqrt(8));
    expect(Array.from(out)).toEqual(Array.from(acc, (v) => Math.fround(Math.fround(Math.fround(v) * scale) / d)));
  });

  it('gives NaN everywhere when either operand holds NaN or ±Infinity (both are quantized per tensor)', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const a = new Float32Array([1, 2, 3, 4]);
      const b = new Float32Array([1, 2, 3, 4]);
      const out = new Float32Array(4);
      a[1] = bad;
      dynamicMatMulF32({ batch: 1, m: 2, n: 2, k: 2, a, b, out }, js);
      expect(Array.from(out)).toEqual([NaN, NaN, NaN, NaN]);
      a[1] = 2;
      b[3] = bad;
      dynamicMatMulF32({ batch: 1, m: 2, n: 2, k: 2, a, b, out }, js);
      expect(Array.from(out)).toEqual([NaN, NaN, NaN, NaN]);
    }
  });

  it('gives zeros for an all-zero operand', () => {
    const out = new Float32Array(4).fill(9);
    dynamicMatMulF32({ batch: 1, m: 2, n: 2, k: 2, a: new Float32Array(4), b: new Float32Array([1, 2, 3, 4]), out }, js);
    expect(Array.from(out)).toEqual([0, 0, 0, 0]);
  });
});

describe('dynamicAttentionF32 (JS backend)', () => {
  it('weights v by the softmax of the scaled scores (hand-checked through the quantizations)', () => {
    // q·kT = [0, 2·ln 3] (every operand hits 0 or 255 exactly), / 2 → [0, ln 3] → softmax [¼, ¾] → uint8 [85, 255] at
    // scale ¾/255; v = [0, 4] → [0, 255] at scale 4/255. out = 255·255 · (¾/255) · (4/255) = 3, up to float32 scale
    // rounding (no softmax would give 4·ln 3 ≈ 4.39; no divisor 3.6).
    const out = new Float32Array(1);
    const kT = new Float32Array([0, 2 * Math.log(3)]);
    dynamicAttentionF32({ batch: 1, m: 1, k: 1, n: 2, dv: 1, q: new Float32Array([1]), kT, v: new Float32Array([0, 4]), divisor: 2, out }, js);
    expect(out[0]).toBeCloseTo(3, 5);
    expect(() => dynamicAttentionF32({ batch: 1, m: 1, k: 1, n: 2, dv: 1, q: new Float32Array([1]), kT: new Float32Array([1]), v: new Float32Array(2), out }, js)).toThrow(ShapeError);
  });
});

describe('stridedCopyF32 (JS backend)', () => {
  it('transposes a [2, 3] matrix and reverses a row (hand-checked)', () => {
    const src = new Float32Array([1, 2, 3, 4, 5, 6]);
    const t = new Float32Array(6);
    stridedCopyF32({ src, shape: [3, 2], strides: [1, 3], offset: 0, out: t }, js);
    expect(Array.from(t)).toEqual([1, 4, 2, 5, 3, 6]);
    const r = new Float32Array(3);
    stridedCopyF32({ src, shape: [1, 3], strides: [3, -1], offset: 5, out: r }, js);
    expect(Array.from(r)).toEqual([6, 5, 4]);
  });

  it('checks out size and bounds', () => {
    expect(() => stridedCopyF32({ src: new Float32Array(6), shape: [2, 3], strides: [3, 1], offset: 0, out: new Float32Array(5) }, js)).toThrow(/out holds 5/);
    expect(() => stridedCopyF32({ src: new Float32Array(6), shape: [3], strides: [-1], offset: 1, out: new Float32Array(3) }, js)).toThrow(/outside src/);
  });
});

describe('binaryF32 (JS backend)', () => {
  it('repeats the shorter operand (hand-checked) and rejects lengths that do not divide', () => {
    const out = new Float32Array(4);
    binaryF32({ op: 'sub', a: new Float32Array([10]), b: new Float32Array([1, 2, 3, 4]), out }, js);
    expect(Array.from(out)).toEqual([9, 8, 7, 6]);
    binaryF32({ op: 'div', a: new Float32Array([1, 2, 3, 4]), b: new Float32Array([1, 2]), out }, js);
    expect(Array.from(out)).toEqual([1, 1, 3, 2]);
    expect(() => binaryF32({ op: 'add', a: new Float32Array(4), b: new Float32Array(3), out }, js)).toThrow(ShapeError);
  });
});
