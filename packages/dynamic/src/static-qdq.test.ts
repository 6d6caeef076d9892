import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { makeModel, op } from '../test/__fixtures__/models';
import { quantizeStatic } from './quantize-static';

// Gemm(x [1, 3], B, C): B is [N=2, K=3] with transB = 1, or its transpose [K, N] without; rows (output channels)
// [1, 0, −1] and [2, 1, 0.5]. x in [0, 2.55] → uint8 scale 0.01.
const rows = [1, 0, -1, 2, 1, 0.5];
const cols = [1, 2, 0, 1, -1, 0.5];
const gemm = (attrs: Record<string, { type: 'int'; value: number }>, b: number[], shape: number[]) =>
  makeModel(
    [op('Gemm', ['x', 'B', 'C'], ['y'], attrs, 'fc')],
    { B: Tensor.from('float32', shape, b), C: Tensor.from('float32', [2], [0, 0]) },
    [{ name: 'x', shape: [1, 3] }],
    ['y'],
  );
const ranges = { x: { min: 0, max: 2.55 } };

describe('quantizeStatic format qdq, Gemm (hand-checked)', () => {
  it('per-channel weight scales on axis 0 with transB = 1, on axis 1 without; transA = 1 is skipped', () => {
    for (const [attrs, b, shape, axis] of [
      [{ transB: { type: 'int', value: 1 } }, rows, [2, 3], 0],
      [{}, cols, [3, 2], 1],
    ] as const) {
      const { model: q } = quantizeStatic(gemm(attrs, [...b], [...shape]), ranges, { weightType: 'int8' });
      const dq = q.graph.nodes.find((n) => n.opType === 'DequantizeLinear' && q.graph.initializers.get(n.inputs[0])?.dtype === 'int8')!;
      expect(dq.attributes.axis).toEqual({ type: 'int', value: axis });
      // PyTorch convention: int8 symmetric scale = absmax / 127.5 per output channel: 1/127.5 and 2/127.5.
      expect(Array.from(q.graph.initializers.get(dq.inputs[1])!.data as Float32Array)).toEqual([Math.fround(1 / 127.5), Math.fround(2 / 127.5)]);
      const values = q.graph.initializers.get(dq.inputs[0])!;
      expect(values.shape).toEqual([...shape]);
      // Row 1: 2 → 127 (2·127.5/2 = 127.5 clamps), 1 → round(63.75) = 64, 0.5 → round(31.875) = 32.
      const expected = axis === 0 ? [127, 0, -127, 127, 64, 32] : [127, 127, 0, 64, -127, 32];
      expect(Array.from(values.data as Int8Array)).toEqual(expected);
      expect(Array.from(q.graph.initializers.get(dq.inputs[2])!.data as Int8Array)).toEqual([0, 0]);
      // The default storage is uint8: the same values + 128 with zero point 128 on the same axis.
      const { model: u } = quantizeStatic(gemm(attrs, [...b], [...shape]), ranges);
      const udq = u.graph.nodes.find((n) => n.opType === 'DequantizeLinear' && u.graph.initializers.get(n.inputs[0])?.shape.length === 2)!;
      expect(udq.attributes.axis).toEqual({ type: 'int', value: axis });
      expect(u.graph.initializers.get(udq.inputs[0])!.dtype).toBe('uint8');
      expect(Array.from(u.graph.initializers.get(udq.inputs[0])!.data as Uint8Array)).toEqual(expected.map((v) => v + 128));
      expect(Array.from(u.graph.initializers.get(udq.inputs[2])!.data as Uint8Array)).toEqual([128, 128]);
    }
    expect(() => quantizeStatic(gemm({ transA: { type: 'int', value: 1 } }, [...cols], [3, 2]), ranges)).toThrow(/Gemm "fc": transA = 1 is not supported/);
  });
});
