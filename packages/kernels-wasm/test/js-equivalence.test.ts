// JS ≡ WASM: every integer output and every dynamicLinear float output of the WASM backend must be bit-identical to
// the reference JS backend of @qint/kernels, over random shapes (0, 1, odd, not multiples of 8/16, large K), extreme
// values, every zero-point combination and every weight bit width. fast-check with fixed seeds.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJsBackend, type ConvIntegerArgs, type LinearWeightsSpec, type WeightBits } from '@qint/kernels';
import { createWasmBackend, type WasmKernelBackend } from '../src/index';
import { rng } from './seeded';

const js = createJsBackend();
let wasm: WasmKernelBackend;
beforeAll(async () => {
  wasm = await createWasmBackend();
});
afterAll(() => wasm.dispose());

/** Element-wise identity with Object.is semantics (so +0 and −0 differ), reporting the first mismatch. */
function expectSame(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      expect.fail(`${what}: element ${i} differs: wasm ${actual[i]} vs js ${expected[i]}`);
    }
  }
}

function bytes(len: number, signed: boolean, mode: number, r: () => number): Int8Array | Uint8Array {
  const a = signed ? new Int8Array(len) : new Uint8Array(len);
  const lo = signed ? -128 : 0;
  for (let i = 0; i < len; i++) {
    // mode 0: uniform; 1: extremes only; 2: mostly extremes, some random
    const u = r();
    if (mode === 1 || (mode === 2 && u < 0.7)) a[i] = u < 0.5 ? lo : lo + 255;
    else a[i] = lo + Math.floor(r() * 256);
  }
  return a;
}

function zeroPoints(len: number, signed: boolean, r: () => number): Int32Array {
  const lo = signed ? -128 : 0;
  return Int32Array.from({ length: len }, () => lo + Math.floor(r() * 256));
}

describe('matMulInteger', () => {
  it('is bit-identical to JS for random shapes, signedness and zero points', () => {
    fc.assert(
      fc.property(
        fc.record({
          m: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 10, max: 37 })),
          n: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 10, max: 45 })),
          k: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 6, max: 300 })),
          aSigned: fc.boolean(),
          bSigned: fc.boolean(),
          aPerRow: fc.boolean(),
          bPerCol: fc.boolean(),
          mode: fc.integer({ min: 0, max: 2 }),
          seed: fc.integer(),
        }),
        ({ m, n, k, aSigned, bSigned, aPerRow, bPerCol, mode, seed }) => {
          const r = rng(seed);
          const a = bytes(m * k, aSigned, mode, r);
          const b = bytes(k * n, bSigned, mode, r);
          const aZeroPoint = zeroPoints(aPerRow ? Math.max(m, 1) : 1, aSigned, r);
          const bZeroPoint = zeroPoints(bPerCol ? Math.max(n, 1) : 1, bSigned, r);
          const o1 = new Int32Array(m * n).fill(7);
          const o2 = new Int32Array(m * n).fill(9);
          js.matMulInteger({ m, n, k, a, b, aZeroPoint, bZeroPoint, out: o1 });
          wasm.matMulInteger({ m, n, k, a, b, aZeroPoint, bZeroPoint, out: o2 });
          expectSame(o2, o1, `matMulInteger m=${m} n=${n} k=${k}`);
        },
      ),
      { seed: 20261125, numRuns: 700 },
    );
  });

  it('is bit-identical to JS over several row super-blocks of the interleaved kernel (K = 8200, M = 70 and 7)', () => {
    const r = rng(3);
    for (const m of [70, 7]) {
      const k = 8200;
      const n = 13;
      const a = bytes(m * k, false, 2, r);
      const b = bytes(k * n, true, 2, r);
      const args = { m, n, k, a, b, aZeroPoint: zeroPoints(m, false, r), bZeroPoint: zeroPoints(n, true, r) };
      const o1 = new Int32Array(m * n);
      const o2 = new Int32Array(m * n);
      js.matMulInteger({ ...args, out: o1 });
      wasm.matMulInteger({ ...args, out: o2 });
      expectSame(o2, o1, `matMulInteger super-blocks m=${m}`);
    }
  });

  it('sums K = 4096 products of −128·−128 exactly, and K = 33025 worst-case u8×u8 products', () => {
    for (const [k, signed, zp] of [
      [4096, true, 0],
      [33025, false, 255],
    ] as const) {
      const m = 5;
      const n = 9;
      const a = signed ? new Int8Array(m * k).fill(-128) : new Uint8Array(m * k);
      const b = signed ? new Int8Array(k * n).fill(-128) : new Uint8Array(k * n);
      const o1 = new Int32Array(m * n);
      const o2 = new Int32Array(m * n);
      const args = { m, n, k, a, b, aZeroPoint: new Int32Array([zp]), bZeroPoint: new Int32Array([zp]) };
      js.matMulInteger({ ...args, out: o1 });
      wasm.matMulInteger({ ...args, out: o2 });
      expectSame(o2, o1, `extreme K=${k}`);
      expect(o2[0]).toBe(signed ? 16384 * k : 65025 * k);
    }
  });
});

