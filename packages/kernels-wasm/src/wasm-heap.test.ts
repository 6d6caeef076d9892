import { describe, expect, it } from 'vitest';
import { ValueError } from '@qint/tensor';
import { WasmHeap } from './wasm-heap';

function heap(pages = 1): WasmHeap {
  return new WasmHeap(new WebAssembly.Memory({ initial: pages }), 1000);
}

describe('WasmHeap', () => {
  it('aligns the base and every block to 64 bytes', () => {
    const h = heap();
    const a = h.allocPersistent(10, 'a');
    const b = h.allocPersistent(100, 'b');
    expect(a).toBe(1024);
    expect(b).toBe(1088);
    expect(h.persistentBytes).toBe(64 + 128);
  });

  it('reuses freed blocks first-fit, coalesces neighbours and shrinks the top', () => {
    const h = heap();
    const a = h.allocPersistent(64, 'a');
    const b = h.allocPersistent(64, 'b');
    const c = h.allocPersistent(64, 'c');
    expect(h.releasePersistent(a)).toBe(true);
    expect(h.releasePersistent(a)).toBe(false);
    expect(h.allocPersistent(64, 'd')).toBe(a);
    h.releasePersistent(a);
    h.releasePersistent(b);
    // a and b coalesced: a 128-byte block fits where they were
    expect(h.allocPersistent(128, 'e')).toBe(a);
    h.releasePersistent(a);
    h.releasePersistent(c);
    // everything free: scratch starts at the base again
    h.beginCall();
    expect(h.scratch(1, 's')).toBe(1024);
    h.endCall();
    expect(h.persistentBytes).toBe(0);
  });

  it('resets the scratch arena after each call and grows memory, refreshing views', () => {
    const h = heap(1);
    const before = h.u8;
    h.beginCall();
    const p = h.scratch(200_000, 'big');
    expect(h.memoryBytes).toBeGreaterThanOrEqual(p + 200_000);
    expect(before.byteLength).toBe(0); // the old view was detached by memory.grow
    expect(h.u8.byteLength).toBe(h.memoryBytes);
    h.u8[p + 199_999] = 7;
    expect(h.u8[p + 199_999]).toBe(7);
    h.endCall();
    h.beginCall();
    expect(h.scratch(8, 'again')).toBe(p);
    h.endCall();
    expect(h.peakBytes).toBe(p + 200_000);
  });

  it('copies the first count values into fresh scratch and reads them back (float32 and int32)', () => {
    const h = heap();
    h.beginCall();
    const p = h.scratchF32(new Float32Array([1.5, -2, 3, 4]), 3, 'x');
    expect(Array.from(h.f32.subarray(p >> 2, (p >> 2) + 3))).toEqual([1.5, -2, 3]);
    expect(h.scratch(4, 'next')).toBe(p + 64); // 3 floats take one 64-byte block
    const out = new Float32Array([9, 9, 9, 9]);
    h.readF32(p + 4, 2, out);
    expect(Array.from(out)).toEqual([-2, 3, 9, 9]);
    h.i32.set([7, -8], p >> 2);
    const outI = new Int32Array(3);
    h.readI32(p, 2, outI);
    expect(Array.from(outI)).toEqual([7, -8, 0]);
    h.endCall();
  });

  it('refuses persistent allocation inside a call and sizes beyond wasm32', () => {
    const h = heap();
    h.beginCall();
    expect(() => h.allocPersistent(8, 'packLinearWeights')).toThrow(ValueError);
    expect(() => h.scratch(2 ** 33, 'huge')).toThrow(/above the 4 GiB limit/);
    h.endCall();
  });
});
