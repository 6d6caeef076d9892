import { Tensor } from '@qint/tensor';
import { createJsBackend } from '@qint/kernels';
import { describe, expect, it } from 'vitest';
import { A, graph, node, vi } from '../../__fixtures__/graph-builder';
import { createSession } from '../../inference-session';
import { pack3Bit, unpack3Bit } from './pack-3bit';
import { QINT_DOMAIN } from './qint-domain';

const f = Math.fround;

function linearGraph(w: Tensor, scale: Tensor, attrs: Record<string, number>, extra: Record<string, Tensor> = {}) {
  const inputs = ['X', 'W', 'S', extra.Z ? 'Z' : '', extra.B ? 'B' : ''];
  return graph({
    nodes: [
      node('DynamicLinear', inputs, ['Y'], Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, A.int(v)])), { domain: QINT_DOMAIN }),
    ],
    inputs: [vi('X', 'float32')],
    outputs: [vi('Y', 'float32')],
    initializers: { W: w, S: scale, ...extra },
  });
}

describe('pack3Bit', () => {
  it('packs LSB first, 8 values in 3 bytes (hand-checked bits)', () => {
    // 1 = 001, -1 = 111, 3 = 011 → bits 0..8 = 1,0,0, 1,1,1, 1,1,0 → 0b11111001, 0b0
    expect(Array.from(pack3Bit([1, -1, 3]))).toEqual([0xf9, 0x00]);
    // -4 = 100 eight times: stream bits 2, 5, 8, …, 23 set → bytes 0b00100100, 0b01001001, 0b10010010
    expect(Array.from(pack3Bit(new Array(8).fill(-4)))).toEqual([0x24, 0x49, 0x92]);
    expect(pack3Bit(new Array(16).fill(0)).length).toBe(6);
  });
  it('round-trips every value at every bit offset', () => {
    const v = Array.from({ length: 29 }, (_, i) => ((i * 5) % 8) - 4);
    expect(Array.from(unpack3Bit(pack3Bit(v), v.length))).toEqual(v);
  });
  it('rejects out-of-range values and short streams', () => {
    expect(() => pack3Bit([4])).toThrow(/\[-4, 3\]/);
    expect(() => unpack3Bit(new Uint8Array(2), 8)).toThrow(/need 3 bytes/);
  });
});