function linearSpec(n: number, k: number, bits: WeightBits, blockSize: number, withZp: boolean, mode: number, r: () => number): LinearWeightsSpec {
  const q = 2 ** (bits - 1);
  const groups = blockSize > 0 ? Math.ceil(k / blockSize) : 1;
  const values = Int8Array.from({ length: n * k }, () => {
    const u = r();
    if (mode === 1 || (mode === 2 && u < 0.6)) return u < 0.3 ? -q : q - 1;
    return -q + Math.floor(r() * 2 * q);
  });
  const scales = Float32Array.from({ length: n * groups }, () => Math.fround(r() * 0.1 + 1e-4));
  const zeroPointsArr = withZp ? Int32Array.from({ length: n * groups }, () => -q + Math.floor(r() * 2 * q)) : undefined;
  return { n, k, bits, values, blockSize, scales, zeroPoints: zeroPointsArr };
}

function activations(len: number, kind: number, r: () => number): Float32Array {
  const x = new Float32Array(len);
  for (let i = 0; i < len; i++) {
    const u = r();
    switch (kind) {
      case 0:
        x[i] = (r() - 0.5) * 8;
        break;
      case 1: // positive only, so the zero point is 0
        x[i] = r() * 3;
        break;
      case 2: // specials: NaN and ±Inf are ignored by the range and saturate / map to the zero point
        x[i] = u < 0.05 ? NaN : u < 0.08 ? Infinity : u < 0.11 ? -Infinity : u < 0.2 ? 0 : (r() - 0.3) * 100;
        break;
      case 3: // a constant (all-zero scale) tensor
        x[i] = 0;
        break;
      default: // exact ties: multiples of a power of two, so x / scale often lands on .5
        x[i] = (Math.floor(r() * 64) - 20) / 8;
    }
  }
  return x;
}

