import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gptqRound } from './gptq-round';
import { QuantizeError } from './quantize-error';
import { quantizeWeight, type QuantizedWeight, type WeightQuantSettings } from './quantize-weight';

const onnx3: WeightQuantSettings = {
  bits: 3,
  granularity: 'per_channel',
  blockSize: 32,
  symmetric: true,
  weightType: 'int8',
  reduceRange: false,
  convention: 'onnx',
  rangeMethod: 'minmax',
  percentile: 100,
};

/** A one-row, two-input weight with a given scale (k = 2: the greedy closed form is hand-checkable). */
const pair = (scale: number): QuantizedWeight => ({ n: 1, k: 2, bits: 3, blockSize: 0, values: new Int8Array(2), scales: Float32Array.of(scale) });

describe('gptqRound', () => {
  // H = [[a, b], [b, c]], λ = 0.01·(a + c)/2. Input 0 rounds to nearest; its error e = w0 − ŵ0 moves the target of
  // input 1 to w1 + e·b/(c + λ) (the least-squares compensation), which is then rounded to nearest.
  it('k = 2: input 1 rounds the compensated target w1 + e·b/(c + λ) (hand-checked)', () => {
    // a = 4, b = 2, c = 2: λ = 0.03. w0 = 0.14, s = 0.1: ŵ0 = 0.1, e = 0.04, target = 0.02 + 0.04·2/2.03 = 0.0594 → 1.
    const gram = Float64Array.of(4, 2, 2, 2);
    expect(Array.from(gptqRound(Float32Array.of(0.14, 0.02), gram, pair(0.1), onnx3, 'k2').values)).toEqual([1, 1]);
    // Nearest rounding at that scale gives [1, 0] (0.2 → 0).
    expect([0.14, 0.02].map((v) => Math.round(Math.fround(v) / Math.fround(0.1)))).toEqual([1, 0]);
    // b = −2: target = −0.03 − 0.0394 = −0.0694 → −1 (nearest: 0).
    expect(Array.from(gptqRound(Float32Array.of(0.14, -0.03), Float64Array.of(4, -2, -2, 2), pair(0.1), onnx3, 'k2').values)).toEqual([1, -1]);
    // Uncorrelated inputs (b = 0): no compensation, nearest rounding.
    expect(Array.from(gptqRound(Float32Array.of(0.14, 0.02), Float64Array.of(4, 0, 0, 2), pair(0.1), onnx3, 'k2').values)).toEqual([1, 0]);
  });

  it('clamps to the stored range and keeps scales and zero points', () => {
    // target of input 1 = 0.34 + 0.04·0.985 = 0.379 → 3.79 → 4, clamped to 3 (3-bit symmetric [−4, 3]).
    const q = gptqRound(Float32Array.of(0.14, 0.34), Float64Array.of(4, 2, 2, 2), pair(0.1), onnx3, 'k2');
    expect(Array.from(q.values)).toEqual([1, 3]);
    expect(Array.from(q.scales)).toEqual([Math.fround(0.1)]);
  });

  it('dead inputs (H[j, j] = 0) round to nearest and pass no error on; an all-dead Gram is nearest rounding', () => {
    // Input 0 dead: its error must not reach input 1 (a coupling in H would have moved 0.02 to 1).
    const q = gptqRound(Float32Array.of(0.14, 0.02), Float64Array.of(0, 0, 0, 2), pair(0.1), onnx3, 'dead');
    expect(Array.from(q.values)).toEqual([1, 0]);
    const w = Float32Array.of(0.14, 0.02, -0.26, 0.31);
    const near = quantizeWeight(w, 2, 2, onnx3, 'zero');
    expect(Array.from(gptqRound(w, new Float64Array(4), near, onnx3, 'zero').values)).toEqual(Array.from(near.values));
  });

  it('groups: each contiguous part of the rows uses its own Gram matrix', () => {
    const w = Float32Array.of(0.14, 0.02, 0.14, 0.02);
    const q: QuantizedWeight = { n: 2, k: 2, bits: 3, blockSize: 0, values: new Int8Array(4), scales: Float32Array.of(0.1, 0.1) };
    // Row 0 coupled (→ [1, 1]), row 1 uncoupled (→ [1, 0]).
    const grams = Float64Array.of(4, 2, 2, 2, 4, 0, 0, 2);
    expect(Array.from(gptqRound(w, grams, q, onnx3, 'g', { groups: 2 }).values)).toEqual([1, 1, 1, 0]);
  });

  it('throws QuantizeError naming the node for a Gram that is not positive definite after damping, a wrong size, bad groups', () => {
    const w = Float32Array.of(0.14, 0.02);
    expect(() => gptqRound(w, Float64Array.of(1, 5, 5, 1), pair(0.1), onnx3, 'fc9')).toThrow(QuantizeError);
    expect(() => gptqRound(w, Float64Array.of(1, 5, 5, 1), pair(0.1), onnx3, 'fc9')).toThrow(/node "fc9": GPTQ cannot factor the Hessian.*dampening/);
    expect(() => gptqRound(w, Float64Array.of(1, 0, 0), pair(0.1), onnx3, 'fc9')).toThrow(/Gram matrix has 3 elements, expected/);
    expect(() => gptqRound(w, Float64Array.of(-1, 0, 0, 1), pair(0.1), onnx3, 'fc9')).toThrow(/diagonal entry 0 = -1/);
    expect(() => gptqRound(w, Float64Array.of(1, 0, 0, 1), pair(0.1), onnx3, 'fc9', { groups: 2 })).toThrow(/"groups" must be a positive integer dividing n = 1/);
  });
});

