import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { A, expectClose, f32, runOp } from '../__fixtures__/graph-builder';

const u8 = (shape: number[], v: number[]) => Tensor.from('uint8', shape, v);
const i8 = (shape: number[], v: number[]) => Tensor.from('int8', shape, v);

describe('ONNX quantization ops through the executor', () => {
  it('QuantizeLinear rounds half to even and saturates; DequantizeLinear inverts', () => {
    // x/0.5 + 128: 0 → 128, 1 → 130, 2.5 → 133, −1 → 126, 0.25 → 0.5 → 0 (even) → 128, 1000 → 255
    const q = runOp('QuantizeLinear', [f32([6], [0, 1, 2.5, -1, 0.25, 1000]), f32([], [0.5]), u8([], [128])], {}, { opset: 13 })[0];
    expect([q.dtype, q.toArray()]).toEqual(['uint8', [128, 130, 133, 126, 128, 255]]);
    const d = runOp('DequantizeLinear', [q, f32([], [0.5]), u8([], [128])], {}, { opset: 13 })[0];
    expect(d.toArray()).toEqual([0, 1, 2.5, -1, 0, 63.5]);
    // per-axis (axis 1)
    const pa = runOp('QuantizeLinear', [f32([1, 2], [1, 1]), f32([2], [1, 0.5]), i8([2], [0, 0])], { axis: A.int(1) }, { opset: 13 })[0];
    expect(pa.toArray()).toEqual([1, 2]);
  });

  it('DynamicQuantizeLinear gives data, scale and zero point', () => {
    const [y, s, z] = runOp('DynamicQuantizeLinear', [f32([2], [0, 2.55])], {}, { outputs: 3 });
    expect(y.toArray()).toEqual([0, 255]);
    expect(s.toArray()[0]).toBeCloseTo(0.01, 7);
    expect(z.toArray()).toEqual([0]);
  });

  it('MatMulInteger and QLinearMatMul (exact int32 / requantized)', () => {
    // (1−1)·1 + (2−1)·2 = 2
    expect(runOp('MatMulInteger', [u8([1, 2], [1, 2]), i8([2, 1], [1, 2]), u8([], [1])])[0].toArray()).toEqual([2]);
    // a real [1, 2] (scale 1), b real [3, 4]ᵀ (scale 1) → 11; y scale 0.5 → 22
    const y = runOp('QLinearMatMul', [u8([1, 2], [1, 2]), f32([], [1]), u8([], [0]), u8([2, 1], [3, 4]), f32([], [1]), u8([], [0]), f32([], [0.5]), u8([], [0])])[0];
    expect(y.toArray()).toEqual([22]);
  });

  it('ConvInteger and QLinearConv', () => {
    const x = u8([1, 1, 2, 2], [1, 2, 3, 4]);
    const w = u8([1, 1, 2, 2], [1, 1, 1, 1]);
    expect(runOp('ConvInteger', [x, w, u8([], [1])])[0].toArray()).toEqual([6]);
    // Σ = 10, bias 2 → 12 · (1·1/4) = 3 → + zp 5 = 8
    const q = runOp('QLinearConv', [x, f32([], [1]), u8([], [0]), w, f32([], [1]), u8([], [0]), f32([], [4]), u8([], [5]), Tensor.from('int32', [1], [2])])[0];
    expect(q.toArray()).toEqual([8]);
  });
});

