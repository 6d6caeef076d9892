import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { A, f32, graph, i64, model, node, runOp, vi } from '../__fixtures__/graph-builder';
import { inferShapes } from '../infer-shapes';
import { createSession } from '../inference-session';

describe('value-selection ops', () => {
  it('TopK largest/smallest, ties keep the lower index', () => {
    const x = f32([2, 3], [1, 3, 3, 5, 4, 6]);
    const [v, i] = runOp('TopK', [x, i64([2])], {}, { opset: 11, outputs: 2 });
    expect([v.toArray(), i.toArray()]).toEqual([[3, 3, 6, 5], [1, 2, 2, 0]]);
    const [s] = runOp('TopK', [x, i64([1])], { largest: A.int(0), axis: A.int(0) }, { opset: 11, outputs: 2 });
    expect(s.toArray()).toEqual([1, 3, 3]);
  });

  it('Unique sorted and unsorted, with indices, inverse and counts (ONNX example)', () => {
    const x = f32([6], [2, 1, 1, 3, 4, 3]);
    const [y, idx, inv, cnt] = runOp('Unique', [x], { sorted: A.int(0) }, { opset: 11, outputs: 4 });
    expect([y.toArray(), idx.toArray(), inv.toArray(), cnt.toArray()]).toEqual([[2, 1, 3, 4], [0, 1, 3, 4], [0, 1, 1, 2, 3, 2], [1, 2, 2, 1]]);
    const [ys, , invs] = runOp('Unique', [x], {}, { opset: 11, outputs: 4 });
    expect([ys.toArray(), invs.toArray()]).toEqual([[1, 2, 3, 4], [1, 0, 0, 2, 3, 2]]);
    const [rows] = runOp('Unique', [f32([3, 2], [1, 0, 0, 1, 1, 0])], { axis: A.int(0) }, { opset: 11, outputs: 4 });
    expect([rows.shape, rows.toArray()]).toEqual([[2, 2], [0, 1, 1, 0]]);
  });

  it('NonZero and Compress', () => {
    const nz = runOp('NonZero', [f32([2, 2], [1, 0, 1, 1])], {}, { opset: 13 })[0];
    expect([nz.shape, nz.toArray()]).toEqual([[2, 3], [0, 1, 1, 0, 0, 1]]);
    const x = f32([3, 2], [1, 2, 3, 4, 5, 6]);
    const rows = runOp('Compress', [x, Tensor.from('bool', [2], [0, 1])], { axis: A.int(0) }, { opset: 11 })[0];
    expect([rows.shape, rows.toArray()]).toEqual([[1, 2], [3, 4]]);
    expect(runOp('Compress', [x, Tensor.from('bool', [6], [1, 0, 0, 1, 1, 0])], {}, { opset: 11 })[0].toArray()).toEqual([1, 4, 5]);
  });

  it('NonMaxSuppression keeps the best box of an overlapping pair, per class, up to the limit', () => {
    // Boxes (y1, x1, y2, x2): 0 and 1 overlap with IoU 0.9 / 1.1 ≈ 0.82; box 2 is far away.
    const boxes = f32([1, 3, 4], [0, 0, 1, 1, 0, 0.1, 1, 1.1, 0, 10, 1, 11]);
    const scores = f32([1, 1, 3], [0.9, 0.95, 0.3]);
    const run = (iou: number, max: number) => runOp('NonMaxSuppression', [boxes, scores, i64([max], []), f32([], [iou]), f32([], [0])], {}, { opset: 11 })[0];
    expect(run(0.5, 10).toArray()).toEqual([0, 0, 1, 0, 0, 2]);
    expect(run(0.9, 10).toArray()).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 2]);
    expect(run(0.5, 1).shape).toEqual([1, 3]);
  });

  it('NonMaxSuppression visits equal scores by box index (the order onnxruntime-node 1.30 gives)', () => {
    // 13 disjoint boxes, every third scoring 0.5 and the rest 0.25; onnxruntime returned boxes 0,3,6,9,12,1,2,4,…
    const n = 13;
    const boxes = f32([1, n, 4], Array.from({ length: n }, (_, i) => [0, 10 * i, 1, 10 * i + 1]).flat());
    const scores = f32([1, 1, n], Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0.5 : 0.25)));
    const y = runOp('NonMaxSuppression', [boxes, scores, i64([100], [])], {}, { opset: 11 })[0].toArray();
    expect(y.filter((_, i) => i % 3 === 2)).toEqual([0, 3, 6, 9, 12, 1, 2, 4, 5, 7, 8, 10, 11]);
  });

  it('data-dependent shapes stay unknown through inference and run (NonZero → Transpose → GatherND, as SSDlite)', () => {
    const g = graph({
      nodes: [
        node('Greater', ['x', 't'], ['mask']),
        node('NonZero', ['mask'], ['nz']),
        node('Transpose', ['nz'], ['idx'], { perm: A.ints([1, 0]) }),
        node('GatherND', ['x', 'idx'], ['picked']),
        node('Relu', ['picked'], ['y']),
      ],
      inputs: [vi('x', 'float32', ['N', 4])],
      outputs: [vi('y')],
      initializers: { t: f32([], [0.5]) },
    });
    const infos = inferShapes(model(g, 13));
    expect(infos.get('nz')).toEqual({ name: 'nz', dtype: 'int64', shape: [2, undefined] });
    expect(infos.get('y')).toEqual({ name: 'y', dtype: 'float32', shape: [undefined] });
    const s = createSession(model(g, 13));
    expect(s.run({ x: f32([2, 4], [0, 1, 0, 2, 3, 0, 0, 0.25]) }).y.toArray()).toEqual([1, 2, 3]);
    expect(s.run({ x: f32([1, 4], [0, 0, 0, 0]) }).y.shape).toEqual([0]);
  });
});
