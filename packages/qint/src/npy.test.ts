import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '@qint/tensor';
import { describe, expect, it } from 'vitest';
import { InputError } from './input-error';
import { readNpy, writeNpy } from './npy';

const fixture = (name: string) => new Uint8Array(readFileSync(join(__dirname, '..', 'test', '__fixtures__', 'npy', name)));

describe('.npy files written by NumPy', () => {
  it('reads every supported dtype with its shape', () => {
    const f4 = readNpy(fixture('f4_2x3.npy'));
    expect([f4.dtype, f4.shape, f4.toArray()]).toEqual(['float32', [2, 3], [0, 0.25, 0.5, 0.75, 1, 1.25]]);
    const f8 = readNpy(fixture('f8_3.npy'));
    expect([f8.dtype, f8.toArray()]).toEqual(['float32', [Math.fround(0.1), -2.5, 1e10]]);
    const labels = readNpy(fixture('i8_labels.npy'));
    expect([labels.dtype, labels.toArray()]).toEqual(['int64', [7, 2, 1, 0]]);
    const u1 = readNpy(fixture('u1_2x2x2.npy'));
    expect([u1.dtype, u1.shape, u1.toArray()]).toEqual(['uint8', [2, 2, 2], [0, 30, 60, 90, 120, 150, 180, 210]]);
    expect(readNpy(fixture('f2_2.npy')).toArray()).toEqual([0.5, -0.333251953125]);
    expect(readNpy(fixture('b1_3.npy')).toArray()).toEqual([1, 0, 1]);
    const scalar = readNpy(fixture('scalar_f4.npy'));
    expect([scalar.shape, scalar.toArray()]).toEqual([[], [3.5]]);
    expect(readNpy(fixture('empty_0x4.npy')).shape).toEqual([0, 4]);
    expect(readNpy(fixture('v2_f4_2.npy')).toArray()).toEqual([1, 2]);
  });

  it('reorders Fortran-ordered arrays to row-major', () => {
    const t = readNpy(fixture('fortran_i4_2x3.npy'));
    expect([t.shape, t.toArray()]).toEqual([[2, 3], [0, 1, 2, 3, 4, 5]]);
  });

  it('round-trips what it writes, byte-identical to NumPy for the same array', () => {
    const t = Tensor.from('float32', [2, 3], [0, 0.25, 0.5, 0.75, 1, 1.25]);
    expect(Array.from(writeNpy(t))).toEqual(Array.from(fixture('f4_2x3.npy')));
    const u = readNpy(fixture('u1_2x2x2.npy'));
    expect(Array.from(writeNpy(u))).toEqual(Array.from(fixture('u1_2x2x2.npy')));
    const labels = Tensor.from('int64', [4], [7, 2, 1, 0]);
    expect(readNpy(writeNpy(labels)).toArray()).toEqual([7, 2, 1, 0]);
  });

  it('refuses malformed, truncated, big-endian and unsupported files with InputError', () => {
    expect(() => readNpy(fixture('big_endian.npy'), 'be.npy')).toThrow(/be\.npy: .*big-endian/);
    expect(() => readNpy(new Uint8Array([1, 2, 3]))).toThrow(InputError);
    const good = fixture('f4_2x3.npy');
    expect(() => readNpy(good.subarray(0, good.length - 1))).toThrow(/needs 24 data bytes, the file has 23/);
    const badHeaderLength = good.slice();
    new DataView(badHeaderLength.buffer).setUint16(8, 60000, true);
    expect(() => readNpy(badHeaderLength)).toThrow(/runs past the end/);
    const badVersion = good.slice();
    badVersion[6] = 9;
    expect(() => readNpy(badVersion)).toThrow(/version 9/);
    expect(() => writeNpy(Tensor.from('int4', [2], [1, 2]))).toThrow(InputError);
  });
});
