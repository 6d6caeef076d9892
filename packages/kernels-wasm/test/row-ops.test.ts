// The transformer primitives, all bit-identical with the JS backend: softmaxF32, geluErfF32, layerNormF32 (the JS
// backend replays the float32 SIMD lanes of assembly/elementwise.ts; their accuracy against float64 references is
// tested in @qint/kernels' src/row-ops.test.ts), matMulIntegerBatched and dynamicMatMulF32 (exact integer products).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryF32, createJsBackend, dynamicAttentionF32, dynamicMatMulF32, gemmF32Batched, dynamicQuantizeLinear, geluErfF32, stridedCopyF32, layerNormF32, matMulIntegerBatched, softmaxF32 } from '@qint/kernels';
import { Tensor } from '@qint/tensor';
import { createWasmBackend, type WasmKernelBackend } from '../src/index';
import { bytes, floats } from './seeded';

const js = createJsBackend();
let wasm: WasmKernelBackend;
beforeAll(async () => {
  wasm = await createWasmBackend();
});
afterAll(() => wasm.dispose());

const PARAMS = { seed: 20261125, numRuns: 60 };

/**
 * Float32 inputs for the row ops: `plain` (uniform, ± spread / 2), `specials` (plain with NaN, ±Infinity, ±0, ±max,
 * subnormals, the exp/erf clamp edges sprinkled in), `arbitrary` (fast-check's float32 values, which include NaN,
 * ±Infinity, −0 and the extremes).
 */
const SPECIALS = [
  NaN, Infinity, -Infinity, 0, -0, 3.4028234663852886e38, -3.4028234663852886e38, 1.401298464324817e-45, -1.401298464324817e-45,
  1.1754943508222875e-38, -87.3365478515625, 87.3365478515625, 88.3762626647949, -88.3762626647949, 88.72283935546875, -103.97208,
  4, -4, 5.656854249492381, -5.656854249492381, 0.5, -0.5, 1e-30,
];

function inputs(len: number, seed: number, spread: number, kind: string, pool: Float32Array): Float32Array {
  const x = floats(len, seed, spread);
  if (kind === 'specials') {
    // About one value in six replaced, at seeded positions.
    for (let i = 0, s = seed >>> 0; i < len; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      if ((s >>> 16) % 6 === 0) x[i] = SPECIALS[(s >>> 8) % SPECIALS.length];
    }
  } else if (kind === 'arbitrary' && pool.length > 0) {
    for (let i = 0; i < len; i++) x[i] = pool[i % pool.length];
  }
  return x;
}

/**
 * Bit-identity of two float32 arrays: the same 32 bits in every element, except that any NaN equals any NaN (WASM
 * leaves the sign and payload of a NaN result unspecified, so only "is NaN" is portable).
 */
function expectSameBits(a: Float32Array, b: Float32Array, label: (i: number) => string): void {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    if (ua[i] !== ub[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) {
      expect.fail(`${label(i)}: wasm ${a[i]} (0x${ua[i].toString(16)}) vs js ${b[i]} (0x${ub[i].toString(16)})`);
    }
  }
}

const KINDS = ['plain', 'plain', 'specials', 'arbitrary'] as const;
const POOL = fc.float32Array({ minLength: 1, maxLength: 40 });

