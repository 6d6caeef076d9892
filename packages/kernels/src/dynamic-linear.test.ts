import { DTypeError, ShapeError, Tensor, ValueError } from '@qint/tensor';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { getBackend, resetBackendRegistry, setBackend } from './backend-registry';
import { dynamicLinear } from './dynamic-linear';
import { dynamicQuantizeLinear } from './dynamic-quantize-linear';
import { createJsBackend } from './js-backend';
import type { KernelBackend, WeightBits } from './kernel-backend';
import { maxDynamicLinearK, prepareLinearWeights } from './prepare-linear-weights';

const fr = Math.fround;
const rint = (v: number): number => {
  const f = Math.floor(v);
  const d = v - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
};

interface W { n: number; k: number; bits: WeightBits; blockSize: number; values: number[]; scales: number[]; zps?: number[] }

/** The exact semantics of the KernelBackend contract, transcribed plainly (no shared code with the kernels). */
function reference(x: number[], m: number, w: W, perRow: boolean, bias?: number[]): number[] {
  const { n, k, blockSize } = w;
  const gl = blockSize > 0 ? blockSize : k;
  const groups = blockSize > 0 ? Math.ceil(k / blockSize) : 1;
  const params = (lo0: number, hi0: number): [number, number] => {
    let lo = 0;
    let hi = 0;
    for (let i = lo0; i < hi0; i++) {
      if (Number.isFinite(x[i])) {
        lo = Math.min(lo, x[i]);
        hi = Math.max(hi, x[i]);
      }
    }
    const sa = fr(fr(hi - lo) / 255);
    if (sa === 0) return [0, 0];
    return [sa, Math.min(255, Math.max(0, rint(fr(-lo / sa))))];
  };
  const out: number[] = [];
  const whole = params(0, m * k);
  for (let r = 0; r < m; r++) {
    const [sa, za] = perRow ? params(r * k, (r + 1) * k) : whole;
    const xq = x.slice(r * k, (r + 1) * k).map((v) => (sa === 0 ? 0 : Number.isNaN(v) ? za : Math.min(255, Math.max(0, rint(fr(v / sa)) + za))));
    for (let j = 0; j < n; j++) {
      let y = 0;
      for (let g = 0; g < groups; g++) {
        let acc = 0;
        const wz = w.zps ? w.zps[j * groups + g] : 0;
        for (let p = g * gl; p < Math.min(k, (g + 1) * gl); p++) acc += (xq[p] - (sa === 0 ? 0 : za)) * (w.values[j * k + p] - wz);
        y = fr(y + fr(fr(acc) * fr(sa * w.scales[j * groups + g])));
      }
      out.push(bias ? fr(y + bias[j]) : y);
    }
  }
  return out;
}

function lcg(seed: number): (lo: number, hi: number) => number {
  let s = seed >>> 0;
  return (lo, hi) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + (s % (hi - lo + 1));
  };
}

function randomWeights(rnd: (lo: number, hi: number) => number, n: number, k: number, bits: WeightBits, blockSize: number, withZp: boolean): W {
  const lo = -(2 ** (bits - 1));
  const hi = 2 ** (bits - 1) - 1;
  const groups = blockSize > 0 ? Math.ceil(k / blockSize) : 1;
  return {
    n, k, bits, blockSize,
    values: Array.from({ length: n * k }, () => rnd(lo, hi)),
    scales: Array.from({ length: n * groups }, () => fr(rnd(1, 1000) / 4096)),
    zps: withZp ? Array.from({ length: n * groups }, () => rnd(lo, hi)) : undefined,
  };
}

function prepare(w: W) {
  return prepareLinearWeights({
    n: w.n, k: w.k, bits: w.bits, blockSize: w.blockSize,
    values: Int8Array.from(w.values), scales: Float32Array.from(w.scales), zeroPoints: w.zps ? Int32Array.from(w.zps) : undefined,
  });
}

afterEach(() => resetBackendRegistry());