describe('dynamicLinear', () => {
  it('is bit-identical to JS for every bit width, block size, zero points, per-row/per-tensor, bias and special values', () => {
    fc.assert(
      fc.property(
        fc.record({
          m: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 5, max: 13 })),
          n: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 10, max: 41 })),
          k: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 10, max: 200 })),
          bits: fc.constantFrom<WeightBits>(8, 4, 3, 2),
          blockSize: fc.constantFrom(0, 0, 8, 16, 32, 64, 5, 24),
          withZp: fc.boolean(),
          perRow: fc.boolean(),
          withBias: fc.boolean(),
          xKind: fc.integer({ min: 0, max: 4 }),
          wMode: fc.integer({ min: 0, max: 2 }),
          seed: fc.integer(),
        }),
        ({ m, n, k, bits, blockSize, withZp, perRow, withBias, xKind, wMode, seed }) => {
          const r = rng(seed);
          const spec = linearSpec(n, k, bits, blockSize, withZp, wMode, r);
          const x = activations(m * k, xKind, r);
          const bias = withBias ? Float32Array.from({ length: n }, () => (r() - 0.5) * 2) : undefined;
          const wj = js.packLinearWeights(spec);
          const ww = wasm.packLinearWeights(spec);
          const o1 = new Float32Array(m * n).fill(3);
          const o2 = new Float32Array(m * n).fill(5);
          js.dynamicLinear({ m, x, weights: wj, bias, perRow, out: o1 });
          wasm.dynamicLinear({ m, x, weights: ww, bias, perRow, out: o2 });
          wasm.releaseLinearWeights(ww);
          expectSame(o2, o1, `dynamicLinear m=${m} n=${n} k=${k} bits=${bits} block=${blockSize} zp=${withZp} perRow=${perRow}`);
        },
      ),
      { seed: 42, numRuns: 1200 },
    );
  });

  it('is bit-identical to JS on long rows (K > 2048, groups of every length)', () => {
    fc.assert(
      fc.property(
        fc.record({
          m: fc.integer({ min: 4, max: 37 }),
          n: fc.integer({ min: 1, max: 19 }),
          k: fc.integer({ min: 2041, max: 2700 }),
          bits: fc.constantFrom<WeightBits>(8, 4, 3, 2),
          blockSize: fc.constantFrom(0, 32, 100, 256, 1000, 2100),
          withZp: fc.boolean(),
          perRow: fc.boolean(),
          seed: fc.integer(),
        }),
        ({ m, n, k, bits, blockSize, withZp, perRow, seed }) => {
          const r = rng(seed);
          const spec = linearSpec(n, k, bits, blockSize, withZp, 0, r);
          const x = activations(m * k, seed & 3, r);
          const o1 = new Float32Array(m * n);
          const o2 = new Float32Array(m * n);
          js.dynamicLinear({ m, x, weights: js.packLinearWeights(spec), perRow, out: o1 });
          const ww = wasm.packLinearWeights(spec);
          wasm.dynamicLinear({ m, x, weights: ww, perRow, out: o2 });
          wasm.releaseLinearWeights(ww);
          expectSame(o2, o1, `blocked m=${m} n=${n} k=${k} bits=${bits} block=${blockSize}`);
        },
      ),
      { seed: 77, numRuns: 60 },
    );
  });

  it('reuses 8-bit weights widened once across calls of every row count (GEMV and GEMM paths, interleaved row blocks)', () => {
    fc.assert(
      fc.property(
        fc.record({
          ms: fc.array(fc.integer({ min: 0, max: 41 }), { minLength: 2, maxLength: 5 }),
          n: fc.integer({ min: 1, max: 27 }),
          k: fc.integer({ min: 1, max: 300 }),
          blockSize: fc.constantFrom(0, 0, 8, 40, 64),
          withZp: fc.boolean(),
          perRow: fc.boolean(),
          seed: fc.integer(),
        }),
        ({ ms, n, k, blockSize, withZp, perRow, seed }) => {
          const r = rng(seed);
          const spec = linearSpec(n, k, 8, blockSize, withZp, seed & 1, r);
          const wj = js.packLinearWeights(spec);
          const ww = wasm.packLinearWeights(spec);
          for (const m of ms) {
            const x = activations(m * k, (seed >>> 3) % 5, r);
            const bias = m % 2 ? Float32Array.from({ length: n }, () => r() - 0.5) : undefined;
            const o1 = new Float32Array(m * n);
            const o2 = new Float32Array(m * n).fill(7);
            js.dynamicLinear({ m, x, weights: wj, bias, perRow, out: o1 });
            wasm.dynamicLinear({ m, x, weights: ww, bias, perRow, out: o2 });
            expectSame(o2, o1, `reuse m=${m} of [${ms}] n=${n} k=${k} block=${blockSize}`);
          }
          wasm.releaseLinearWeights(ww);
        },
      ),
      { seed: 909, numRuns: 150 },
    );
  });

  it('matches JS over several row super-blocks (K = 8200: 64 rows of activations per block)', () => {
    const r = rng(11);
    for (const bits of [8, 4] as const) {
      const m = 70;
      const k = 8200;
      const n = 11;
      const spec = linearSpec(n, k, bits, bits === 8 ? 0 : 100, true, 2, r);
      const x = activations(m * k, 0, r);
      const o1 = new Float32Array(m * n);
      const o2 = new Float32Array(m * n);
      js.dynamicLinear({ m, x, weights: js.packLinearWeights(spec), perRow: true, out: o1 });
      const ww = wasm.packLinearWeights(spec);
      wasm.dynamicLinear({ m, x, weights: ww, perRow: true, out: o2 });
      wasm.releaseLinearWeights(ww);
      expectSame(o2, o1, `super-blocks bits=${bits}`);
    }
  });

  it('matches JS at large K with extreme weights and activations (M = 1, 3, 16)', () => {
    const r = rng(7);
    for (const bits of [8, 4, 3, 2] as const) {
      for (const m of [1, 3, 16]) {
        const k = 3000;
        const n = 20;
        const spec = linearSpec(n, k, bits, bits === 8 ? 0 : 128, true, 1, r);
        const x = Float32Array.from({ length: m * k }, (_, i) => (i % 2 === 0 ? -1000 : 1000));
        const o1 = new Float32Array(m * n);
        const o2 = new Float32Array(m * n);
        js.dynamicLinear({ m, x, weights: js.packLinearWeights(spec), perRow: false, out: o1 });
        const ww = wasm.packLinearWeights(spec);
        wasm.dynamicLinear({ m, x, weights: ww, perRow: false, out: o2 });
        wasm.releaseLinearWeights(ww);
        expectSame(o2, o1, `large K bits=${bits} m=${m}`);
      }
    }
  });
});

