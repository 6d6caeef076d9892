import { describe, expect, it } from 'vitest';
import { createJsBackend } from '@qint/kernels';
import { createWasmBackend } from '../src/index';

describe('smoke', () => {
  it('matMulInteger and dynamicLinear agree', async () => {
    const wasm = await createWasmBackend();
    const js = createJsBackend();
    const m = 5, n = 11, k = 19;
    const a = new Uint8Array(m * k).map((_, i) => (i * 37) % 256);
    const b = new Int8Array(k * n).map((_, i) => ((i * 53) % 256) - 128);
    const o1 = new Int32Array(m * n), o2 = new Int32Array(m * n);
    const args = { m, n, k, a, b, aZeroPoint: new Int32Array([3]), bZeroPoint: new Int32Array([-2]) };
    js.matMulInteger({ ...args, out: o1 });
    wasm.matMulInteger({ ...args, out: o2 });
    expect(o2).toEqual(o1);
    for (const bits of [8, 4, 3, 2] as const) for (const mm of [1, 3, 4, 6]) {
      const q = 2 ** (bits - 1);
      const values = new Int8Array(n * k).map((_, i) => ((i * 7) % (2 * q)) - q);
      const spec = { n, k, bits, values, blockSize: 8, scales: new Float32Array(n * 3).map((_, i) => 0.01 * (i + 1)), zeroPoints: new Int32Array(n * 3).map((_, i) => (i % 3) - 1) };
      const x = new Float32Array(mm * k).map((_, i) => Math.sin(i));
      const y1 = new Float32Array(mm * n), y2 = new Float32Array(mm * n);
      js.dynamicLinear({ m: mm, x, weights: js.packLinearWeights(spec), perRow: true, out: y1 });
      wasm.dynamicLinear({ m: mm, x, weights: wasm.packLinearWeights(spec), perRow: true, out: y2 });
      expect(y2, `bits ${bits} m ${mm}`).toEqual(y1);
    }
  });
});
