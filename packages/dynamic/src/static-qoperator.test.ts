import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { makeModel, op } from '../test/__fixtures__/models';
import { quantizeStatic } from './quantize-static';

// 1×1 Conv, W = [0.5, −1] (two output channels), B = [0.25, 1e12]; x in [0, 2.55] → uint8 scale 0.01, zero point 0.
const model = makeModel(
  [op('Conv', ['x', 'W', 'B'], ['y'], {}, 'conv')],
  { W: Tensor.from('float32', [2, 1, 1, 1], [0.5, -1]), B: Tensor.from('float32', [2], [0.25, 1e12]) },
  [{ name: 'x', shape: [1, 1, 1, 2] }],
  ['y'],
);
const ranges = { x: { min: 0, max: 2.55 }, y: { min: -3, max: 3 } };

describe('quantizeStatic format qoperator (hand-checked)', () => {
  it('int32 bias = round(b / (x_scale · w_scale[m])), clamped to int32 with a warning', () => {
    const { model: q, report } = quantizeStatic(model, ranges, { format: 'qoperator' });
    const conv = q.graph.nodes.find((n) => n.opType === 'QLinearConv')!;
    const init = (i: number) => q.graph.initializers.get(conv.inputs[i])!;
    expect((init(1).data as Float32Array)[0]).toBeCloseTo(0.01, 9);
    // PyTorch convention: int8 symmetric scale = absmax / 127.5.
    expect(Array.from(init(4).data as Float32Array)).toEqual([Math.fround(0.5 / 127.5), Math.fround(1 / 127.5)]);
    // Default storage uint8: the int8 values [127, −127] shifted by +128, zero point 128 per channel (same numbers;
    // onnxruntime then multiplies u8 × u8, exact on every CPU).
    expect(init(3).dtype).toBe('uint8');
    expect(Array.from(init(3).data as Uint8Array)).toEqual([255, 1]);
    expect(Array.from(init(5).data as Uint8Array)).toEqual([128, 128]);
    // 0.25 / (0.01 · 0.5/127.5) = 6375; 1e12 / (0.01 / 127.5) = 1.275e16 does not fit in int32.
    expect(Array.from(init(8).data as Int32Array)).toEqual([6375, 2147483647]);
    expect(report.warnings.join('\n')).toMatch(/conv: 1 bias value\(s\) exceed int32/);
  });

  it("weightType 'int8' stores the signed values with zero point 0, same scales and bias", () => {
    const { model: q } = quantizeStatic(model, ranges, { format: 'qoperator', weightType: 'int8' });
    const conv = q.graph.nodes.find((n) => n.opType === 'QLinearConv')!;
    const init = (i: number) => q.graph.initializers.get(conv.inputs[i])!;
    expect(Array.from(init(3).data as Int8Array)).toEqual([127, -127]);
    expect(init(5).dtype).toBe('int8');
    expect(Array.from(init(5).data as Int8Array)).toEqual([0, 0]);
    expect(Array.from(init(8).data as Int32Array)).toEqual([6375, 2147483647]);
    expect(() => quantizeStatic(model, ranges, { format: 'qoperator', weightType: 'u8' as never })).toThrow(/"weightType" must be 'uint8' or 'int8', got "u8"/);
  });
});