/** ‖X(W − Ŵ)ᵀ‖² = Σ_rows d G dᵀ with d the row's reconstruction error and G = XᵀX. */
function outputError(w: Float32Array, q: QuantizedWeight, gram: Float64Array): number {
  const { n, k } = q;
  const per = q.blockSize ? Math.ceil(k / q.blockSize) : 1;
  let total = 0;
  const d = new Float64Array(k);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < k; j++) {
      const g = q.blockSize ? r * per + Math.floor(j / q.blockSize) : q.scales.length === 1 ? 0 : r;
      d[j] = w[r * k + j] - (q.values[r * k + j] - (q.zeroPoints?.[g] ?? 0)) * q.scales[g];
    }
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) total += d[i] * gram[i * k + j] * d[j];
  }
  return total;
}

describe('gptqRound property (fast-check, fixed seed)', () => {
  it('lowers the layer-output error ‖X(W − Ŵ)‖² against nearest rounding on aggregate (3-bit, 50 problems)', () => {
    const ratios: number[] = [];
    let totalNearest = 0;
    let totalGptq = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 4, max: 32 }),
        fc.constantFrom('per_channel' as const, 'per_block' as const),
        fc.boolean(),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (n, k, granularity, symmetric, seed) => {
          // Deterministic pseudo-random data from the seed (a small LCG: fast-check only picks the seeds).
          let state = seed;
          const rand = (): number => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
          const w = Float32Array.from({ length: n * k }, () => rand() * 0.5);
          const rows = 3 * k;
          const mix = Float64Array.from({ length: k * k }, (_, i) => (i % (k + 1) === 0 ? 1 : 0) + 0.5 * rand());
          const x = new Float64Array(rows * k);
          for (let r = 0; r < rows; r++) {
            const z = Float64Array.from({ length: k }, rand);
            for (let j = 0; j < k; j++) {
              let v = 0.2;
              for (let t = 0; t < k; t++) v += z[t] * mix[t * k + j];
              x[r * k + j] = v;
            }
          }
          const gram = new Float64Array(k * k);
          for (let r = 0; r < rows; r++) for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) gram[i * k + j] += x[r * k + i] * x[r * k + j];
          const s: WeightQuantSettings = { ...onnx3, convention: 'pytorch', granularity, blockSize: 8, symmetric };
          const near = quantizeWeight(w, n, k, s, 'p');
          const g = gptqRound(w, gram, near, s, 'p');
          const en = outputError(w, near, gram);
          const eg = outputError(w, g, gram);
          totalNearest += en;
          totalGptq += eg;
          if (en > 0) ratios.push(eg / en);
        },
      ),
      { seed: 7, numRuns: 50 },
    );
    const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
    expect(totalGptq).toBeLessThan(totalNearest);
    expect(mean).toBeLessThan(0.9);
  });
});