describe('softmaxF32', () => {
  it('is bit-identical with the JS backend (odd and non-multiple-of-4 rows, NaN/±Infinity/−0, extremes, in place)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 70 }), fc.integer(), fc.constantFrom(1, 20, 200), fc.constantFrom(...KINDS), POOL, fc.boolean(),
        (rows, dim, seed, spread, kind, pool, inPlace) => {
          const x = inputs(rows * dim, seed, spread, kind, pool);
          const a = new Float32Array(x.length);
          softmaxF32({ rows, dim, x, out: a }, { backend: wasm });
          // In place on the JS side (out aliases x): every value must be read before it is replaced.
          const b = inPlace ? x.slice() : new Float32Array(x.length);
          softmaxF32({ rows, dim, x: inPlace ? b : x, out: b }, { backend: js });
          expectSameBits(a, b, (i) => `row ${Math.floor(i / dim)} of ${rows}×${dim} (${kind}), element ${i % dim}, x = ${x[i]}`);
        },
      ),
      { seed: 20261126, numRuns: 200 },
    );
  });

  it('is bit-identical on hand-picked rows: all −∞, +∞ among finite values, ±0, ±max, subnormals, underflowing exps', () => {
    const rows = [
      [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity],
      [Infinity, 1, 2, 3, 4, 5, 6],
      [-0, 0, -0, 0, -0],
      [3.4028234663852886e38, -3.4028234663852886e38, 0, 1, 2],
      [1.401298464324817e-45, -1.401298464324817e-45, 0, -0, 1e-40, 2, 3, 4, 5],
      [0, -80, -87, -87.3365478515625, -88, -100, -103, -150, 0.5],
      [88.3762626647949, 0, -1, 89, 1e30, 7, 7, 7],
      [-1e30, 1, 1, 1],
      [NaN, 1, 2, 3, 4],
      [1, 2, 3, 4, NaN],
    ];
    for (const row of rows) {
      const x = Float32Array.from(row);
      const a = new Float32Array(x.length);
      const b = new Float32Array(x.length);
      softmaxF32({ rows: 1, dim: x.length, x, out: a }, { backend: wasm });
      softmaxF32({ rows: 1, dim: x.length, x, out: b }, { backend: js });
      expectSameBits(a, b, (i) => `row [${row.join(', ')}], element ${i}`);
    }
  });

  it('gives hand-checked values and propagates NaN', () => {
    const out = new Float32Array(6);
    softmaxF32({ rows: 2, dim: 3, x: new Float32Array([0, Math.log(2), Math.log(5), 1, NaN, 2]), out }, { backend: wasm });
    expect(out[0]).toBeCloseTo(1 / 8, 6);
    expect(out[1]).toBeCloseTo(2 / 8, 6);
    expect(out[2]).toBeCloseTo(5 / 8, 6);
    expect(Number.isNaN(out[4])).toBe(true);
  });
});

describe('geluErfF32', () => {
  it('is bit-identical with the JS backend (odd lengths, NaN/±Infinity/−0, beyond the ±4 clamp, other constants)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300 }), fc.integer(), fc.constantFrom(2, 8, 30), fc.constantFrom(...KINDS), POOL,
        fc.constantFrom([Math.SQRT2, 1, 0.5], [1.4142135, 1, 0.5], [2, 0.5, 1], [0.7, -1, 3]),
        (n, seed, spread, kind, pool, [divisor, addend, scale]) => {
          const x = inputs(n, seed, spread, kind, pool);
          const a = new Float32Array(n);
          const b = new Float32Array(n);
          geluErfF32({ x, divisor, addend, scale, out: a }, { backend: wasm });
          geluErfF32({ x, divisor, addend, scale, out: b }, { backend: js });
          expectSameBits(a, b, (i) => `x = ${x[i]} (${kind}; ${divisor}, ${addend}, ${scale})`);
        },
      ),
      { seed: 20261126, numRuns: 200 },
    );
  });

  it('gives Gelu(1) = 0.841344746 and Gelu(−1) = −0.158655254 (hand-checked: x·Φ(x))', () => {
    const out = new Float32Array(5);
    geluErfF32({ x: new Float32Array([1, -1, 0, 10, -10]), divisor: Math.SQRT2, addend: 1, scale: 0.5, out }, { backend: wasm });
    expect(out[0]).toBeCloseTo(0.841344746, 6);
    expect(out[1]).toBeCloseTo(-0.158655254, 6);
    expect(out[2]).toBe(0);
    expect(out[3]).toBe(10);
    expect(Math.abs(out[4])).toBe(0);
  });
});