describe('dynamicLinear 4-bit GEMV', () => {
  // The 4-bit GEMV keeps one nibble field at scale 256 and must fold it before 4096 k-values; these cases would
  // overflow int32 without the fold (256 · 255 · 15 · 4500 > 2^31) while the exact sums fit.
  it('is exact for groups longer than 4096 with saturated activations and extreme weights (M = 1, 2, 3)', () => {
    const r = rng(4096);
    const k = 9000;
    const n = 13;
    for (const blockSize of [0, 4500, 32]) {
      for (const [wv, zp] of [[7, 0], [-8, 0], [7, -8], [-8, 7]] as const) {
        const groups = blockSize > 0 ? Math.ceil(k / blockSize) : 1;
        const spec: LinearWeightsSpec = {
          n, k, bits: 4, blockSize, values: new Int8Array(n * k).fill(wv),
          scales: Float32Array.from({ length: n * groups }, () => Math.fround(r() * 0.1 + 1e-4)),
          zeroPoints: zp === 0 ? undefined : new Int32Array(n * groups).fill(zp),
        };
        const ww = wasm.packLinearWeights(spec);
        const wj = js.packLinearWeights(spec);
        for (const m of [1, 2, 3]) {
          // Row 0 constant positive (xq = 255, zero point 0), others mixed signs, per-row ranges.
          const x = Float32Array.from({ length: m * k }, (_, i) => (i < k ? 1000 : (r() - 0.2) * 50));
          const o1 = new Float32Array(m * n);
          const o2 = new Float32Array(m * n);
          js.dynamicLinear({ m, x, weights: wj, perRow: true, out: o1 });
          wasm.dynamicLinear({ m, x, weights: ww, perRow: true, out: o2 });
          expectSame(o2, o1, `4-bit GEMV block=${blockSize} w=${wv} zp=${zp} m=${m}`);
        }
        wasm.releaseLinearWeights(ww);
      }
    }
  });

  // The 2-bit GEMV keeps some fields at scale 16 and 4 without folding them: at the longest 2-bit group it stores
  // (2^18) the saturated sums come within 30% of int32's range.
  it('is exact for 2-bit groups of the longest stored length with saturated activations (M = 1, 2)', () => {
    const k = 262144;
    const n = 9;
    for (const [wv, zp] of [[1, 0], [-2, 1], [1, -2]] as const) {
      const spec: LinearWeightsSpec = {
        n, k, bits: 2, blockSize: 0, values: new Int8Array(n * k).fill(wv),
        scales: Float32Array.from({ length: n }, (_, i) => Math.fround(0.01 + i * 1e-3)),
        zeroPoints: zp === 0 ? undefined : new Int32Array(n).fill(zp),
      };
      const ww = wasm.packLinearWeights(spec);
      const wj = js.packLinearWeights(spec);
      for (const m of [1, 2]) {
        const x = Float32Array.from({ length: m * k }, (_, i) => (i < k ? 1000 : ((i * 7919) % 1000) / 100 - 3));
        const o1 = new Float32Array(m * n);
        const o2 = new Float32Array(m * n);
        js.dynamicLinear({ m, x, weights: wj, perRow: true, out: o1 });
        wasm.dynamicLinear({ m, x, weights: ww, perRow: true, out: o2 });
        expectSame(o2, o1, `2-bit GEMV w=${wv} zp=${zp} m=${m}`);
      }
      wasm.releaseLinearWeights(ww);
    }
  });
});

