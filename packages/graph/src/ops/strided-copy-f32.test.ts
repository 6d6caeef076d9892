import fc from 'fast-check';
import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { reshapeView, sliceTensor, sliceView, transposeTensor } from './strided-copy-f32';

// The float32 fast paths against @qint/tensor's generic Tensor.transpose / Tensor.slice (the reference).
const shapeArb = fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 5 });
const tensorOf = (shape: number[]): Tensor => {
  const size = shape.reduce((p, d) => p * d, 1);
  return Tensor.from('float32', shape, Float32Array.from({ length: size }, (_, i) => i * 0.5 - 3));
};
const PARAMS = { seed: 20261125, numRuns: 300 };

describe('float32 Transpose / Slice fast paths', () => {
  it('transpose equals Tensor.transpose for every permutation (and the default reversal)', () => {
    fc.assert(
      fc.property(shapeArb, fc.integer(), fc.boolean(), (shape, seed, useDefault) => {
        const perm = shape.map((_, i) => i);
        for (let i = perm.length - 1, s = seed >>> 0; i > 0; i--) {
          s = (s * 1103515245 + 12345) >>> 0;
          const j = s % (i + 1);
          [perm[i], perm[j]] = [perm[j], perm[i]];
        }
        const x = tensorOf(shape);
        const got = transposeTensor(x, useDefault ? undefined : perm);
        const want = x.transpose(useDefault ? undefined : perm);
        expect(got.shape).toEqual(want.shape);
        expect(Array.from(got.data as Float32Array)).toEqual(Array.from(want.data as Float32Array));
      }),
      PARAMS,
    );
  });

  it('slice equals Tensor.slice (negative and clamped bounds, negative steps, axes subsets)', () => {
    fc.assert(
      fc.property(
        shapeArb.filter((s) => s.length > 0),
        fc.array(fc.tuple(fc.integer({ min: -7, max: 7 }), fc.integer({ min: -7, max: 7 }), fc.constantFrom(1, 1, 2, -1, -2)), { minLength: 1, maxLength: 5 }),
        (shape, specs) => {
          const used = specs.slice(0, shape.length);
          const axes = used.map((_, i) => (i % 2 === 0 ? i : i - shape.length));
          const x = tensorOf(shape);
          const args = [used.map((u) => u[0]), used.map((u) => u[1]), axes, used.map((u) => u[2])] as const;
          const got = sliceTensor(x, ...args);
          const want = x.slice(...args);
          expect(got.shape).toEqual(want.shape);
          expect(Array.from(got.data as Float32Array)).toEqual(Array.from(want.data as Float32Array));
        },
      ),
      PARAMS,
    );
  });

  it('leaves invalid arguments to Tensor (same errors)', () => {
    const x = tensorOf([2, 3]);
    expect(() => transposeTensor(x, [0, 0])).toThrow(/not a permutation/);
    expect(() => sliceTensor(x, [0, 0], [1, 1], [1, 1])).toThrow(/repeat/);
    expect(() => sliceTensor(x, [0], [1], [0], [0])).toThrow(/non-zero/);
  });
});

describe('reshapeView', () => {
  it('splits a sliced last dim without copying (hand-checked strides) and refuses a merge across a gap', () => {
    const q = sliceView([2, 5, 12], [4], [8], [2])!;
    expect(q).toEqual({ shape: [2, 5, 4], strides: [60, 12, 1], offset: 4 });
    expect(reshapeView(q, [2, 5, 2, 2])).toEqual({ shape: [2, 5, 2, 2], strides: [60, 12, 2, 1], offset: 4 });
    expect(reshapeView(q, [10, 4])).toEqual({ shape: [10, 4], strides: [12, 1], offset: 4 });
    expect(reshapeView(q, [40])).toBeUndefined(); // rows of 4 are 12 apart
    // Every other element of a [4, 6] is one stride-2 run: merging is fine there.
    expect(reshapeView(sliceView([4, 6], [0], [6], [1], [2])!, [12])).toEqual({ shape: [12], strides: [2], offset: 0 });
  });
});
