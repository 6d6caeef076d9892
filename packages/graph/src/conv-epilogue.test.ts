import { describe, expect, it } from 'vitest';
import { applyConvEpilogue, convEpilogueOptions, readConvEpilogue } from './conv-epilogue';
import type { Attribute, Node } from './ir';
import { AttributeReader } from './ops/attribute-reader';

const reader = (attributes: Record<string, Attribute>) => {
  const node: Node = { name: 'c', opType: 'Conv', domain: '', inputs: ['x', 'w'], outputs: ['y'], attributes };
  return new AttributeReader(node, 'Conv "c"');
};

describe('conv epilogue attributes', () => {
  it('reads nothing, Relu, the per-channel affine map and the pool', () => {
    expect(readConvEpilogue(reader({}))).toBeUndefined();
    expect(readConvEpilogue(reader({ activation: { type: 'string', value: 'Relu' } }))).toEqual({ relu: true });
    const e = readConvEpilogue(reader({ post_scale: { type: 'floats', value: [2, 0.5] }, post_shift: { type: 'floats', value: [1, -1] }, pool: { type: 'ints', value: [2, 2, 2, 2] } }), 2)!;
    expect([e.relu, Array.from(e.scale!), Array.from(e.shift!), e.pool]).toEqual([false, [2, 0.5], [1, -1], [2, 2, 2, 2]]);
  });

  it('maps an epilogue to the conv kernels\' option fields, only those it sets', () => {
    expect(convEpilogueOptions(undefined)).toEqual({});
    expect(convEpilogueOptions({ relu: false })).toEqual({});
    const scale = Float64Array.from([2]);
    const shift = Float64Array.from([-1]);
    expect(convEpilogueOptions({ relu: true, scale, shift, pool: [2, 2, 2, 2] })).toEqual({ relu: true, postScale: scale, postShift: shift, pool: [2, 2, 2, 2] });
  });

  it('rejects an unknown activation, unpaired or mis-sized per-channel lists and a bad pool', () => {
    expect(() => readConvEpilogue(reader({ activation: { type: 'string', value: 'Gelu' } }))).toThrow(/"activation" must be "Relu", got "Gelu"/);
    expect(() => readConvEpilogue(reader({ post_scale: { type: 'floats', value: [1] } }))).toThrow(/must come together/);
    expect(() => readConvEpilogue(reader({ post_scale: { type: 'floats', value: [1] }, post_shift: { type: 'floats', value: [1] } }), 3)).toThrow(/has 1 values; the conv has 3/);
    expect(() => readConvEpilogue(reader({ pool: { type: 'ints', value: [2, 0, 1, 1] } }))).toThrow(/"pool" must be 4 positive integers/);
  });

  it('applies Relu then the affine map per channel plane, batch after batch (hand-checked)', () => {
    // [N=2, C=2, 2 values]: channel 0 ×2 + 1, channel 1 ×0.5 − 1, after Relu (−0 → 0, NaN stays NaN).
    const data = Float32Array.from([-1, 3, NaN, 4, -0, 0.5, -2, 8]);
    applyConvEpilogue(data, { relu: true, scale: Float64Array.from([2, 0.5]), shift: Float64Array.from([1, -1]) }, 2, 2);
    expect(Array.from(data)).toEqual([1, 7, NaN, 1, 1, 2, -1, 3]);
  });
});
