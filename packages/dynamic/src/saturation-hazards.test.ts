import { MS_DOMAIN } from '@qint/graph';
import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { makeModel, op } from '../test/__fixtures__/models';
import { SATURATION_FREE_INT8, saturationHazards } from './saturation-hazards';

// 2 · 255 · 64 = 32,640 fits int16; 2 · 255 · 65 = 33,150 does not (onnxruntime's vpmaddubsw pairs on non-VNNI x86).
const weight = (dtype: 'int8' | 'uint8', v: number) => Tensor.from(dtype, [4, 2], [v, 0, dtype === 'int8' ? -1 : 1, 2, 3, 0, 1, 1]);

describe('saturationHazards (hand-checked)', () => {
  it('MatMulInteger with a uint8 activation: int8 weights beyond ±64 are a hazard, within ±64 or uint8 are not', () => {
    expect(SATURATION_FREE_INT8).toBe(64);
    const model = (w: Tensor) => makeModel([op('MatMulInteger', ['x', 'W'], ['y'], {}, 'mm')], { W: w }, [{ name: 'x', shape: [1, 4] }], ['y']);
    expect(saturationHazards(model(weight('int8', 65)))).toEqual([{ node: 'mm', opType: 'MatMulInteger', weight: 'W', maxAbs: 65 }]);
    expect(saturationHazards(model(weight('int8', -128)))).toEqual([{ node: 'mm', opType: 'MatMulInteger', weight: 'W', maxAbs: 128 }]);
    expect(saturationHazards(model(weight('int8', 64)))).toEqual([]);
    expect(saturationHazards(model(weight('int8', -64)))).toEqual([]);
    expect(saturationHazards(model(weight('uint8', 255)))).toEqual([]);
  });

  it('an int8 activation (QuantizeLinear with an int8 zero point) makes the product s8 × s8: no hazard', () => {
    const model = makeModel(
      [op('QuantizeLinear', ['x', 's', 'z'], ['xq']), op('MatMulInteger', ['xq', 'W'], ['y'], {}, 'mm')],
      { s: Tensor.scalar('float32', 0.1), z: Tensor.scalar('int8', 0), W: weight('int8', 127) },
      [{ name: 'x', shape: [1, 4] }],
      ['y'],
    );
    expect(saturationHazards(model)).toEqual([]);
    const u8 = makeModel(
      [op('QuantizeLinear', ['x', 's', 'z'], ['xq']), op('MatMulInteger', ['xq', 'W'], ['y'], {}, 'mm')],
      { s: Tensor.scalar('float32', 0.1), z: Tensor.scalar('uint8', 128), W: weight('int8', 127) },
      [{ name: 'x', shape: [1, 4] }],
      ['y'],
    );
    expect(saturationHazards(u8).map((h) => h.node)).toEqual(['mm']);
  });

  it('QLinearConv / QDQ Conv / com.microsoft DynamicQuantizeMatMul, weights reached through Identity', () => {
    const w = Tensor.from('int8', [1, 1, 1, 2], [100, -3]);
    const qlinear = makeModel(
      [op('Identity', ['W0'], ['W']), op('QLinearConv', ['x', 'xs', 'xz', 'W', 'ws', 'wz', 'ys', 'yz'], ['y'], {}, 'conv')],
      { W0: w, xs: Tensor.scalar('float32', 1), xz: Tensor.scalar('uint8', 0), ws: Tensor.scalar('float32', 1), wz: Tensor.scalar('int8', 0), ys: Tensor.scalar('float32', 1), yz: Tensor.scalar('uint8', 0) },
      [{ name: 'x', shape: [1, 1, 1, 1] }],
      ['y'],
    );
    expect(saturationHazards(qlinear)).toEqual([{ node: 'conv', opType: 'QLinearConv', weight: 'W', maxAbs: 100 }]);
    const qdq = makeModel(
      [
        op('QuantizeLinear', ['x', 'xs', 'xz'], ['xq']),
        op('DequantizeLinear', ['xq', 'xs', 'xz'], ['xd']),
        op('DequantizeLinear', ['W', 'ws'], ['wd']),
        op('Conv', ['xd', 'wd'], ['y'], {}, 'conv'),
      ],
      { W: w, xs: Tensor.scalar('float32', 1), xz: Tensor.scalar('uint8', 0), ws: Tensor.scalar('float32', 1) },
      [{ name: 'x', shape: [1, 1, 1, 1] }],
      ['y'],
    );
    expect(saturationHazards(qdq)).toEqual([{ node: 'conv', opType: 'Conv (QDQ)', weight: 'W', maxAbs: 100 }]);
    const ms = makeModel([{ ...op('DynamicQuantizeMatMul', ['x', 'W', 'ws'], ['y'], {}, 'dq'), domain: MS_DOMAIN }], { W: weight('int8', -90), ws: Tensor.scalar('float32', 1) }, [{ name: 'x', shape: [1, 4] }], ['y']);
    expect(saturationHazards(ms)).toEqual([{ node: 'dq', opType: `${MS_DOMAIN}::DynamicQuantizeMatMul`, weight: 'W', maxAbs: 90 }]);
  });

  it('a weight that is not a constant is not judged', () => {
    const model = makeModel([op('MatMulInteger', ['x', 'w'], ['y'], {}, 'mm')], {}, [{ name: 'x', shape: [1, 4] }, { name: 'w', shape: [4, 2] }], ['y']);
    expect(saturationHazards(model)).toEqual([]);
  });
});