describe('layerNormF32', () => {
  it('is bit-identical with the JS backend (scale/bias per element or broadcast, with and without bias, specials, ε)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 70 }), fc.integer(), fc.boolean(), fc.constantFrom(0, 1, 2), fc.constantFrom(1, 100, 1e6),
        fc.constantFrom(...KINDS), POOL, fc.constantFrom(1e-5, 1e-12, 0, 0.25), fc.boolean(),
        (rows, dim, seed, fullScale, biasKind, spread, kind, pool, epsilon, inPlace) => {
          const x = inputs(rows * dim, seed, spread, kind, pool);
          const scale = floats(fullScale ? dim : 1, seed + 1, 4);
          const bias = biasKind === 0 ? undefined : floats(biasKind === 1 ? 1 : dim, seed + 2, 4);
          const a = new Float32Array(x.length);
          const args = { rows, dim, scale, ...(bias ? { bias } : {}), epsilon };
          layerNormF32({ ...args, x, out: a }, { backend: wasm });
          const b = inPlace ? x.slice() : new Float32Array(x.length);
          layerNormF32({ ...args, x: inPlace ? b : x, out: b }, { backend: js });
          expectSameBits(a, b, (i) => `row ${Math.floor(i / dim)} of ${rows}×${dim} (${kind}, ε ${epsilon}), element ${i % dim}, x = ${x[i]}`);
        },
      ),
      { seed: 20261126, numRuns: 200 },
    );
  });

  it('is bit-identical on hand-picked rows: constant, ±0, huge, a NaN, ±Infinity, subnormals', () => {
    const rows = [[5, 5, 5, 5, 5], [-0, 0, -0, 0, 0, -0], [3e38, -3e38, 3e38, 1, 2], [1, 2, NaN, 4, 5, 6, 7], [Infinity, 1, 2, 3], [1e-45, 2e-45, 0, -1e-45, 3e-45]];
    for (const row of rows) {
      const x = Float32Array.from(row);
      const a = new Float32Array(x.length);
      const b = new Float32Array(x.length);
      for (const epsilon of [0, 1e-5]) {
        layerNormF32({ rows: 1, dim: x.length, x, scale: new Float32Array([1.5]), bias: new Float32Array([-0.25]), epsilon, out: a }, { backend: wasm });
        layerNormF32({ rows: 1, dim: x.length, x, scale: new Float32Array([1.5]), bias: new Float32Array([-0.25]), epsilon, out: b }, { backend: js });
        expectSameBits(a, b, (i) => `row [${row.join(', ')}], ε ${epsilon}, element ${i}`);
      }
    }
  });
});

describe('matMulIntegerBatched', () => {
  it('is bit-identical with the JS backend (uint8/int8, odd m/n/k, zero points)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 40 }), fc.boolean(), fc.integer(),
        (batch, m, n, k, signedB, seed) => {
          const a = bytes(batch * m * k, seed);
          const braw = bytes(batch * k * n, seed + 7);
          const b = signedB ? new Int8Array(braw.buffer) : braw;
          const aZeroPoint = (seed >>> 3) & 255;
          const bZeroPoint = signedB ? ((seed >>> 11) & 255) - 128 : (seed >>> 11) & 255;
          const o1 = new Int32Array(batch * m * n);
          const o2 = new Int32Array(batch * m * n).fill(7);
          matMulIntegerBatched({ batch, m, n, k, a, b, aZeroPoint, bZeroPoint, out: o1 }, { backend: wasm });
          matMulIntegerBatched({ batch, m, n, k, a, b, aZeroPoint, bZeroPoint, out: o2 }, { backend: js });
          expect(o1).toEqual(o2);
        },
      ),
      PARAMS,
    );
  });
});

