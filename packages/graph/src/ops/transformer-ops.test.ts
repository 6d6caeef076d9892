// Exact-math and refusal checks of the transformer ops; their numerics against onnxruntime and the ONNX reference
// are in @qint/onnx's transformer-ops.test.ts (suite cases and onnxruntime-recorded com.microsoft models).
import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { A, f32, runOp } from '../__fixtures__/graph-builder';
import { GraphError } from '../graph-error';
import { UnsupportedOpError } from '../unsupported-op-error';

const ms = { domain: 'com.microsoft' };

describe('com.microsoft BiasAdd (no onnxruntime CPU kernel to compare with)', () => {
  it('is X + bias + skip, elementwise, bias over the channels', () => {
    const x = f32([1, 2, 3], [1, 2, 3, 4, 5, 6]);
    const y = runOp('BiasAdd', [x, f32([3], [10, 20, 30]), f32([1, 2, 3], [0.5, 0.5, 0.5, -1, -1, -1])], {}, ms)[0];
    expect(y.shape).toEqual([1, 2, 3]);
    expect(y.toArray()).toEqual([11.5, 22.5, 33.5, 13, 24, 35]);
  });
});

describe('ai.onnx Attention: exact small cases', () => {
  it('one query over two keys with equal scores averages V; a boolean mask picks one key; causal hides the future', () => {
    // Q·K = 0 for both keys → weights ½, ½.
    const q = f32([1, 1, 1, 2], [0, 0]);
    const k = f32([1, 1, 2, 2], [1, 0, 2, 0]);
    const v = f32([1, 1, 2, 1], [3, 5]);
    // scores 0·1 = 0 and 0·2 = 0 → y = 4
    expect(runOp('Attention', [q, k, v], {}, { opset: 23 })[0].toArray()).toEqual([4]);
    const mask = Tensor.from('bool', [1, 2], [0, 1]);
    expect(runOp('Attention', [q, k, v, mask], {}, { opset: 23 })[0].toArray()).toEqual([5]);
    // Two queries, causal: query 0 sees key 0 only.
    const q2 = f32([1, 1, 2, 2], [0, 0, 0, 0]);
    const y = runOp('Attention', [q2, k, v], { is_causal: A.int(1) }, { opset: 23 })[0].toArray();
    expect(y).toEqual([3, 4]);
  });

  it('refuses an unknown qk_matmul_output_mode at load', () => {
    const q = f32([1, 1, 1, 2], [0, 0]);
    expect(() => runOp('Attention', [q, q, q], { qk_matmul_output_mode: A.int(7) }, { opset: 23 })).toThrow(GraphError);
  });
});

describe('load-time refusals name the op and the variant', () => {
  const x = f32([1, 2, 4], [1, 2, 3, 4, 5, 6, 7, 8]);
  const cases: [string, () => unknown, RegExp][] = [
    ['RMSNormalization stash_type 0', () => runOp('RMSNormalization', [x, f32([4], [1, 1, 1, 1])], { stash_type: A.int(0) }, { opset: 23 }), /stash_type = 0/],
    ['Attention do_rotary', () => runOp('Attention', [x, { init: f32([4, 12], new Array(48).fill(0)) }], { num_heads: A.int(2), do_rotary: A.int(1) }, ms), /do_rotary = 1/],
    ['GroupQueryAttention smooth_softmax', () => runOp('GroupQueryAttention', [x], { num_heads: A.int(2), kv_num_heads: A.int(1), smooth_softmax: A.int(1) }, ms), /smooth_softmax/],
    ['GatherBlockQuantized bits 2', () => runOp('GatherBlockQuantized', [Tensor.from('uint8', [2, 16], new Uint8Array(32)), Tensor.from('int64', [1], [0n]), f32([2, 1], [1, 1])], { bits: A.int(2), block_size: A.int(16) }, ms), /bits = 2/],
    ['RotaryEmbedding is_packed_batching', () => runOp('RotaryEmbedding', [x, Tensor.from('int64', [1], [0n]), f32([4, 1], [1, 1, 1, 1]), f32([4, 1], [0, 0, 0, 0])], { num_heads: A.int(2), is_packed_batching: A.int(1) }, ms), /is_packed_batching/],
  ];
  for (const [what, run, message] of cases) {
    it(what, () => {
      let error: unknown;
      try {
        run();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UnsupportedOpError);
      expect(String((error as Error).message)).toMatch(message);
    });
  }
});

describe('com.microsoft GatherBlockQuantized on int4 / uint4 data (no onnxruntime fixture: onnx 1.12 cannot write int4)', () => {
  const values = Array.from({ length: 32 }, (_, i) => (i % 16) - 8); // row r: −8 … 7
  it('int4: (q − 0) · scale of the gathered rows, zero point 0 by default', () => {
    const data = Tensor.from('int4', [2, 16], values);
    const y = runOp('GatherBlockQuantized', [data, Tensor.from('int64', [1], [1n]), f32([2, 1], [0.5, 0.25])], { block_size: A.int(16) }, ms)[0];
    expect(y.shape).toEqual([1, 16]);
    expect(y.toArray()).toEqual(values.slice(16).map((q) => q * 0.25));
  });
  it('uint4: default zero point 8, explicit zero points per block', () => {
    const u = values.map((v) => v + 8); // 0 … 15
    const data = Tensor.from('uint4', [2, 16], u);
    const y = runOp('GatherBlockQuantized', [data, Tensor.from('int64', [2], [0n, 1n]), f32([2, 1], [1, 2])], { block_size: A.int(16) }, ms)[0];
    expect(y.toArray()).toEqual([...u.slice(0, 16).map((q) => q - 8), ...u.slice(16).map((q) => (q - 8) * 2)]);
    const z = runOp('GatherBlockQuantized', [data, Tensor.from('int64', [1], [1n]), f32([2, 1], [1, 2]), Tensor.from('uint4', [2, 1], [0, 3])], { block_size: A.int(16) }, ms)[0];
    expect(z.toArray()).toEqual(u.slice(16).map((q) => (q - 3) * 2));
  });
});
