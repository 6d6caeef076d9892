// Property tests (fast-check, fixed seed) of what every observer promises, whatever the finite data (±Infinity gives
// the min/max observers PyTorch's infinite scale, tested against the fixtures in minmax-pytorch.test.ts):
// a finite positive scale, a zero point inside the dtype (so the params are valid QuantParams), 0 exactly
// representable, and |dequant(quant(x)) − x| ≤ scale/2 for every x inside the quantized range.
import { QuantParams, Tensor } from '@qint/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OBSERVER_KINDS, createObserver, roundHalfEven, type ObserverKind } from '../src/index';

const PER_TENSOR = OBSERVER_KINDS.filter((k) => !k.includes('PerChannel'));
const schemes = [
  { dtype: 'uint8' as const },
  { dtype: 'int8' as const, qscheme: 'per_tensor_symmetric' as const },
  { dtype: 'int8' as const, quantMin: -8, quantMax: 7 },
  { dtype: 'int8' as const, qscheme: 'per_tensor_symmetric' as const, convention: 'onnx' as const },
];
const magnitude = fc.constantFrom(1e-9, 1e-3, 1, 1e4, 3e6);
const data = fc.tuple(fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 64 }), magnitude, fc.float({ min: -2, max: 2, noNaN: true }));

describe.each(PER_TENSOR)('%s invariants', (kind: ObserverKind) => {
  it.each(schemes)('%o', (options) => {
    fc.assert(
      fc.property(data, ([xs, mag, shift]) => {
        const values = Float32Array.from(xs, (v) => (v + shift) * mag);
        const obs = createObserver(kind, options);
        obs.observe(Tensor.from('float32', [values.length], values));
        const { scale, zeroPoint } = obs.calculateQParams();
        const s = scale[0];
        const z = zeroPoint[0];
        expect(Number.isFinite(s) && s > 0).toBe(true);
        const { quantMin: qmin, quantMax: qmax } = obs.config;
        expect(z >= qmin && z <= qmax).toBe(true); // 0 maps exactly to the zero point
        QuantParams.perTensor(options.dtype, s, z); // validates like every consumer will
        // Inside the range the quantization error is at most half a step (plus float32 rounding of x / s).
        for (const x of values) {
          const q = roundHalfEven(x / s) + z;
          if (q < qmin || q > qmax) continue; // clipped by design (histogram/percentile/entropy/MSE ranges)
          expect(Math.abs((q - z) * s - x)).toBeLessThanOrEqual(s / 2 + Math.abs(x) * 1e-6);
        }
      }),
      { seed: 20261125, numRuns: 40 },
    );
  });
});
