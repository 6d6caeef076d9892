// gemmF32 and convF32: float32 SIMD with a different summation order than the JS reference, so results are compared
// with a tolerance scaled by the magnitude of the products: |wasm − js| ≤ 1e-5 · Σ|a·b| + 1e-6 per output.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJsBackend } from '@qint/kernels';
import { createWasmBackend, type WasmKernelBackend } from '../src/index';
import { floats as seededFloats } from './seeded';

const js = createJsBackend();
let wasm: WasmKernelBackend;
beforeAll(async () => {
  wasm = await createWasmBackend();
});
afterAll(() => wasm.dispose());

/** Seeded float32 operands in ±2. */
function floats(len: number, seed: number): Float32Array {
  return seededFloats(len, seed, 4);
}

function expectClose(actual: Float32Array, expected: Float32Array, magnitude: Float32Array, what: string): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = 1e-5 * magnitude[i] + 1e-6;
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) expect.fail(`${what}: element ${i}: wasm ${actual[i]} vs js ${expected[i]} (tol ${tol})`);
  }
}

/** gemmF32 on seeded operands, WASM (on `b` packed once by packGemmWeights when `packed`) against JS within tolerance. */
function checkGemmF32(m: number, n: number, k: number, transB: boolean, withBias: boolean, seed: number, packed: boolean): void {
  const a = floats(m * k, seed);
  const b = floats(k * n, seed + 1);
  const bias = withBias ? floats(n, seed + 2) : undefined;
  const o1 = new Float32Array(m * n);
  const o2 = new Float32Array(m * n).fill(NaN);
  const pb = packed ? wasm.packGemmWeights({ k, n, b, transB }) : undefined;
  js.gemmF32({ m, n, k, a, b, transB, bias, out: o1 });
  wasm.gemmF32({ m, n, k, a, b, transB, bias, out: o2, ...(pb ? { packedB: pb } : {}) });
  if (pb) wasm.releaseGemmWeights(pb);
  const mag = new Float32Array(m * n);
  js.gemmF32({ m, n, k, a: a.map(Math.abs), b: b.map(Math.abs), transB, bias: bias?.map(Math.abs), out: mag });
  expectClose(o2, o1, mag, `${packed ? 'packed ' : ''}gemmF32 m=${m} n=${n} k=${k} transB=${transB}`);
}

describe('gemmF32', () => {
  it('matches JS within float tolerance (transB, bias, M = 1 and GEMM paths, odd sizes)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 11 }), fc.integer({ min: 0, max: 37 }), fc.integer({ min: 0, max: 70 }), fc.boolean(), fc.boolean(), fc.integer(),
        (m, n, k, transB, withBias, seed) => checkGemmF32(m, n, k, transB, withBias, seed, false),
      ),
      { seed: 5, numRuns: 200 },
    );
  });
});

describe('gemmF32 with weights packed once (packGemmWeights)', () => {
  it('matches JS within float tolerance for every M (including M = 1 on the packed panels), transB and bias', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 11 }), fc.integer({ min: 1, max: 37 }), fc.integer({ min: 1, max: 70 }), fc.boolean(), fc.boolean(), fc.integer(),
        (m, n, k, transB, withBias, seed) => checkGemmF32(m, n, k, transB, withBias, seed, true),
      ),
      { seed: 6, numRuns: 150 },
    );
  });
});

describe('gemmF32 streaming GEMV', () => {
  it('matches JS when b is larger than the caches (eight-row path, odd sizes)', () => {
    const k = 1031;
    const n = 2043;
    const a = floats(k, 11);
    const b = floats(k * n, 12);
    const bias = floats(n, 13);
    const o1 = new Float32Array(n);
    const o2 = new Float32Array(n);
    const mag = new Float32Array(n);
    js.gemmF32({ m: 1, n, k, a, b, transB: false, bias, out: o1 });
    wasm.gemmF32({ m: 1, n, k, a, b, transB: false, bias, out: o2 });
    js.gemmF32({ m: 1, n, k, a: a.map(Math.abs), b: b.map(Math.abs), transB: false, bias: bias.map(Math.abs), out: mag });
    expectClose(o2, o1, mag, 'gemv k=1031 n=2043');
  });
});

/** The convF32 epilogue as the contract states it: Relu as `v > 0 ? v : 0`, then `v·k + t` in float64, rounded once. */
function epilogue(out: Float32Array, batch: number, m: number, plane: number, relu: boolean, k?: Float64Array, t?: Float64Array): void {
  for (let i = 0; i < out.length; i++) {
    let v = out[i];
    if (relu) v = v <= 0 ? 0 : v; // −0 → +0; NaN stays NaN (IEEE, onnxruntime)
    const c = Math.floor(i / plane) % m;
    if (k && t) v = v * k[c] + t[c];
    out[i] = v;
  }
  expect(out.length).toBe(batch * m * plane);
}

