import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { A, f32, runOp } from '../__fixtures__/graph-builder';

const PARAMS = { seed: 20261126, numRuns: 200 };

describe('MaxPool float32 fast path', () => {
  it('gives the same bits as the generic loop (run with Indices) over random windows, pads, strides, dilations, ceil_mode', () => {
    const arb = fc.record({
      h: fc.integer({ min: 1, max: 9 }),
      w: fc.integer({ min: 1, max: 9 }),
      planes: fc.integer({ min: 1, max: 3 }),
      kh: fc.integer({ min: 1, max: 3 }),
      kw: fc.integer({ min: 1, max: 3 }),
      sh: fc.integer({ min: 1, max: 3 }),
      sw: fc.integer({ min: 1, max: 3 }),
      dh: fc.integer({ min: 1, max: 2 }),
      dw: fc.integer({ min: 1, max: 2 }),
      pads: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 4, maxLength: 4 }),
      ceil: fc.boolean(),
      values: fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: 3 * 81, maxLength: 3 * 81 }),
    });
    fc.assert(
      fc.property(arb, (p) => {
        // Pads must stay below the window, and the window must fit the padded input.
        const pads = p.pads.map((v, i) => Math.min(v, (i % 2 === 0 ? p.kh : p.kw) - 1));
        const pads4 = [pads[0], pads[1], pads[2], pads[3]];
        if ((p.kh - 1) * p.dh + 1 > p.h + pads4[0] + pads4[2] || (p.kw - 1) * p.dw + 1 > p.w + pads4[1] + pads4[3]) return;
        const x = f32([1, p.planes, p.h, p.w], p.values.slice(0, p.planes * p.h * p.w));
        const attrs = {
          kernel_shape: A.ints([p.kh, p.kw]),
          strides: A.ints([p.sh, p.sw]),
          dilations: A.ints([p.dh, p.dw]),
          pads: A.ints(pads4),
          ceil_mode: A.int(p.ceil ? 1 : 0),
        };
        const fast = runOp('MaxPool', [x], attrs, { opset: 12 })[0];
        const generic = runOp('MaxPool', [x], attrs, { opset: 12, outputs: 2 })[0];
        expect(fast.shape).toEqual(generic.shape);
        expect(Array.from(fast.data as Float32Array)).toEqual(Array.from(generic.data as Float32Array));
      }),
      PARAMS,
    );
  });

  it('2x2 stride 2 makes a window holding NaN NaN and keeps -0 vs 0 as the comparisons dictate (hand-checked)', () => {
    // Windows of the 3×5 input: [NaN, 1, 2, 3] → NaN (first tap) and [1, NaN, 0, 2] → NaN (a later tap): IEEE
    // maximum / PyTorch max_pool2d propagate NaN; the odd last column and row are dropped.
    const x = f32([1, 1, 3, 5], [NaN, 1, 1, NaN, 7, 2, 3, 0, 2, 7, -0, 0, -5, -3, 7]);
    const y = runOp('MaxPool', [x], { kernel_shape: A.ints([2, 2]), strides: A.ints([2, 2]) })[0];
    expect(y.shape).toEqual([1, 1, 1, 2]);
    const v = Array.from(y.data as Float32Array);
    expect(Number.isNaN(v[0])).toBe(true);
    expect(Number.isNaN(v[1])).toBe(true);
    // [-0, 0, -0, 0] → -0 (0 > -0 is false); [-5, -3, -4, -9] → -3.
    const z = runOp('MaxPool', [f32([1, 1, 2, 4], [-0, 0, -5, -3, -0, 0, -4, -9])], { kernel_shape: A.ints([2, 2]), strides: A.ints([2, 2]) })[0];
    expect(Object.is(z.toArray()[0], -0)).toBe(true);
    expect(z.toArray()[1]).toBe(-3);
  });
});