describe('dynamicMatMulF32', () => {
  it('is bit-identical with the JS backend, including NaN/±Infinity, all-zero operands and exact ties', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 40 }),
        fc.constantFrom('plain', 'special', 'zeros', 'zerosA', 'ties'), fc.integer(),
        (batch, m, n, k, kind, seed) => {
          const a = floats(batch * m * k, seed, 8);
          const b = floats(batch * k * n, seed + 3, 3);
          if (kind === 'special' && a.length > 3) {
            a[0] = NaN;
            a[1] = Infinity;
            a[a.length - 1] = -Infinity;
          }
          if (kind === 'zeros') b.fill(0);
          if (kind === 'zerosA') a.fill(0); // a zero scale: a quantizes to all zeros
          // Values on the quantization grid's half steps: x / scale lands on k + 0.5.
          if (kind === 'ties') for (let i = 0; i < a.length; i++) a[i] = ((i % 11) - 5) * 0.5;
          const o1 = new Float32Array(batch * m * n);
          const o2 = new Float32Array(batch * m * n).fill(7);
          // Every other case divides the result (attention's / √d), like the fused graph node.
          const divisor = (seed & 1) === 0 ? {} : { divisor: Math.sqrt(1 + (seed >>> 1) % 64) };
          dynamicMatMulF32({ batch, m, n, k, a, b, out: o1, ...divisor }, { backend: wasm });
          dynamicMatMulF32({ batch, m, n, k, a, b, out: o2, ...divisor }, { backend: js });
          expect(o1).toEqual(o2);
        },
      ),
      PARAMS,
    );
  });

  it('quantizes exactly as DynamicQuantizeLinear (one head, compared with the ONNX op and an integer product by hand)', () => {
    const a = new Float32Array([-1, 0.5, 2, 0.25, -0.75, 1.5]); // [2, 3]
    const b = new Float32Array([1, -2, 0.5, 3, -1, 0]); // [3, 2]
    const out = new Float32Array(4);
    dynamicMatMulF32({ batch: 1, m: 2, n: 2, k: 3, a, b, out }, { backend: wasm });
    const [aq, sa, za] = dynamicQuantizeLinear(Tensor.from('float32', [6], a)).map((t) => t.values());
    const [bq, sb, zb] = dynamicQuantizeLinear(Tensor.from('float32', [6], b)).map((t) => t.values());
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) {
        let acc = 0;
        for (let p = 0; p < 3; p++) acc += (aq[i * 3 + p] - za[0]) * (bq[p * 2 + j] - zb[0]);
        expect(out[i * 2 + j]).toBe(Math.fround(Math.fround(acc) * Math.fround(sa[0] * sb[0])));
      }
    }
  });
});

describe('stridedCopyF32', () => {
  it('copies transposed and sliced views (negative and zero strides too) exactly like the JS backend', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 0, maxLength: 5 }), fc.integer(), (shape, seed) => {
        // A view of a larger buffer: each dim gets a stride from a random permutation of a row-major layout, sometimes
        // reversed (negative) or broadcast (0), with the offset that keeps every index inside.
        const rank = shape.length;
        const order = shape.map((_, i) => i).sort((p, q) => ((p * 7919 + seed) % 13) - ((q * 7919 + seed) % 13));
        const strides = new Array<number>(rank).fill(0);
        let span = 1;
        for (const d of order.reverse()) {
          strides[d] = span;
          span *= shape[d] + 1;
        }
        let offset = 0;
        shape.forEach((n, d) => {
          const kind = (seed >>> (d * 2)) & 3;
          if (kind === 1) {
            offset += (Math.max(n, 1) - 1) * strides[d];
            strides[d] = -strides[d];
          } else if (kind === 2) strides[d] = 0;
        });
        const src = floats(span + 1, seed, 10);
        const size = shape.reduce((p, n) => p * n, 1);
        const a = new Float32Array(size);
        const b = new Float32Array(size).fill(7);
        stridedCopyF32({ src, shape, strides, offset, out: a }, { backend: wasm });
        stridedCopyF32({ src, shape, strides, offset, out: b }, { backend: js });
        expect(a).toEqual(b);
      }),
      { seed: 20261125, numRuns: 300 },
    );
  });

  it('refuses a view that reads outside src', () => {
    expect(() => stridedCopyF32({ src: new Float32Array(6), shape: [2, 3], strides: [3, 1], offset: 1, out: new Float32Array(6) }, { backend: wasm })).toThrow(/outside src/);
  });
});

