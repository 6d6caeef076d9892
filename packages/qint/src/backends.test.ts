import { getBackend, matMulInteger } from '@qint/kernels';
import { Tensor } from '@qint/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { setBackend } from './backends';

describe('setBackend (facade)', () => {
  afterAll(() => setBackend('js'));

  it("selects 'wasm' without any registration, and ops then run on it", async () => {
    await setBackend('wasm');
    expect(getBackend().name).toBe('wasm');
    expect(getBackend().nativeOps).toContain('matMulInteger');
    // ONNX MatMulInteger spec example: A uint8 [4,3] (zero point 12) × B uint8 [3,2] (zero point 0).
    const a = Tensor.from('uint8', [4, 3], [11, 7, 3, 10, 6, 2, 9, 5, 1, 8, 4, 0]);
    const b = Tensor.from('uint8', [3, 2], [1, 4, 2, 5, 3, 6]);
    const y = matMulInteger(a, b, Tensor.scalar('uint8', 12), Tensor.scalar('uint8', 0));
    expect(y.toArray()).toEqual([-38, -83, -44, -98, -50, -113, -56, -128]);
    await setBackend('js');
    expect(getBackend().name).toBe('js');
    await expect(setBackend('gpu')).rejects.toThrow(/no backend named 'gpu'/);
  });
});