describe('ai.qint::DynamicLinear', () => {
  it('computes a hand-checked dynamic product with bias', () => {
    // x = [1, -1]: scale = fround(2/255) is a hair above 2/255, so 1/scale = 127.4999… → zero point 127,
    // xq = [254, 0]; acc = (254−127)·2 + (0−127)·1 = 127; y = 127 · (scale · 0.5) + 0.25.
    const g = linearGraph(Tensor.from('int8', [1, 2], [2, 1]), Tensor.from('float32', [1], [0.5]), { bits: 8, K: 2, N: 1 }, {
      B: Tensor.from('float32', [1], [0.25]),
    });
    const y = createSession(g).run({ X: Tensor.from('float32', [1, 2], [1, -1]) }).Y;
    expect(y.shape).toEqual([1, 1]);
    expect((y.data as Float32Array)[0]).toBeCloseTo(127 * (2 / 255) * 0.5 + 0.25, 6);
  });

  it('calls a session-pinned backend primitive directly (recycled output, leading dims kept, packed once) with the same hand-checked result', () => {
    // Two rows of [1, -1] in a [1, 2, 2] input: one range for the whole tensor (perRow 0) is the same as above.
    const g = linearGraph(Tensor.from('int8', [1, 2], [2, 1]), Tensor.from('float32', [1], [0.5]), { bits: 8, K: 2, N: 1 }, {
      B: Tensor.from('float32', [1], [0.25]),
    });
    const js = createJsBackend();
    const packs: number[] = [];
    const ms: number[] = [];
    const backend = {
      ...js,
      name: 'recording',
      packLinearWeights: (spec: Parameters<NonNullable<typeof js.packLinearWeights>>[0]) => {
        packs.push(spec.n);
        return js.packLinearWeights!(spec);
      },
      dynamicLinear: (args: Parameters<NonNullable<typeof js.dynamicLinear>>[0]) => {
        ms.push(args.m);
        js.dynamicLinear!(args);
      },
    };
    const session = createSession(g, { backend });
    const want = 127 * (2 / 255) * 0.5 + 0.25;
    for (let run = 0; run < 3; run++) {
      const y = session.run({ X: Tensor.from('float32', [1, 2, 2], [1, -1, 1, -1]) }).Y;
      expect(y.shape).toEqual([1, 2, 1]);
      expect((y.data as Float32Array)[0]).toBeCloseTo(want, 6);
      expect((y.data as Float32Array)[1]).toBeCloseTo(want, 6);
    }
    expect(ms).toEqual([2, 2, 2]);
    expect(packs).toEqual([1]);
  });

  it('runs 3-bit stream weights with per-block scales like the unpacked int8 values', () => {
    const n = 3;
    const k = 20;
    const values = Array.from({ length: n * k }, (_, i) => ((i * 7) % 8) - 4);
    const scales = Tensor.from('float32', [n, 3], Array.from({ length: 9 }, (_, i) => 0.01 * (i + 1)));
    const x = Tensor.from('float32', [2, k], Array.from({ length: 2 * k }, (_, i) => Math.sin(i)));
    const y3 = createSession(linearGraph(Tensor.from('uint8', [Math.ceil((3 * n * k) / 8)], pack3Bit(values)), scales, { bits: 3, block_size: 8, K: k, N: n })).run({ X: x }).Y;
    // Reference by hand: dequantized weights times the dequantized per-tensor uint8 activations.
    const xs = x.data as Float32Array;
    let lo = 0;
    let hi = 0;
    for (const v of xs) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    const s = f((hi - lo) / 255);
    const zp = Math.round(-lo / s);
    for (let r = 0; r < 2; r++) {
      for (let c = 0; c < n; c++) {
        let acc = 0;
        for (let j = 0; j < k; j++) {
          const q = Math.min(255, Math.max(0, Math.round(xs[r * k + j] / s) + zp));
          acc += (q - zp) * s * values[c * k + j] * (scales.data as Float32Array)[c * 3 + Math.floor(j / 8)];
        }
        expect((y3.data as Float32Array)[r * n + c]).toBeCloseTo(acc, 4);
      }
    }
  });

  it('rejects weights of the wrong storage type and run-time weights', () => {
    const bad = linearGraph(Tensor.from('int8', [1, 2], [1, 1]), Tensor.from('float32', [1], [1]), { bits: 4, K: 2, N: 1 });
    expect(() => createSession(bad)).toThrow(/must be int4 for bits = 4/);
    const g = graph({
      nodes: [node('DynamicLinear', ['X', 'W', 'S'], ['Y'], { bits: A.int(8), K: A.int(2), N: A.int(1) }, { domain: QINT_DOMAIN })],
      inputs: [vi('X', 'float32'), vi('W', 'int8')],
      outputs: [vi('Y', 'float32')],
      initializers: { S: Tensor.from('float32', [1], [1]) },
    });
    expect(() => createSession(g)).toThrow(/must be an initializer/);
  });
});

describe('ai.qint::DynamicConv', () => {
  it('matches a hand-computed 1×1 convolution of dynamically quantized input', () => {
    // x = [0, 1, 2, 3] (one channel, 2×2): scale 3/255, zero point 0, xq = [0, 85, 170, 255]; w = 2 with scale 0.1.
    const g = graph({
      nodes: [node('DynamicConv', ['X', 'W', 'S', '', 'B'], ['Y'], {}, { domain: QINT_DOMAIN })],
      inputs: [vi('X', 'float32')],
      outputs: [vi('Y', 'float32')],
      initializers: { W: Tensor.from('int8', [1, 1, 1, 1], [2]), S: Tensor.from('float32', [1], [0.1]), B: Tensor.from('float32', [1], [1]) },
    });
    const y = createSession(g).run({ X: Tensor.from('float32', [1, 1, 2, 2], [0, 1, 2, 3]) }).Y;
    const s = f(f(3 / 255) * f(0.1));
    expect(Array.from(y.data as Float32Array)).toEqual([0, 170, 340, 510].map((a) => f(f(a * s) + 1)));
  });

  it('requires W and w_scale, as initializers', () => {
    const conv = (inputs: string[], init: Record<string, Tensor>, graphInputs = [vi('X', 'float32')]) =>
      graph({ nodes: [node('DynamicConv', inputs, ['Y'], {}, { domain: QINT_DOMAIN })], inputs: graphInputs, outputs: [vi('Y', 'float32')], initializers: init });
    const S = Tensor.from('float32', [1], [0.1]);
    expect(() => createSession(conv(['X', 'W', 'S'], { S }, [vi('X', 'float32'), vi('W', 'int8')]))).toThrow(/input 1 "W" \(W\) must be an initializer/);
    expect(() => createSession(conv(['X', 'W', ''], { W: Tensor.from('int8', [1, 1, 1, 1], [2]) }))).toThrow(/input 2 "w_scale" is required/);
  });
});
