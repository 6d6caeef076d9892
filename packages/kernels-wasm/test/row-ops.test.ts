// The transformer primitives: softmaxF32, geluErfF32, layerNormF32 (float32 polynomials and float32 statistics, so
// compared with the JS backend within stated tolerances), matMulIntegerBatched and dynamicMatMulF32 (exact:
// bit-identical with JS).
// Tolerances (also in the README): softmax |Δ| ≤ 2e-6·p + 1e-9; Gelu |Δ| ≤ 1e-6·(1 + |x|); LayerNorm |Δ| ≤ 1e-5·(1 + |y|).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryF32, createJsBackend, dynamicAttentionF32, dynamicMatMulF32, gemmF32Batched, dynamicQuantizeLinear, geluErfF32, stridedCopyF32, layerNormF32, matMulIntegerBatched, softmaxF32 } from '@qint/kernels';
import { Tensor } from '@qint/tensor';
import { createWasmBackend, type WasmKernelBackend } from '../src/index';

const js = createJsBackend();
let wasm: WasmKernelBackend;
beforeAll(async () => {
  wasm = await createWasmBackend();
});
afterAll(() => wasm.dispose());

function floats(len: number, seed: number, spread: number): Float32Array {
  let s = seed | 0 || 1;
  return Float32Array.from({ length: len }, () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) / 4294967296 - 0.5) * spread;
  });
}

function bytes(len: number, seed: number): Uint8Array {
  let s = seed | 0 || 1;
  return Uint8Array.from({ length: len }, () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s & 255;
  });
}

const PARAMS = { seed: 20261125, numRuns: 60 };

describe('softmaxF32', () => {
  it('matches the JS backend within 2e-6 relative (odd row lengths exercise the scalar tail)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 70 }), fc.integer(), fc.constantFrom(1, 20, 200), (rows, dim, seed, spread) => {
        const x = floats(rows * dim, seed, spread);
        const a = new Float32Array(x.length);
        const b = new Float32Array(x.length);
        softmaxF32({ rows, dim, x, out: a }, { backend: wasm });
        softmaxF32({ rows, dim, x, out: b }, { backend: js });
        for (let i = 0; i < x.length; i++) {
          if (!(Math.abs(a[i] - b[i]) <= 2e-6 * b[i] + 1e-9)) expect.fail(`element ${i}: wasm ${a[i]} vs js ${b[i]}`);
        }
      }),
      PARAMS,
    );
  });

  it('gives hand-checked values and propagates NaN like the JS backend', () => {
    const out = new Float32Array(6);
    softmaxF32({ rows: 2, dim: 3, x: new Float32Array([0, Math.log(2), Math.log(5), 1, NaN, 2]), out }, { backend: wasm });
    expect(out[0]).toBeCloseTo(1 / 8, 6);
    expect(out[1]).toBeCloseTo(2 / 8, 6);
    expect(out[2]).toBeCloseTo(5 / 8, 6);
    expect(Number.isNaN(out[4])).toBe(true);
  });
});

describe('geluErfF32', () => {
  it('matches the JS backend (float64 erf) within 1e-6·(1 + |x|), over the whole useful range and beyond ±4·√2', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer(), fc.constantFrom(2, 8, 30), (n, seed, spread) => {
        const x = floats(n, seed, spread);
        const a = new Float32Array(n);
        const b = new Float32Array(n);
        geluErfF32({ x, divisor: Math.SQRT2, addend: 1, scale: 0.5, out: a }, { backend: wasm });
        geluErfF32({ x, divisor: Math.SQRT2, addend: 1, scale: 0.5, out: b }, { backend: js });
        for (let i = 0; i < n; i++) {
          if (!(Math.abs(a[i] - b[i]) <= 1e-6 * (1 + Math.abs(x[i])))) expect.fail(`x = ${x[i]}: wasm ${a[i]} vs js ${b[i]}`);
        }
      }),
      PARAMS,
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
  it('matches the JS backend within 1e-5·(1 + |y|) (scale/bias per element or broadcast, with and without bias)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 70 }), fc.integer(), fc.boolean(), fc.constantFrom(0, 1, 2), fc.constantFrom(1, 100),
        (rows, dim, seed, fullScale, biasKind, spread) => {
          const x = floats(rows * dim, seed, spread);
          const scale = floats(fullScale ? dim : 1, seed + 1, 4);
          const bias = biasKind === 0 ? undefined : floats(biasKind === 1 ? 1 : dim, seed + 2, 4);
          const a = new Float32Array(x.length);
          const b = new Float32Array(x.length);
          const args = { rows, dim, x, scale, ...(bias ? { bias } : {}), epsilon: 1e-5 };
          layerNormF32({ ...args, out: a }, { backend: wasm });
          layerNormF32({ ...args, out: b }, { backend: js });
          for (let i = 0; i < x.length; i++) {
            if (!(Math.abs(a[i] - b[i]) <= 1e-5 * (1 + Math.abs(b[i])))) expect.fail(`element ${i}: wasm ${a[i]} vs js ${b[i]}`);
          }
        },
      ),
      PARAMS,
    );
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
        fc.constantFrom('plain', 'special', 'zeros', 'ties'), fc.integer(),
        (batch, m, n, k, kind, seed) => {
          const a = floats(batch * m * k, seed, 8);
          const b = floats(batch * k * n, seed + 3, 3);
          if (kind === 'special' && a.length > 3) {
            a[0] = NaN;
            a[1] = Infinity;
            a[a.length - 1] = -Infinity;
          }
          if (kind === 'zeros') b.fill(0);
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
  it('equals dynamicMatMulF32 → softmaxF32 → dynamicMatMulF32 on the same backend, bit for bit (WASM and JS)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer(), (batch, m, k, n, dv, seed) => {
        const q = floats(batch * m * k, seed, 4);
        const kT = floats(batch * k * n, seed + 1, 4);
        const v = floats(batch * n * dv, seed + 2, 4);
        for (const backend of [wasm, js]) {
          const out = new Float32Array(batch * m * dv);
          dynamicAttentionF32({ batch, m, k, n, dv, q, kT, v, divisor: Math.SQRT2, out }, { backend });
          const s = new Float32Array(batch * m * n);
          dynamicMatMulF32({ batch, m, n, k, a: q, b: kT, divisor: Math.SQRT2, out: s }, { backend });
          softmaxF32({ rows: batch * m, dim: n, x: s, out: s }, { backend });
          const want = new Float32Array(batch * m * dv);
          dynamicMatMulF32({ batch, m, n: dv, k: n, a: s, b: v, out: want }, { backend });
          expect(out).toEqual(want);
        }
      }),
      PARAMS,
    );
  });
});

describe('gemmF32Batched', () => {
  it('equals one gemmF32 call per entry on the same backend, bit for bit (M = 1 GEMV and panel paths)', () => {
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
        }
      }),
      PARAMS,
    );
  });
});
