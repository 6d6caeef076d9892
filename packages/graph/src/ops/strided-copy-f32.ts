// Float32 fast paths of Transpose and Slice. @qint/tensor's gather serves every dtype through one loop, whose element
// reads and writes V8 cannot specialize (they see all typed-array kinds); transformer graphs move float32 activations
// through Transpose/Slice on every head, so these copies are typed Float32Array → Float32Array. Same element order
// and values as Tensor.transpose / Tensor.slice; anything unusual (bad perm, repeated axes, zero steps) is left to
// them so their errors stay the same.
import { Tensor, computeStrides, resolveSliceRange } from '@qint/tensor';

/** Copies the strided view (`outShape`, per-dim input `strides`, start `offset`) of `src` into a new array. */
function gatherF32(src: Float32Array, outShape: readonly number[], strides: readonly number[], offset: number): Float32Array {
  let size = 1;
  for (const d of outShape) size *= d;
  const dst = new Float32Array(size);
  if (size === 0) return dst;
  // Merge neighbouring dims that walk the input contiguously (stride[k] = stride[k+1]·dim[k+1]) and drop dims of 1:
  // fewer, longer loops (a head split [B, T, H, d] → [B, H, T, d] keeps rows of d only where it must).
  const dims: number[] = [];
  const st: number[] = [];
  for (let k = 0; k < outShape.length; k++) {
    if (outShape[k] === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && st[last] === strides[k] * outShape[k]) {
      dims[last] *= outShape[k];
      st[last] = strides[k];
    } else {
      dims.push(outShape[k]);
      st.push(strides[k]);
    }
  }
  if (dims.length === 0) {
    dst[0] = src[offset];
    return dst;
  }
  // The two innermost dims as plain loops; the rest with a carry counter.
  const rank = dims.length;
  const inner = dims[rank - 1];
  const is = st[rank - 1];
  const mid = rank >= 2 ? dims[rank - 2] : 1;
  const ms = rank >= 2 ? st[rank - 2] : 0;
  const outerRank = Math.max(rank - 2, 0);
  const coord = new Array<number>(outerRank).fill(0);
  let at = offset;
  let o = 0;
  for (let block = size / (inner * mid); block > 0; block--) {
    for (let r = 0, a = at; r < mid; r++, a += ms) {
      if (is === 1) for (let i = 0; i < inner; i++) dst[o++] = src[a + i];
      else for (let i = 0, b = a; i < inner; i++, b += is) dst[o++] = src[b];
    }
    for (let k = outerRank - 1; k >= 0; k--) {
      coord[k]++;
      at += st[k];
      if (coord[k] < dims[k]) break;
      at -= st[k] * dims[k];
      coord[k] = 0;
    }
  }
  return dst;
}

/** Transpose (ONNX semantics, default perm reverses the dims). */
export function transposeTensor(x: Tensor, perm: readonly number[] | undefined): Tensor {
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
  return Tensor.from('float32', outShape, gatherF32(x.data as Float32Array, outShape, p.map((axis) => inStrides[axis]), 0));
}

/** Slice (ONNX semantics: negative indices from the end, clamped bounds, any non-zero steps). */
export function sliceTensor(x: Tensor, starts: readonly number[], ends: readonly number[], axes?: readonly number[], steps?: readonly number[]): Tensor {
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
  return Tensor.from('float32', outShape, gatherF32(x.data as Float32Array, outShape, inStrides.map((st, i) => st * step[i]), empty ? 0 : offset));
}
