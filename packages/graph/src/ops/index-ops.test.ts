import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { A, f32, i64, runOp } from '../__fixtures__/graph-builder';

describe('index rearrangement ops', () => {
  it('DepthToSpace DCR and CRD, SpaceToDepth inverts DCR', () => {
    // 4 channels of one pixel each, blocksize 2 → one 2x2 plane
    const x = f32([1, 4, 1, 1], [1, 2, 3, 4]);
    // DCR: channel index = (bh·2 + bw)·C2 + c → plane [[1, 2], [3, 4]]
    const dcr = runOp('DepthToSpace', [x], { blocksize: A.int(2) }, { opset: 13 })[0];
    expect([dcr.shape, dcr.toArray()]).toEqual([[1, 1, 2, 2], [1, 2, 3, 4]]);
    // With 2 output channels (8 in): DCR puts c fastest, CRD puts the block fastest
    const y = f32([1, 8, 1, 1], [0, 1, 2, 3, 4, 5, 6, 7]);
    expect(runOp('DepthToSpace', [y], { blocksize: A.int(2) }, { opset: 13 })[0].toArray()).toEqual([0, 2, 4, 6, 1, 3, 5, 7]);
    expect(runOp('DepthToSpace', [y], { blocksize: A.int(2), mode: A.str('CRD') }, { opset: 13 })[0].toArray()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const back = runOp('SpaceToDepth', [dcr], { blocksize: A.int(2) })[0];
    expect([back.shape, back.toArray()]).toEqual([[1, 4, 1, 1], [1, 2, 3, 4]]);
  });

  it('GatherElements along axis 1 (ONNX example)', () => {
    const y = runOp('GatherElements', [f32([2, 2], [1, 2, 3, 4]), i64([0, 0, 1, 0], [2, 2])], { axis: A.int(1) })[0];
    expect(y.toArray()).toEqual([1, 1, 4, 3]);
  });

  it('Trilu upper/lower with k', () => {
    const x = f32([3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(runOp('Trilu', [x])[0].toArray()).toEqual([1, 2, 3, 0, 5, 6, 0, 0, 9]);
    expect(runOp('Trilu', [x, i64([1], [])], { upper: A.int(0) })[0].toArray()).toEqual([1, 2, 0, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(runOp('Trilu', [Tensor.from('int64', [2, 2], [1n, 2n, 3n, 4n])], { upper: A.int(0) })[0].data as BigInt64Array)).toEqual([1n, 0n, 3n, 4n]);
  });

  it('CumSum inclusive, exclusive, reverse; int64', () => {
    const x = f32([4], [1, 2, 3, 4]);
    const ax = i64([0], []);
    expect(runOp('CumSum', [x, ax])[0].toArray()).toEqual([1, 3, 6, 10]);
    expect(runOp('CumSum', [x, ax], { exclusive: A.int(1) })[0].toArray()).toEqual([0, 1, 3, 6]);
    expect(runOp('CumSum', [x, ax], { reverse: A.int(1) })[0].toArray()).toEqual([10, 9, 7, 4]);
    expect(runOp('CumSum', [f32([2, 2], [1, 2, 3, 4]), Tensor.from('int32', [], [1])])[0].toArray()).toEqual([1, 3, 3, 7]);
    expect(runOp('CumSum', [i64([1, 1, 1]), ax])[0].toArray()).toEqual([1, 2, 3]);
    // float64 keeps double precision: 0.1 + 0.2 in double, not float32
    const d = runOp('CumSum', [Tensor.from('float64', [2], [0.1, 0.2]), ax])[0];
    expect(d.dtype).toBe('float64');
    expect(d.toArray()).toEqual([0.1, 0.1 + 0.2]);
    expect(runOp('CumSum', [Tensor.from('uint32', [2], [4294967290, 5]), ax])[0].toArray()).toEqual([4294967290, 4294967295]);
    expect(() => runOp('CumSum', [Tensor.from('int8', [2], [1, 2]), ax])).toThrow(/input must be float32, float64, int32, int64, uint32 or uint64, got int8/);
  });
});