describe('binaryF32', () => {
  it('equals float32 arithmetic element by element (same length, scalar and repeating blocks on either side)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('add', 'sub', 'mul', 'div'), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 13 }), fc.constantFrom('same', 'a-rep', 'b-rep'), fc.integer(),
        (op, reps, block, kind, seed) => {
          const n = reps * block;
          const a = floats(kind === 'a-rep' ? block : n, seed, 10);
          const b = floats(kind === 'b-rep' ? block : n, seed + 1, 10);
          if (b.length > 2) b[1] = 0; // a division by zero somewhere
          const out = new Float32Array(n);
          binaryF32({ op, a, b, out }, { backend: wasm });
          const f = { add: (x: number, y: number) => x + y, sub: (x: number, y: number) => x - y, mul: (x: number, y: number) => x * y, div: (x: number, y: number) => x / y }[op];
          const want = Float32Array.from({ length: n }, (_, i) => f(a[i % a.length], b[i % b.length]));
          expect(out).toEqual(want);
        },
      ),
      PARAMS,
    );
  });
});

describe('dynamicAttentionF32', () => {
  it('equals dynamicMatMulF32 → softmaxF32 → dynamicMatMulF32 on the same backend, and is bit-identical between WASM and JS', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 9 }), fc.constantFrom(4, 6), fc.integer(),
        (batch, m, k, n, dv, spread, seed) => {
          const q = floats(batch * m * k, seed, spread);
          const kT = floats(batch * k * n, seed + 1, spread);
          const v = floats(batch * n * dv, seed + 2, 4);
          const outs = [wasm, js].map((backend) => {
            const out = new Float32Array(batch * m * dv);
            dynamicAttentionF32({ batch, m, k, n, dv, q, kT, v, divisor: Math.SQRT2, out }, { backend });
            const s = new Float32Array(batch * m * n);
            dynamicMatMulF32({ batch, m, n, k, a: q, b: kT, divisor: Math.SQRT2, out: s }, { backend });
            softmaxF32({ rows: batch * m, dim: n, x: s, out: s }, { backend });
            const want = new Float32Array(batch * m * dv);
            dynamicMatMulF32({ batch, m, n: dv, k: n, a: s, b: v, out: want }, { backend });
            expect(out).toEqual(want);
            return out;
          });
          // Across backends (its softmax is softmaxF32 on each).
          expectSameBits(outs[0], outs[1], (i) => `output ${i} of batch ${batch}, m ${m}, k ${k}, n ${n}, dv ${dv}`);
        },
      ),
      PARAMS,
    );
  });
});

describe('gemmF32Batched', () => {
  it('equals one gemmF32 call per entry on the same backend, bit for bit, and a plain float64 product within tolerance (M = 1 GEMV and panel paths)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 }), fc.integer(), (batch, m, n, k, seed) => {
        const a = floats(batch * m * k, seed, 4);
        const b = floats(batch * k * n, seed + 1, 4);
        for (const backend of [wasm, js]) {
          const out = new Float32Array(batch * m * n);
          gemmF32Batched({ batch, m, n, k, a, b, out }, { backend });
          const want = new Float32Array(batch * m * n);
          for (let i = 0; i < batch; i++) {
            backend.gemmF32!({ m, n, k, a: a.subarray(i * m * k, (i + 1) * m * k), b: b.subarray(i * k * n, (i + 1) * k * n), transB: false, out: want.subarray(i * m * n, (i + 1) * m * n) });
          }
          expect(out).toEqual(want);
          // And against a plain float64 product (summation order differs: within 1e-5 of Σ|a·b|).
          for (let i = 0; i < batch; i++) {
            for (let r = 0; r < m; r++) {
              for (let c = 0; c < n; c++) {
                let acc = 0;
                let mag = 0;
                for (let p = 0; p < k; p++) {
                  const prod = a[(i * m + r) * k + p] * b[(i * k + p) * n + c];
                  acc += prod;
                  mag += Math.abs(prod);
                }
                const got = out[(i * m + r) * n + c];
                if (!(Math.abs(got - acc) <= 1e-5 * mag + 1e-6)) expect.fail(`${backend.name} entry ${i} (${r}, ${c}): ${got} vs ${acc}`);
              }
            }
          }
        }
      }),
      PARAMS,
    );
  });
});