describe('convF32', () => {
  it('matches JS within float tolerance for groups, depthwise, strides, dilations and padding', () => {
    fc.assert(
      fc.property(
        fc.record({
          batch: fc.integer({ min: 0, max: 2 }), group: fc.integer({ min: 1, max: 3 }), cg: fc.integer({ min: 1, max: 4 }),
          mg: fc.integer({ min: 1, max: 5 }), depthwise: fc.boolean(), h: fc.integer({ min: 1, max: 11 }), w: fc.integer({ min: 1, max: 13 }),
          kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }), sh: fc.integer({ min: 1, max: 2 }), sw: fc.integer({ min: 1, max: 2 }),
          dh: fc.integer({ min: 1, max: 2 }), dw: fc.integer({ min: 1, max: 2 }), pad: fc.nat(2), withBias: fc.boolean(), seed: fc.integer(),
        }),
        (p) => {
          const group = p.depthwise ? p.cg + 1 : p.group;
          const cg = p.depthwise ? 1 : p.cg;
          const C = group * cg;
          const M = group * p.mg;
          const oh = Math.floor((p.h + 2 * p.pad - ((p.kh - 1) * p.dh + 1)) / p.sh) + 1;
          const ow = Math.floor((p.w + 2 * p.pad - ((p.kw - 1) * p.dw + 1)) / p.sw) + 1;
          fc.pre(oh > 0 && ow > 0);
          const geom = {
            batch: p.batch, inChannels: C, inHeight: p.h, inWidth: p.w, outChannels: M, kernelHeight: p.kh, kernelWidth: p.kw, outHeight: oh,
            outWidth: ow, padTop: p.pad, padLeft: p.pad, strideHeight: p.sh, strideWidth: p.sw, dilationHeight: p.dh, dilationWidth: p.dw, group,
          };
          const x = floats(p.batch * C * p.h * p.w, p.seed);
          const w = floats(M * cg * p.kh * p.kw, p.seed + 3);
          const bias = p.withBias ? floats(M, p.seed + 4) : undefined;
          const o1 = new Float32Array(p.batch * M * oh * ow);
          const o2 = new Float32Array(o1.length).fill(NaN);
          const mag = new Float32Array(o1.length);
          js.convF32({ ...geom, x, w, bias, out: o1 });
          wasm.convF32({ ...geom, x, w, bias, out: o2 });
          js.convF32({ ...geom, x: x.map(Math.abs), w: w.map(Math.abs), bias: bias?.map(Math.abs), out: mag });
          expectClose(o2, o1, mag, `convF32 ${JSON.stringify(p)}`);
        },
      ),
      { seed: 8, numRuns: 200 },
    );
  });

  it('matches JS on single-input-channel first layers (direct kernel: 4-filter blocks, filter tails, row tails, stride 2)', () => {
    // MNIST-like 28×28 and odd sizes; 8 filters (two blocks), 6 (a block and a 2-filter tail), 3×3 pad 1 and 5×5 pad 2.
    for (const [H, W, M, k, st, batch] of [[28, 28, 8, 3, 1, 2], [28, 28, 6, 5, 1, 1], [13, 29, 7, 3, 2, 1], [9, 21, 5, 5, 2, 2], [7, 8, 4, 3, 3, 1]]) {
      const pad = k >> 1;
      const oh = Math.floor((H + 2 * pad - k) / st) + 1;
      const ow = Math.floor((W + 2 * pad - k) / st) + 1;
      const geom = {
        batch, inChannels: 1, inHeight: H, inWidth: W, outChannels: M, kernelHeight: k, kernelWidth: k, outHeight: oh,
        outWidth: ow, padTop: pad, padLeft: pad, strideHeight: st, strideWidth: st, dilationHeight: 1, dilationWidth: 1, group: 1,
      };
      const x = floats(batch * H * W, H + W);
      const w = floats(M * k * k, M);
      const bias = floats(M, 5);
      const o1 = new Float32Array(batch * M * oh * ow);
      const o2 = new Float32Array(o1.length).fill(NaN);
      const mag = new Float32Array(o1.length);
      js.convF32({ ...geom, x, w, bias, out: o1 });
      wasm.convF32({ ...geom, x, w, bias, out: o2 });
      js.convF32({ ...geom, x: x.map(Math.abs), w: w.map(Math.abs), bias: bias.map(Math.abs), out: mag });
      expectClose(o2, o1, mag, `single-channel conv ${H}×${W} M ${M} k ${k} stride ${st}`);
    }
  });

  it('applies the Relu / per-channel affine epilogue with the same bits as the JS backend (NaN, -0, odd plane sizes)', () => {
    for (const [C, M, H, W, group, st] of [[1, 6, 9, 11, 1, 1], [3, 5, 7, 7, 1, 2], [4, 4, 5, 6, 4, 1]]) {
      const oh = Math.floor((H + 2 - 3) / st) + 1;
      const ow = Math.floor((W + 2 - 3) / st) + 1;
      const geom = {
        batch: 2, inChannels: C, inHeight: H, inWidth: W, outChannels: M, kernelHeight: 3, kernelWidth: 3, outHeight: oh,
        outWidth: ow, padTop: 1, padLeft: 1, strideHeight: st, strideWidth: st, dilationHeight: 1, dilationWidth: 1, group,
      };
      const x = floats(2 * C * H * W, C * 7 + M);
      x[3] = NaN;
      const w = floats((M * C * 9) / group, 11);
      const bias = floats(M, 13);
      const postScale = Float64Array.from(floats(M, 17), (v) => v / 3);
      const postShift = Float64Array.from(floats(M, 19), (v) => v / 7);
      const plain = new Float32Array(2 * M * oh * ow);
      wasm.convF32({ ...geom, x, w, bias, out: plain });
      for (const [relu, affine] of [[true, false], [false, true], [true, true]]) {
        // The contract's epilogue applied to the WASM backend's own conv sums: the bits must then agree exactly.
        const expected = plain.slice();
        const post = affine ? { postScale, postShift } : {};
        epilogue(expected, 2, M, oh * ow, relu, affine ? postScale : undefined, affine ? postShift : undefined);
        const got = new Float32Array(plain.length).fill(7);
        wasm.convF32({ ...geom, x, w, bias, out: got, relu, ...post });
        expect(Array.from(new Uint32Array(got.buffer))).toEqual(Array.from(new Uint32Array(expected.buffer)));
      }
    }
  });

  it('pools the conv output in WASM with the bits of a MaxPool over the unpooled output (2×2/2, 3×3/3, 2×3/1, NaN)', () => {
    for (const [C, M, H, W, pool] of [[1, 8, 28, 28, [2, 2, 2, 2]], [8, 5, 14, 14, [3, 3, 3, 3]], [2, 3, 7, 13, [2, 3, 1, 2]], [3, 4, 9, 9, [2, 2, 2, 2]]] as const) {
      const geom = {
        batch: 2, inChannels: C, inHeight: H, inWidth: W, outChannels: M, kernelHeight: 3, kernelWidth: 3, outHeight: H,
        outWidth: W, padTop: 1, padLeft: 1, strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1, group: 1,
      };
      const x = floats(2 * C * H * W, H * 3 + M);
      x[5] = NaN;
      const w = floats(M * C * 9, 23);
      const full = new Float32Array(2 * M * H * W);
      wasm.convF32({ ...geom, x, w, out: full });
      const [kh, kw, sh, sw] = pool;
      const ph = Math.floor((H - kh) / sh) + 1;
      const pw = Math.floor((W - kw) / sw) + 1;
      // The MaxPool rule on the unpooled output: first tap, then strictly greater or NaN taps (NaN wins), row-major.
      const expected = new Float32Array(2 * M * ph * pw);
      let o = 0;
      for (let p = 0; p < 2 * M; p++) {
        for (let y = 0; y < ph; y++) {
          for (let xo = 0; xo < pw; xo++, o++) {
            let best = full[p * H * W + y * sh * W + xo * sw];
            for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
              const v = full[p * H * W + (y * sh + ky) * W + xo * sw + kx];
              if (v > best || v !== v) best = v;
            }
            expected[o] = best;
          }
        }
      }
      const got = new Float32Array(expected.length).fill(5);
      wasm.convF32({ ...geom, x, w, out: got, pool });
      expect(Array.from(new Uint32Array(got.buffer))).toEqual(Array.from(new Uint32Array(expected.buffer)));
    }
  });

  it('matches JS on depthwise 3×3 at MobileNet-like sizes (stride 1 and 2, multiplier 2, bias)', () => {
    for (const [st, mult] of [[1, 1], [2, 1], [1, 2], [2, 2]]) {
      const C = 8;
      const H = 31;
      const oh = Math.floor((H + 2 - 3) / st) + 1;
      const geom = {
        batch: 1, inChannels: C, inHeight: H, inWidth: H, outChannels: C * mult, kernelHeight: 3, kernelWidth: 3, outHeight: oh,
        outWidth: oh, padTop: 1, padLeft: 1, strideHeight: st, strideWidth: st, dilationHeight: 1, dilationWidth: 1, group: C,
      };
      const x = floats(C * H * H, st * 10 + mult);
      const w = floats(C * mult * 9, 3);
      const bias = floats(C * mult, 4);
      const o1 = new Float32Array(C * mult * oh * oh);
      const o2 = new Float32Array(o1.length);
      const mag = new Float32Array(o1.length);
      js.convF32({ ...geom, x, w, bias, out: o1 });
      wasm.convF32({ ...geom, x, w, bias, out: o2 });
      js.convF32({ ...geom, x: x.map(Math.abs), w: w.map(Math.abs), bias: bias.map(Math.abs), out: mag });
      expectClose(o2, o1, mag, `depthwise f32 stride ${st} multiplier ${mult}`);
    }
  });
});
