// Float32 fast paths of Transpose and Slice. @qint/tensor's gather serves every dtype through one loop, whose element
// reads and writes V8 cannot specialize (they see all typed-array kinds); transformer graphs move float32 activations
// through Transpose/Slice on every head, so these copies go through the backend's `stridedCopyF32` (typed JS loops,
// or SIMD on WASM). Same element order and values as Tensor.transpose / Tensor.slice; anything unusual (bad perm,
// repeated axes, zero steps) is left to them so their errors stay the same.
import { stridedCopyF32, type OpOptions } from '@qint/kernels';
import { Tensor, computeStrides, resolveSliceRange } from '@qint/tensor';

/** Copies the strided view (`outShape`, per-dim input `strides`, start `offset`) of `src` into a new array. */
function gatherF32(src: Float32Array, outShape: readonly number[], strides: readonly number[], offset: number, options: OpOptions | undefined): Float32Array {
  let size = 1;
  for (const d of outShape) size *= d;
  const out = new Float32Array(size);
  stridedCopyF32({ src, shape: outShape, strides, offset, out }, options);
  return out;
}

/** Transpose (ONNX semantics, default perm reverses the dims). */
export function transposeTensor(x: Tensor, perm: readonly number[] | undefined, options?: OpOptions): Tensor {
  const rank = x.rank;
  if (x.dtype !== 'float32') return x.transpose(perm);
  const p = perm ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const seen = new Array<boolean>(rank).fill(false);
  if (p.length !== rank) return x.transpose(perm);
  for (const axis of p) {
    if (!Number.isInteger(axis) || axis < 0 || axis >= rank || seen[axis]) return x.transpose(perm);
    seen[axis] = true;
  }
  const inStrides = computeStrides(x.shape);
  const outShape = p.map((axis) => x.shape[axis]);
  return Tensor.from('float32', outShape, gatherF32(x.data as Float32Array, outShape, p.map((axis) => inStrides[axis]), 0, options));
}

/** Slice (ONNX semantics: negative indices from the end, clamped bounds, any non-zero steps). */
export function sliceTensor(
  x: Tensor,
  starts: readonly number[],
  ends: readonly number[],
  axes?: readonly number[],
  steps?: readonly number[],
  options?: OpOptions,
): Tensor {
  const rank = x.rank;
  if (x.dtype !== 'float32' || ends.length !== starts.length || (axes && axes.length !== starts.length) || (steps && steps.length !== starts.length)) {
    return x.slice(starts, ends, axes, steps);
  }
  const ax = axes ? axes.map((a) => (Number.isInteger(a) && a < 0 ? a + rank : a)) : starts.map((_, i) => i);
  if (ax.some((a) => !Number.isInteger(a) || a < 0 || a >= rank) || new Set(ax).size !== ax.length) return x.slice(starts, ends, axes, steps);
  const outShape = x.shape.slice();
  const begin = new Array<number>(rank).fill(0);
  const step = new Array<number>(rank).fill(1);
  for (let i = 0; i < ax.length; i++) {
    const s = steps ? steps[i] : 1;
    if (!Number.isInteger(s) || s === 0) return x.slice(starts, ends, axes, steps);
    const range = resolveSliceRange(x.shape[ax[i]], starts[i], ends[i], s);
    outShape[ax[i]] = range.count;
    begin[ax[i]] = range.start;
    step[ax[i]] = s;
  }
  const inStrides = computeStrides(x.shape);
  let offset = 0;
  for (let i = 0; i < rank; i++) offset += begin[i] * inStrides[i];
  const empty = outShape.some((d) => d === 0);
  return Tensor.from('float32', outShape, gatherF32(x.data as Float32Array, outShape, inStrides.map((st, i) => st * step[i]), empty ? 0 : offset, options));
}