describe('dynamicLinear storage fallbacks', () => {
  it('matches JS for 4-bit groups longer than 32768 and 2-bit ones longer than 2^18 (stored in 8-bit fields) and 3-bit weights', () => {
    const r = rng(31);
    for (const [bits, k] of [[4, 33000], [3, 1000], [2, 262200]] as const) {
      const spec = linearSpec(5, k, bits, 0, true, 1, r);
      for (const m of [1, 6]) {
        const x = Float32Array.from({ length: m * k }, (_, i) => ((i * 7919) % 1000) / 100 - 5);
        const o1 = new Float32Array(m * 5);
        const o2 = new Float32Array(m * 5);
        js.dynamicLinear({ m, x, weights: js.packLinearWeights(spec), perRow: true, out: o1 });
        const ww = wasm.packLinearWeights(spec);
        wasm.dynamicLinear({ m, x, weights: ww, perRow: true, out: o2 });
        wasm.releaseLinearWeights(ww);
        expectSame(o2, o1, `bits=${bits} k=${k} m=${m}`);
      }
    }
  });
});

describe('convInteger', () => {
  it('is bit-identical to JS for groups, depthwise, channel multipliers, strides, dilations and padding', () => {
    fc.assert(
      fc.property(
        fc.record({
          batch: fc.integer({ min: 0, max: 2 }),
          group: fc.integer({ min: 1, max: 3 }),
          cPerGroup: fc.integer({ min: 1, max: 5 }),
          mPerGroup: fc.integer({ min: 1, max: 6 }),
          depthwise: fc.boolean(),
          h: fc.integer({ min: 1, max: 13 }),
          w: fc.integer({ min: 1, max: 29 }),
          kh: fc.integer({ min: 1, max: 3 }),
          kw: fc.integer({ min: 1, max: 4 }),
          // stride 1 (the padded-image im2col path) half of the time
          sh: fc.constantFrom(1, 1, 2),
          sw: fc.constantFrom(1, 1, 2, 3),
          dh: fc.integer({ min: 1, max: 2 }),
          dw: fc.integer({ min: 1, max: 2 }),
          pads: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)),
          xSigned: fc.boolean(),
          wSigned: fc.boolean(),
          perChannel: fc.boolean(),
          mode: fc.integer({ min: 0, max: 2 }),
          seed: fc.integer(),
        }),
        (p) => {
          const r = rng(p.seed);
          const group = p.depthwise ? p.cPerGroup + 2 : p.group;
          const cg = p.depthwise ? 1 : p.cPerGroup;
          const C = group * cg;
          const M = group * (p.depthwise ? p.mPerGroup % 3 || 1 : p.mPerGroup);
          const ekh = (p.kh - 1) * p.dh + 1;
          const ekw = (p.kw - 1) * p.dw + 1;
          const [pt, pl, pb, pr] = p.pads;
          const oh = Math.floor((p.h + pt + pb - ekh) / p.sh) + 1;
          const ow = Math.floor((p.w + pl + pr - ekw) / p.sw) + 1;
          fc.pre(oh > 0 && ow > 0);
          const x = bytes(p.batch * C * p.h * p.w, p.xSigned, p.mode, r);
          const w = bytes(M * cg * p.kh * p.kw, p.wSigned, p.mode, r);
          const args: Omit<ConvIntegerArgs, 'out'> = {
            batch: p.batch, inChannels: C, inHeight: p.h, inWidth: p.w, outChannels: M, kernelHeight: p.kh, kernelWidth: p.kw,
            outHeight: oh, outWidth: ow, padTop: pt, padLeft: pl, strideHeight: p.sh, strideWidth: p.sw, dilationHeight: p.dh,
            dilationWidth: p.dw, group, x, w, xZeroPoint: zeroPoints(1, p.xSigned, r)[0],
            wZeroPoint: zeroPoints(p.perChannel ? M : 1, p.wSigned, r),
          };
          const o1 = new Int32Array(p.batch * M * oh * ow);
          const o2 = new Int32Array(p.batch * M * oh * ow).fill(1);
          js.convInteger({ ...args, out: o1 });
          wasm.convInteger({ ...args, out: o2 });
          expectSame(o2, o1, `convInteger ${JSON.stringify({ ...p, group, C, M, oh, ow })}`);
        },
      ),
      { seed: 1234, numRuns: 400 },
    );
  });

  it('matches JS on depthwise 3×3 (stride 1 and 2, channel multiplier 2, dilation 2) at MobileNet-like sizes', () => {
    const r = rng(5);
    for (const [s, d, mult] of [[1, 1, 1], [2, 1, 1], [1, 2, 2], [2, 1, 2]]) {
      const C = 16;
      const H = 29;
      const oh = Math.floor((H + 2 - ((3 - 1) * d + 1)) / s) + 1;
      const x = bytes(2 * C * H * H, false, 0, r);
      const w = bytes(C * mult * 9, true, 2, r);
      const args = {
        batch: 2, inChannels: C, inHeight: H, inWidth: H, outChannels: C * mult, kernelHeight: 3, kernelWidth: 3, outHeight: oh,
        outWidth: oh, padTop: 1, padLeft: 1, strideHeight: s, strideWidth: s, dilationHeight: d, dilationWidth: d, group: C,
        x, w, xZeroPoint: 77, wZeroPoint: zeroPoints(C * mult, true, r),
      };
      const o1 = new Int32Array(2 * C * mult * oh * oh);
      const o2 = new Int32Array(o1.length);
      js.convInteger({ ...args, out: o1 });
      wasm.convInteger({ ...args, out: o2 });
      expectSame(o2, o1, `depthwise stride ${s} dilation ${d} multiplier ${mult}`);
    }
  });

  it('matches JS on the benchmark shape 1×32×26×26 ⊛ 64×32×3×3, pad 1, u8 × s8 per-channel', () => {
    const r = rng(99);
    const x = bytes(32 * 26 * 26, false, 0, r);
    const w = bytes(64 * 32 * 9, true, 0, r);
    const args = {
      batch: 1, inChannels: 32, inHeight: 26, inWidth: 26, outChannels: 64, kernelHeight: 3, kernelWidth: 3, outHeight: 26,
      outWidth: 26, padTop: 1, padLeft: 1, strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1, group: 1,
      x, w, xZeroPoint: 131, wZeroPoint: zeroPoints(64, true, r),
    };
    const o1 = new Int32Array(64 * 676);
    const o2 = new Int32Array(64 * 676);
    js.convInteger({ ...args, out: o1 });
    wasm.convInteger({ ...args, out: o2 });
    expectSame(o2, o1, 'conv benchmark shape');
  });
});

