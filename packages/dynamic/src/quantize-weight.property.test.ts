import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quantizeWeight, type WeightQuantSettings } from './quantize-weight';

const settings = fc.record({
  bits: fc.constantFrom(8 as const, 4 as const, 3 as const, 2 as const),
  granularity: fc.constantFrom('per_tensor' as const, 'per_channel' as const, 'per_block' as const),
  blockSize: fc.constantFrom(4, 8, 16),
  symmetric: fc.boolean(),
  weightType: fc.constantFrom('int8' as const, 'uint8' as const),
  convention: fc.constantFrom('pytorch' as const, 'onnx' as const),
});

describe('quantizeWeight properties (fast-check, fixed seed)', () => {
  it('min-max weights reconstruct within half a step (plus float rounding), values inside the signed range', () => {
    fc.assert(
      fc.property(
        settings,
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.float({ min: -4, max: 4, noNaN: true }), { minLength: 200, maxLength: 200 }),
        (s, n, k, pool) => {
          const w = Float32Array.from({ length: n * k }, (_, i) => pool[i % pool.length]);
          const full: WeightQuantSettings = { ...s, reduceRange: false, rangeMethod: 'minmax', percentile: 100 };
          const q = quantizeWeight(w, n, k, full, 'w');
          const lo = -(2 ** (s.bits - 1));
          const hi = 2 ** (s.bits - 1) - 1;
          const per = q.blockSize ? Math.ceil(k / q.blockSize) : 1;
          for (let r = 0; r < n; r++) {
            for (let c = 0; c < k; c++) {
              const g = q.scales.length === 1 ? 0 : q.blockSize ? r * per + Math.floor(c / q.blockSize) : r;
              const v = q.values[r * k + c];
              expect(v).toBeGreaterThanOrEqual(lo);
              expect(v).toBeLessThanOrEqual(hi);
              const z = q.zeroPoints ? q.zeroPoints[g] : 0;
              const err = Math.abs((v - z) * q.scales[g] - w[r * k + c]);
              // Symmetric PyTorch int8 divides by 127.5, so absmax itself may sit half a step past qmax: one step there.
              expect(err).toBeLessThanOrEqual(q.scales[g] * (s.symmetric ? 1 : 0.5) + 1e-6 * Math.abs(w[r * k + c]) + 1e-7);
            }
          }
        },
      ),
      { seed: 20261125, numRuns: 150 },
    );
  });
});
