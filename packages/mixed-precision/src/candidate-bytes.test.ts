import { byteLengthOf, packSubByte, ValueError } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { candidateBytes } from './candidate-bytes';

describe('candidateBytes', () => {
  it('per-channel, per-tensor and float by hand', () => {
    expect(candidateBytes({ n: 64, k: 128, bits: 8 })).toBe(64 * 128 + 64 * 4);
    expect(candidateBytes({ n: 64, k: 128, bits: 8, hasZeroPoints: true })).toBe(64 * 128 + 64 * 4 + 64);
    expect(candidateBytes({ n: 64, k: 128, bits: 8, granularity: 'per-tensor' })).toBe(64 * 128 + 4);
    expect(candidateBytes({ n: 64, k: 128, bits: 32 })).toBe(4 * 64 * 128);
    expect(candidateBytes({ n: 3, k: 5, bits: 3 })).toBe(Math.ceil(45 / 8) + 12); // 6 packed bytes + 3 scales
    expect(candidateBytes({ n: 0, k: 5, bits: 4 })).toBe(0);
  });

  it('per-block: n·ceil(k/bs) groups, the last block of a row may be short; zero points packed at `bits`', () => {
    // k = 100, bs = 32 → 4 blocks per row (the last holds 4 inputs); 10 rows → 40 groups.
    expect(candidateBytes({ n: 10, k: 100, bits: 4, blockSize: 32 })).toBe(500 + 40 * 4);
    expect(candidateBytes({ n: 10, k: 100, bits: 4, blockSize: 32, hasZeroPoints: true })).toBe(500 + 160 + 20);
    expect(candidateBytes({ n: 10, k: 100, bits: 3, blockSize: 64, hasZeroPoints: true, scaleBytes: 2 })).toBe(375 + 40 + Math.ceil((20 * 3) / 8));
  });

  it('equals the published block formats: GGML Q4_0 (18 B) and Q8_0 (34 B) per 32 weights, MatMulNBits 4-bit', () => {
    expect(candidateBytes({ n: 1, k: 32, bits: 4, blockSize: 32, scaleBytes: 2 })).toBe(18);
    expect(candidateBytes({ n: 1, k: 32, bits: 8, blockSize: 32, scaleBytes: 2 })).toBe(34);
    expect(candidateBytes({ n: 4096, k: 4096, bits: 4, blockSize: 32, scaleBytes: 2 })).toBe((4096 * 4096) / 32 * 18);
    // MatMulNBits B [N, K/bs, bs·bits/8] + float32 scales [N, K/bs] + packed uint4 zero points.
    expect(candidateBytes({ n: 256, k: 512, bits: 4, blockSize: 64, hasZeroPoints: true })).toBe(256 * 8 * 32 + 256 * 8 * 4 + (256 * 8) / 2);
  });

  it('packed weights agree with @qint/tensor packing for sub-byte dtypes', () => {
    for (const [dtype, bits] of [['int4', 4], ['int2', 2]] as const) {
      for (const count of [1, 7, 33, 100]) {
        const packed = packSubByte(new Array(count).fill(0), dtype).length;
        expect(packed).toBe(byteLengthOf(dtype, count));
        expect(candidateBytes({ n: 1, k: count, bits, granularity: 'per-tensor' })).toBe(packed + 4);
      }
    }
  });

  it('rejects bad arguments with ValueError', () => {
    expect(() => candidateBytes({ n: -1, k: 4, bits: 8 })).toThrow(ValueError);
    expect(() => candidateBytes({ n: 1.5, k: 4, bits: 8 })).toThrow(/n must be a non-negative integer/);
    expect(() => candidateBytes({ n: 1, k: 4, bits: 9 })).toThrow(/bits must be an integer 1–8/);
    expect(() => candidateBytes({ n: 1, k: 4, bits: 4, granularity: 'per-block' })).toThrow(/blockSize/);
    expect(() => candidateBytes({ n: 1, k: 4, bits: 8, granularity: 'float' })).toThrow(/32 bits/);
    expect(() => candidateBytes({ n: 1, k: 4, bits: 8, scaleBytes: 3 as 4 })).toThrow(/scaleBytes/);
    expect(() => candidateBytes({ n: 2 ** 40, k: 2 ** 20, bits: 8 })).toThrow(/exceeds 2\^53/);
  });
});