describe('dynamicConvF32', () => {
  it('is bit-identical to JS (quantization, integer conv, per-channel scale, bias, Relu, affine and pool epilogue)', () => {
    fc.assert(
      fc.property(
        fc.record({
          batch: fc.integer({ min: 1, max: 2 }),
          group: fc.integer({ min: 1, max: 2 }),
          cPerGroup: fc.integer({ min: 1, max: 4 }),
          mPerGroup: fc.integer({ min: 1, max: 9 }),
          h: fc.integer({ min: 1, max: 11 }),
          w: fc.integer({ min: 1, max: 17 }),
          k: fc.integer({ min: 1, max: 5 }),
          stride: fc.constantFrom(1, 1, 2),
          pad: fc.nat(2),
          wSigned: fc.boolean(),
          perChannel: fc.boolean(),
          withBias: fc.boolean(),
          relu: fc.boolean(),
          affine: fc.boolean(),
          pool: fc.constantFrom(undefined, [2, 2, 2, 2] as const, [3, 2, 1, 2] as const),
          // 0: ordinary floats; 1: all zero (scale 0); 2: NaN and ±Infinity mixed in; 3: one sign only
          mode: fc.integer({ min: 0, max: 3 }),
          seed: fc.integer(),
        }),
        (p) => {
          const r = rng(p.seed);
          const C = p.group * p.cPerGroup;
          const M = p.group * p.mPerGroup;
          const oh = Math.floor((p.h + 2 * p.pad - p.k) / p.stride) + 1;
          const ow = Math.floor((p.w + 2 * p.pad - p.k) / p.stride) + 1;
          fc.pre(oh > 0 && ow > 0 && (!p.pool || (oh >= p.pool[0] && ow >= p.pool[1])));
          const x = Float32Array.from({ length: p.batch * C * p.h * p.w }, () => {
            if (p.mode === 1) return 0;
            const v = (r() - (p.mode === 3 ? 0 : 0.5)) * 40;
            if (p.mode === 2) {
              const u = r();
              if (u < 0.05) return NaN;
              if (u < 0.08) return u < 0.065 ? Infinity : -Infinity;
            }
            return v;
          });
          const args = {
            batch: p.batch, inChannels: C, inHeight: p.h, inWidth: p.w, outChannels: M, kernelHeight: p.k, kernelWidth: p.k,
            outHeight: oh, outWidth: ow, padTop: p.pad, padLeft: p.pad, strideHeight: p.stride, strideWidth: p.stride, dilationHeight: 1,
            dilationWidth: 1, group: p.group, x, w: bytes(M * p.cPerGroup * p.k * p.k, p.wSigned, 0, r),
            wZeroPoint: zeroPoints(p.perChannel ? M : 1, p.wSigned, r),
            wScale: Float32Array.from({ length: M }, () => 0.001 + r() * 0.05),
            bias: p.withBias ? Float32Array.from({ length: M }, () => (r() - 0.5) * 3) : undefined,
            relu: p.relu,
            ...(p.affine ? { postScale: Float64Array.from({ length: M }, () => (r() - 0.5) * 4), postShift: Float64Array.from({ length: M }, () => r() - 0.5) } : {}),
            ...(p.pool ? { pool: p.pool } : {}),
          };
          const pooled = p.pool ? (Math.floor((oh - p.pool[0]) / p.pool[2]) + 1) * (Math.floor((ow - p.pool[1]) / p.pool[3]) + 1) : oh * ow;
          const o1 = new Float32Array(p.batch * M * pooled);
          const o2 = new Float32Array(o1.length).fill(99);
          js.dynamicConvF32({ ...args, out: o1 });
          wasm.dynamicConvF32({ ...args, out: o2 });
          expectSame(o2, o1, `dynamicConvF32 ${JSON.stringify(p)}`);
        },
      ),
      { seed: 4321, numRuns: 300 },
    );
  });
});
