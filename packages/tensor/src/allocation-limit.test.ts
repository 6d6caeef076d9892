import { afterEach, describe, expect, it } from 'vitest';
import { allocateData, checkAllocation, DEFAULT_MAX_TENSOR_BYTES, maxTensorBytes, MemoryLimitError, setMaxTensorBytes, Tensor, ValueError } from './index';

describe('tensor allocation limit', () => {
  afterEach(() => {
    setMaxTensorBytes(DEFAULT_MAX_TENSOR_BYTES);
  });

  it('defaults to 2 GiB and refuses a bigger allocation before taking memory', () => {
    expect(maxTensorBytes()).toBe(2 ** 31);
    // 2^31 + 4 bytes of float32: one element over the limit; a real allocation of that size would take seconds.
    const e = (() => {
      try {
        allocateData('float32', 2 ** 29 + 1);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(MemoryLimitError);
    expect((e as MemoryLimitError).code).toBe('ERR_MEMORY_LIMIT');
    expect((e as MemoryLimitError).bytes).toBe(2 ** 31 + 4);
    expect((e as MemoryLimitError).message).toMatch(/float32 tensor of 536870913 elements needs 2 GiB \(2147483652 bytes\), above the tensor size limit of 2 GiB.*--max-memory/);
  });

  it('counts packed bytes for sub-byte dtypes and applies a lowered limit to Tensor.zeros', () => {
    const previous = setMaxTensorBytes(1000);
    expect(previous).toBe(2 ** 31);
    expect(allocateData('int4', 2000).length).toBe(1000); // 1000 bytes: at the limit
    expect(() => allocateData('int4', 2002)).toThrow(MemoryLimitError);
    expect(() => Tensor.zeros('float32', [251])).toThrow(/needs 1004 B/);
    expect(Tensor.zeros('float32', [250]).size).toBe(250);
  });

  it('reports a non-finite size plainly and rejects a bad limit', () => {
    expect(() => checkAllocation(Infinity, 'x')).toThrow(/x needs a size beyond any memory/);
    expect(() => setMaxTensorBytes(0)).toThrow(ValueError);
    expect(() => setMaxTensorBytes(Number.NaN)).toThrow(ValueError);
  });
});
