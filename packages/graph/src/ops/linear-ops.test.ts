import { describe, expect, it } from 'vitest';
import { createJsBackend, type GemmF32Args, type GemmWeightsSpec, type PackedGemmWeights } from '@qint/kernels';
import { A, expectClose, f32, graph, model, node, runOp, vi } from '../__fixtures__/graph-builder';
import { Tensor } from '@qint/tensor';
import { InferenceSession } from '../inference-session';

describe('MatMul, Gemm, Conv, ConvTranspose', () => {
  it('MatMul 2-D × 1-D and batched broadcasting', () => {
    expect(runOp('MatMul', [f32([2, 3], [1, 2, 3, 4, 5, 6]), f32([3], [1, 0, -1])])[0].toArray()).toEqual([-2, -2]);
    const y = runOp('MatMul', [f32([2, 1, 2], [1, 2, 3, 4]), f32([2, 1], [10, 1])])[0];
    expect([y.shape, y.toArray()]).toEqual([[2, 1, 1], [12, 34]]);
  });

  it('Gemm: alpha, beta, transA/transB, C broadcast as a row, a column and a scalar', () => {
    const a = f32([2, 2], [1, 2, 3, 4]);
    const eye = f32([2, 2], [1, 0, 0, 1]);
    expect(runOp('Gemm', [a, eye, f32([2], [10, 20])], { alpha: A.float(2), beta: A.float(0.5) })[0].toArray()).toEqual([7, 14, 11, 18]);
    expect(runOp('Gemm', [a, eye, f32([2, 1], [100, 200])])[0].toArray()).toEqual([101, 102, 203, 204]);
    expect(runOp('Gemm', [a, eye, f32([], [1])])[0].toArray()).toEqual([2, 3, 4, 5]);
    expect(runOp('Gemm', [a, eye], { transA: A.int(1) }, { opset: 11 })[0].toArray()).toEqual([1, 3, 2, 4]);
    // A·Bᵀ with B = [[1,1],[0,1]] → [[3, 2], [7, 4]]
    expect(runOp('Gemm', [a, f32([2, 2], [1, 1, 0, 1])], { transB: A.int(1) }, { opset: 11 })[0].toArray()).toEqual([3, 2, 7, 4]);
  });

  it('Conv: 2x2 ones kernel sums windows; pads and groups', () => {
    const x = f32([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const w = f32([1, 1, 2, 2], [1, 1, 1, 1]);
    expect(runOp('Conv', [x, w])[0].toArray()).toEqual([12, 16, 24, 28]);
    expect(runOp('Conv', [x, w, f32([1], [0.5])], { pads: A.ints([1, 1, 0, 0]) })[0].toArray()).toEqual([1.5, 3.5, 5.5, 5.5, 12.5, 16.5, 11.5, 24.5, 28.5]);
    // depthwise: 2 channels, 1x1 kernels ×2 and ×3
    const dw = runOp('Conv', [f32([1, 2, 1, 1], [1, 1]), f32([2, 1, 1, 1], [2, 3])], { group: A.int(2) })[0];
    expect(dw.toArray()).toEqual([2, 3]);
  });

  it('ConvTranspose 1-D: stride 1 overlaps, stride 2 interleaves; pads crop; output_shape', () => {
    const x = f32([1, 1, 2], [1, 2]);
    const w = f32([1, 1, 2], [1, 1]);
    expect(runOp('ConvTranspose', [x, w])[0].toArray()).toEqual([1, 3, 2]);
    expect(runOp('ConvTranspose', [x, w], { strides: A.ints([2]) })[0].toArray()).toEqual([1, 1, 2, 2]);
    expect(runOp('ConvTranspose', [x, w], { pads: A.ints([1, 0]) })[0].toArray()).toEqual([3, 2]);
    expect(runOp('ConvTranspose', [x, w, f32([1], [10])], { strides: A.ints([2]), output_shape: A.ints([5]) })[0].toArray()).toEqual([11, 11, 12, 12, 10]);
  });

  it('ConvTranspose 2-D with two output channels (hand-checked)', () => {
    // x 1x1x2x2 = [[1,2],[3,4]], w 1x2x1x1 = [2, −1]: a 1x1 kernel just scales per output channel
    const y = runOp('ConvTranspose', [f32([1, 1, 2, 2], [1, 2, 3, 4]), f32([1, 2, 1, 1], [2, -1])])[0];
    expect([y.shape, y.toArray()]).toEqual([[1, 2, 2, 2], [2, 4, 6, 8, -1, -2, -3, -4]]);
    // 2x2 ones kernel, stride 1: full correlation → 3x3 of window sums
    const z = runOp('ConvTranspose', [f32([1, 1, 2, 2], [1, 2, 3, 4]), f32([1, 1, 2, 2], [1, 1, 1, 1])])[0];
    expectClose(z.toArray(), [1, 3, 2, 4, 10, 6, 3, 7, 4]);
  });
});

describe('MatMul of attention heads (batched backend call)', () => {
  it('equals @qint/kernels matMul (one GEMM per head) bit for bit', async () => {
    const { matMul } = await import('@qint/kernels');
    const a = Tensor.from('float32', [2, 3, 5, 4], Float32Array.from({ length: 120 }, (_, i) => Math.sin(i)));
    const b = Tensor.from('float32', [2, 3, 4, 6], Float32Array.from({ length: 144 }, (_, i) => Math.cos(i * 0.7)));
    const graph = {
      name: 'mm',
      nodes: [{ name: 'mm', opType: 'MatMul', domain: '', inputs: ['a', 'b'], outputs: ['y'], attributes: {} }],
      initializers: new Map(),
      inputs: [{ name: 'a', dtype: 'float32' as const, shape: [2, 3, 5, 4] }, { name: 'b', dtype: 'float32' as const, shape: [2, 3, 4, 6] }],
      outputs: [{ name: 'y' }],
      valueInfo: [],
    };
    const y = InferenceSession.create(graph).run({ a, b }).y;
    const want = matMul(a, b);
    expect(y.shape).toEqual(want.shape);
    expect(y.data).toEqual(want.data);
  });
});

describe('MatMul and Gemm with a float32 initializer as B', () => {
  it('hand the backend each weight once to pack, and pass the packed form on every run', () => {
    const js = createJsBackend();
    const packs: GemmWeightsSpec[] = [];
    const seen: (PackedGemmWeights | undefined)[] = [];
    const backend = {
      ...js,
      name: 'packing',
      gemmF32: (args: GemmF32Args) => {
        seen.push(args.packedB);
        js.gemmF32(args);
      },
      packGemmWeights: (spec: GemmWeightsSpec): PackedGemmWeights => {
        packs.push(spec);
        return { backend: 'packing', k: spec.k, n: spec.n, transB: spec.transB, byteLength: 0 };
      },
    };
    const g = graph({
      nodes: [node('MatMul', ['x', 'w'], ['h']), node('Gemm', ['h', 'v'], ['y'], { transB: A.int(1) })],
      inputs: [vi('x', 'float32', [2, 3])],
      outputs: [vi('y')],
      initializers: { w: f32([3, 2], [1, 0, 0, 1, 1, 1]), v: f32([1, 2], [2, -1]) },
    });
    const session = InferenceSession.create(model(g), { backend });
    for (let run = 0; run < 3; run++) {
      // h = x·w = [[1+3, 2+3], [4+6, 5+6]] = [[4, 5], [10, 11]]; y = h·vᵀ = [[3], [9]]
      expect(session.run({ x: f32([2, 3], [1, 2, 3, 4, 5, 6]) }).y.toArray()).toEqual([3, 9]);
    }
    expect(packs.map((p) => [p.k, p.n, p.transB])).toEqual([[3, 2, false], [2, 1, true]]);
    expect(seen).toHaveLength(6);
    expect(seen.every((p) => p !== undefined)).toBe(true);
  });
});