describe('com.microsoft contrib ops', () => {
  const ms = { domain: 'com.microsoft' };

  it('QLinearAdd requantizes A + B to C (ties to even, saturation, broadcasting)', () => {
    // A: scale .5 zp 10; B: scale .25 zp 10; C: scale .5 zp 0 → c = (a−10) + (b−10)/2, rounded half to even
    const a = u8([4], [10, 20, 11, 10]);
    const b = u8([4], [12, 14, 11, 11]);
    const c = runOp('QLinearAdd', [a, f32([], [0.5]), u8([], [10]), b, f32([], [0.25]), u8([], [10]), f32([], [0.5]), u8([], [0])], {}, ms)[0];
    // 0 + 1 = 1; 10 + 2 = 12; 1 + 0.5 = 1.5 → 2; 0 + 0.5 → 0
    expect(c.toArray()).toEqual([1, 12, 2, 0]);
    const big = runOp('QLinearAdd', [u8([2], [255, 0]), f32([], [1]), u8([], [0]), u8([], [200]), f32([], [1]), u8([], [0]), f32([], [1]), u8([], [0])], {}, ms)[0];
    expect(big.toArray()).toEqual([255, 200]);
  });

  it('QLinearMul multiplies real values', () => {
    // (12−10)·.5 = 1, (14−10)·.25 = 1 → 1 / 0.1 = 10 → + 5
    const c = runOp('QLinearMul', [u8([1], [12]), f32([], [0.5]), u8([], [10]), u8([1], [14]), f32([], [0.25]), u8([], [10]), f32([], [0.1]), u8([], [5])], {}, ms)[0];
    expect(c.toArray()).toEqual([15]);
  });

  it('QLinearConcat requantizes each input to Y', () => {
    const y = runOp(
      'QLinearConcat',
      [f32([], [1]), u8([], [0]), u8([2], [2, 4]), f32([], [0.5]), u8([], [0]), u8([1], [7]), f32([], [1]), u8([], [5])],
      { axis: A.int(0) },
      ms,
    )[0];
    expect(y.toArray()).toEqual([1, 2, 2]);
  });

  it('QLinearGlobalAveragePool: round((Σx − n·zx)·sx/(sy·n)) + zy', () => {
    // Σ(x − 1) = 7 over 4 → 1.75 real → /0.5 = 3.5 → 4 (half to even)
    const y = runOp('QLinearGlobalAveragePool', [u8([1, 1, 2, 2], [1, 2, 3, 5]), f32([], [1]), u8([], [1]), f32([], [0.5]), u8([], [0])], {}, ms)[0];
    expect([y.shape, y.toArray()]).toEqual([[1, 1, 1, 1], [4]]);
    const nhwc = runOp('QLinearGlobalAveragePool', [u8([1, 2, 1, 2], [1, 10, 3, 20]), f32([], [1]), u8([], [0]), f32([], [1]), u8([], [0])], { channels_last: A.int(1) }, ms)[0];
    expect([nhwc.shape, nhwc.toArray()]).toEqual([[1, 1, 1, 2], [2, 15]]);
  });

  it('DynamicQuantizeMatMul: uint8 activations × int8 weights, scaled, plus bias', () => {
    // A → q [0, 255], a_scale 0.01; acc = 255·2 = 510; y = 510·(0.01·0.5) + 1 = 3.55
    const y = runOp('DynamicQuantizeMatMul', [f32([1, 2], [0, 2.55]), i8([2, 1], [1, 2]), f32([], [0.5]), null, f32([1], [1])], {}, ms)[0];
    expectClose(y.toArray(), [3.55], 1e-5);
  });

  it('MatMulNBits: 4-bit blocks, default zero point 8, packed zero points, bias', () => {
    // K = 16, N = 1, block 16: q0 = 7, q1..15 = 9 → bytes [7 | 9<<4, 0x99 × 7]
    const b = u8([1, 1, 8], [0x97, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99]);
    const a = f32([1, 16], new Array(16).fill(1));
    const attrs = { K: A.int(16), N: A.int(1), bits: A.int(4), block_size: A.int(16) };
    // default zp 8: w = [−1, 1 × 15] · 0.5 → Σ = 7
    expect(runOp('MatMulNBits', [a, { init: b }, { init: f32([1], [0.5]) }], attrs, ms)[0].toArray()).toEqual([7]);
    // zero point 9 (low nibble of one packed byte): w = [−2, 0 × 15] · 0.5 → −1; bias 1.5 → 0.5
    const withZp = runOp('MatMulNBits', [a, b, f32([1], [0.5]), u8([1], [9]), null, f32([1], [1.5])], attrs, ms)[0];
    expect(withZp.toArray()).toEqual([0.5]);
    expect(() => runOp('MatMulNBits', [a, b, f32([1], [0.5]), null, u8([1], [0])], attrs, ms)).toThrowError(/g_idx/);
  });
});