describe('dynamicLinear', () => {
  const arb = fc.record({
    m: fc.integer({ min: 1, max: 9 }), n: fc.integer({ min: 1, max: 9 }), k: fc.integer({ min: 1, max: 70 }),
    bits: fc.constantFrom<WeightBits>(8, 4, 3, 2), block: fc.constantFrom(0, 4, 16, 32, 7), zp: fc.boolean(),
    perRow: fc.boolean(), bias: fc.boolean(), seed: fc.integer(),
  });

  it('follows the exact contract semantics bit for bit (every bit width, per channel and blocked, zero points; property)', () => {
    fc.assert(
      fc.property(arb, ({ m, n, k, bits, block, zp, perRow, bias, seed }) => {
        const rnd = lcg(seed);
        const w = randomWeights(rnd, n, k, bits, block, zp);
        const x = Array.from({ length: m * k }, () => fr(rnd(-30000, 30000) / 997));
        const b = Array.from({ length: n }, () => fr(rnd(-100, 100) / 7));
        const y = dynamicLinear(Tensor.from('float32', [m, k], x), prepare(w), {
          perRow, bias: bias ? Tensor.from('float32', [n], b) : undefined, backend: createJsBackend(),
        });
        expect(y.shape).toEqual([m, n]);
        expect(Array.from(y.data as Float32Array)).toEqual(reference(x, m, w, perRow, bias ? b : undefined));
      }),
      { seed: 5150, numRuns: 200 },
    );
  });

  it('equals dequantize-then-float-matmul within the activation rounding bound (property)', () => {
    // |y − x·Ŵᵀ| ≤ (sa/2)·Σ_k |Ŵ[n,k]| (each activation moves by at most half a step) + float32 rounding slack.
    fc.assert(
      fc.property(arb, ({ m, n, k, bits, block, zp, perRow, seed }) => {
        const rnd = lcg(seed);
        const w = randomWeights(rnd, n, k, bits, block, zp);
        const x = Array.from({ length: m * k }, () => fr(rnd(-30000, 30000) / 997));
        const y = dynamicLinear(Tensor.from('float32', [m, k], x), prepare(w), { perRow }).toArray();
        const gl = block > 0 ? block : k;
        const groups = block > 0 ? Math.ceil(k / block) : 1;
        const deq = (j: number, p: number): number => {
          const g = Math.floor(p / gl);
          return (w.values[j * k + p] - (w.zps ? w.zps[j * groups + g] : 0)) * w.scales[j * groups + g];
        };
        for (let r = 0; r < m; r++) {
          const rows = perRow ? x.slice(r * k, (r + 1) * k) : x;
          const sa = fr((Math.max(0, ...rows) - Math.min(0, ...rows)) / 255);
          for (let j = 0; j < n; j++) {
            let exact = 0;
            let absSum = 0;
            let wSum = 0;
            for (let p = 0; p < k; p++) {
              exact += x[r * k + p] * deq(j, p);
              absSum += Math.abs(x[r * k + p] * deq(j, p));
              wSum += Math.abs(deq(j, p));
            }
            const bound = (sa / 2) * wSum * (1 + 1e-6) + 1e-5 * (absSum + wSum * sa * 255) + 1e-6;
            expect(Math.abs(y[r * n + j] - exact)).toBeLessThanOrEqual(bound);
          }
        }
      }),
      { seed: 8080, numRuns: 150 },
    );
  });

  it('handles [..., k] inputs, 1×N, 0-sized inputs, k = 0 and all-zero activations', () => {
    const w = prepareLinearWeights({ weight: Tensor.from('int8', [2, 3], [1, 2, 3, -1, -2, -3]), scale: Tensor.from('float32', [2], [0.5, 0.25]) });
    const bias = Tensor.from('float32', [2], [1, -1]);
    expect(dynamicLinear(Tensor.zeros('float32', [2, 0, 3]), w).shape).toEqual([2, 0, 2]);
    expect(dynamicLinear(Tensor.zeros('float32', [1, 3]), w, { bias }).toArray()).toEqual([1, -1]);
    const y3 = dynamicLinear(Tensor.from('float32', [1, 1, 3], [255, 0, 0]), w);
    // x = [255, 0, 0]: sa = 1, za = 0, xq = x; y = [255·1·0.5, 255·(−1)·0.25].
    expect(y3.shape).toEqual([1, 1, 2]);
    expect(y3.toArray()).toEqual([127.5, -63.75]);
    const empty = prepareLinearWeights({ weight: Tensor.zeros('int8', [2, 0]), scale: Tensor.from('float32', [2], [1, 1]) });
    expect(dynamicLinear(Tensor.zeros('float32', [3, 0]), empty, { bias }).toArray()).toEqual([1, -1, 1, -1, 1, -1]);
  });

  it('writes every element of an output from options.allocate (stale contents do not leak) and checks its length', () => {
    const w = prepareLinearWeights({ weight: Tensor.from('int8', [2, 3], [1, 2, 3, -1, -2, -3]), scale: Tensor.from('float32', [2], [0.5, 0.25]) });
    const stale = (length: number) => new Float32Array(length).fill(777);
    // x = [255, 0, 0]: sa = 1, za = 0, xq = x; y = [255·1·0.5, 255·(−1)·0.25] (as above, hand-checked).
    expect(dynamicLinear(Tensor.from('float32', [1, 3], [255, 0, 0]), w, { allocate: stale }).toArray()).toEqual([127.5, -63.75]);
    // k = 0 without a bias: an empty sum, all zeros, whatever the buffer held.
    const empty = prepareLinearWeights({ weight: Tensor.zeros('int8', [2, 0]), scale: Tensor.from('float32', [2], [1, 1]) });
    expect(dynamicLinear(Tensor.zeros('float32', [2, 0]), empty, { allocate: stale }).toArray()).toEqual([0, 0, 0, 0]);
    expect(() => dynamicLinear(Tensor.zeros('float32', [1, 3]), w, { allocate: () => new Float32Array(3) })).toThrow(ShapeError);
  });

  it('makes the outputs a NaN or ±Infinity feeds NaN: its row with perRow, else the whole output', () => {
    // The float layer: [NaN, 255, 0, 0] · [1, 1, 1, 1] = NaN, [Inf, …] · … = Inf (not finite either), [1, 2, 0, 0] · … = 3.
    const w = prepareLinearWeights({ weight: Tensor.from('int8', [1, 4], [1, 1, 1, 1]), scale: Tensor.scalar('float32', 1) });
    const x = Tensor.from('float32', [3, 4], [NaN, 255, 0, 0, Infinity, 1, 0, 0, 1, 2, 0, 0]);
    const rows = dynamicLinear(x, w, { perRow: true }).toArray();
    expect(rows.slice(0, 2)).toEqual([NaN, NaN]);
    expect(rows[2]).toBeCloseTo(3, 1);
    expect(dynamicLinear(x, w).toArray()).toEqual([NaN, NaN, NaN]);
    expect(dynamicLinear(Tensor.from('float32', [1, 4], [1, 2, 0, 0]), w).toArray()[0]).toBeCloseTo(3, 1);
  });

  it('packs once per backend, reuses the packed form, and repacks once after a backend switch', async () => {
    let packs = 0;
    const js = createJsBackend();
    const counting: KernelBackend = {
      specificationVersion: 'v1', name: 'counting',
      packLinearWeights: (spec) => (packs++, js.packLinearWeights(spec)),
      dynamicLinear: (args) => js.dynamicLinear(args),
    };
    const w = prepareLinearWeights({ weight: Tensor.from('int4', [2, 2], [1, -8, 7, 0]), scale: Tensor.from('float32', [2], [1, 2]) });
    const x = Tensor.from('float32', [1, 2], [1, 2]);
    await setBackend(counting);
    const a = dynamicLinear(x, w).toArray();
    dynamicLinear(x, w);
    expect(packs).toBe(1);
    await setBackend('js');
    expect(dynamicLinear(x, w).toArray()).toEqual(a);
    expect(w.packedBackends.sort()).toEqual(['counting', 'js']);
    await setBackend(counting);
    dynamicLinear(x, w);
    expect(packs).toBe(1);
    w.release();
    expect(() => dynamicLinear(x, w)).toThrow(/released/);
  });

  it('falls back to JS when the backend lacks the fused kernel', async () => {
    await setBackend({ specificationVersion: 'v1', name: 'bare' });
    const w = prepareLinearWeights({ weight: Tensor.from('int8', [1, 1], [2]), scale: Tensor.scalar('float32', 0.5) });
    expect(dynamicLinear(Tensor.from('float32', [1, 1], [255]), w).toArray()).toEqual([255]);
    expect(getBackend().diagnostics.fallbackCalls).toEqual({ dynamicLinear: 1 });
  });

  it('validates weights and inputs with typed errors', () => {
    const scale = Tensor.from('float32', [2], [1, 1]);
    expect(() => prepareLinearWeights({ weight: Tensor.zeros('uint8', [2, 2]), scale })).toThrow(DTypeError);
    expect(() => prepareLinearWeights({ weight: Tensor.from('int8', [2, 1], [4, 0]), bits: 3, scale })).toThrow(/outside the signed 3-bit range \[-4, 3\]/);
    expect(() => prepareLinearWeights({ weight: Tensor.zeros('int8', [2, 2]), scale: Tensor.from('float32', [2], [1, NaN]) })).toThrow(ValueError);
    expect(() => prepareLinearWeights({ weight: Tensor.zeros('int8', [2, 4]), scale, blockSize: 2 })).toThrow(/\[n, groups\] = \[2, 2\]/);
    expect(() => prepareLinearWeights({ weight: Tensor.zeros('int4', [2, 2]), scale, zeroPoint: Tensor.from('int8', [2], [8, 0]) })).toThrow(/zeroPoints"\[0\] = 8/);
    expect(() => prepareLinearWeights({ n: 1, k: 1, bits: 5 as WeightBits, values: new Int8Array(1), blockSize: 0, scales: new Float32Array([1]) })).toThrow(/bits/);
    const w = prepareLinearWeights({ weight: Tensor.zeros('int8', [2, 2]), scale });
    expect(() => dynamicLinear(Tensor.zeros('float32', [1, 3]), w)).toThrow(ShapeError);
    expect(() => dynamicLinear(Tensor.zeros('float16', [1, 2]), w)).toThrow(DTypeError);
    expect(() => dynamicLinear(Tensor.zeros('float32', [1, 2]), w, { bias: Tensor.zeros('float32', [3]) })).toThrow(/"bias" has shape \[3\]/);
  });

  it('enforces the int32-safe group length per bit width', () => {
    expect([8, 4, 3, 2].map((b) => maxDynamicLinearK(b as WeightBits))).toEqual([33025, 561433, 1203072, 2807168]);
    const k = 33026;
    expect(() => prepareLinearWeights({ n: 1, k, bits: 8, values: new Int8Array(k), blockSize: 0, scales: new Float32Array([1]) })).toThrow(/K = 33026 may overflow/);
    // The same K is fine in blocks of 32, and at 4 bits.
    expect(() => prepareLinearWeights({ n: 1, k, bits: 8, values: new Int8Array(k), blockSize: 32, scales: new Float32Array(Math.ceil(k / 32)).fill(1) })).not.toThrow();
    expect(() => prepareLinearWeights({ n: 1, k, bits: 4, values: new Int8Array(k), blockSize: 0, scales: new Float32Array([1]) })).not.toThrow();
  });
});

describe('dynamicQuantizeLinear', () => {
  it('follows the ONNX formula (hand-checked)', () => {
    const [y, s, z] = dynamicQuantizeLinear(Tensor.from('float32', [3], [0, 2, -1]));
    expect(s.toArray()).toEqual([fr(3 / 255)]);
    expect(z.toArray()).toEqual([85]);
    expect(y.toArray()).toEqual([85, 255, 0]);
    // Positive-only input: min is widened to 0, so zero point 0.
    const [y2, , z2] = dynamicQuantizeLinear(Tensor.from('float32', [2], [1, 2]));
    expect(z2.toArray()).toEqual([0]);
    // scale = f32(2/255) = 0.007843137718737125 is a hair above 2/255, so 1 / scale = f32(127.49999…) = 127.49999237 → 127.
    expect(y2.toArray()).toEqual([127, 255]);
  });

  it('gives scale 0 and zeros for all-zero and empty inputs, and keeps NaN/Inf from spoiling the range', () => {
    const [y, s, z] = dynamicQuantizeLinear(Tensor.zeros('float32', [2, 2]));
    expect([y.toArray(), s.toArray(), z.toArray()]).toEqual([[0, 0, 0, 0], [0], [0]]);
    const [ye, se] = dynamicQuantizeLinear(Tensor.zeros('float32', [0]));
    expect([ye.shape, se.toArray()]).toEqual([[0], [0]]);
    const [yn, sn, zn] = dynamicQuantizeLinear(Tensor.from('float32', [4], [NaN, Infinity, -Infinity, 2.55]));
    expect(sn.toArray()).toEqual([fr(fr(2.55) / 255)]);
    expect(zn.toArray()).toEqual([0]);
    expect(yn.toArray()).toEqual([0, 255, 0, 255]);
    expect(() => dynamicQuantizeLinear(Tensor.zeros('float16', [1]))).toThrow(DTypeError);
  });
});
