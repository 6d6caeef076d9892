// Float32 fast paths of Transpose and Slice. @qint/tensor's gather serves every dtype through one loop, whose element
// reads and writes V8 cannot specialize (they see all typed-array kinds); transformer graphs move float32 activations
// through Transpose/Slice on every head, so these copies go through the backend's `stridedCopyF32` (typed JS loops,
// or SIMD on WASM). Same element order and values as Tensor.transpose / Tensor.slice; anything unusual (bad perm,
// repeated axes, zero steps) is left to them so their errors stay the same.
import { stridedCopyF32, type OpOptions } from '@qint/kernels';
import { allocateF32 } from '../buffer-pool';
import { Tensor, computeStrides, resolveSliceRange } from '@qint/tensor';

/** Copies the strided view (`outShape`, per-dim input `strides`, start `offset`) of `src` into a new array. */
function gatherF32(src: Float32Array, outShape: readonly number[], strides: readonly number[], offset: number, options: OpOptions | undefined): Float32Array {
  let size = 1;
  for (const d of outShape) size *= d;
  // stridedCopyF32 writes every element: a recycled buffer will do.
  const out = allocateF32(size);
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

/** A strided view of a contiguous tensor: element `i` of the view is `data[offset + Σ_d idx_d · strides[d]]`. */
export interface StridedView {
  shape: number[];
  strides: number[];
  offset: number;
}

/**
 * The view ONNX Slice selects (negative indices from the end, clamped bounds, any non-zero steps), or undefined when
 * the arguments are invalid (Tensor.slice then reports them).
 */
export function sliceView(
  shape: readonly number[],
  starts: readonly number[],
  ends: readonly number[],
  axes?: readonly number[],
  steps?: readonly number[],
): StridedView | undefined {
  const rank = shape.length;
  if (ends.length !== starts.length || (axes && axes.length !== starts.length) || (steps && steps.length !== starts.length)) return undefined;
  const ax = axes ? axes.map((a) => (Number.isInteger(a) && a < 0 ? a + rank : a)) : starts.map((_, i) => i);
  if (ax.some((a) => !Number.isInteger(a) || a < 0 || a >= rank) || new Set(ax).size !== ax.length) return undefined;
  const outShape = shape.slice();
  const begin = new Array<number>(rank).fill(0);
  const step = new Array<number>(rank).fill(1);
  for (let i = 0; i < ax.length; i++) {
    const st = steps ? steps[i] : 1;
    if (!Number.isInteger(st) || st === 0) return undefined;
    const range = resolveSliceRange(shape[ax[i]], starts[i], ends[i], st);
    outShape[ax[i]] = range.count;
    begin[ax[i]] = range.start;
    step[ax[i]] = st;
  }
  const inStrides = computeStrides(shape);
  let offset = 0;
  for (let i = 0; i < rank; i++) offset += begin[i] * inStrides[i];
  const empty = outShape.some((d) => d === 0);
  return { shape: outShape, strides: inStrides.map((st, i) => st * step[i]), offset: empty ? 0 : offset };
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
  const view = x.dtype === 'float32' ? sliceView(x.shape, starts, ends, axes, steps) : undefined;
  if (!view) return x.slice(starts, ends, axes, steps);
  return Tensor.from('float32', view.shape, gatherF32(x.data as Float32Array, view.shape, view.strides, view.offset, options));
}

/**
 * The strides that make `view` read as `newShape` (a Reshape of the view without copying), or undefined when the
 * view's dims that a new dim spans are not laid out contiguously (then a copy is needed).
 */
export function reshapeView(view: StridedView, newShape: readonly number[]): StridedView | undefined {
  const os: number[] = [];
  const ot: number[] = [];
  view.shape.forEach((d, i) => {
    if (d !== 1) {
      os.push(d);
      ot.push(view.strides[i]);
    }
  });
  if (os.some((d) => d === 0) || newShape.some((d) => d === 0)) return undefined;
  const nt = new Array<number>(newShape.length).fill(0);
  let oi = 0;
  let ni = 0;
  while (ni < newShape.length) {
    if (newShape[ni] === 1) {
      ni++;
      continue;
    }
    if (oi >= os.length) return undefined;
    // One group: old dims oi..oj−1 and new dims ni..nj−1 with equal products.
    let op = os[oi];
    let np = newShape[ni];
    let oj = oi + 1;
    let nj = ni + 1;
    while (op !== np) {
      if (op < np) {
        if (oj >= os.length) return undefined;
        op *= os[oj++];
      } else {
        if (nj >= newShape.length) return undefined;
        np *= newShape[nj++];
      }
    }
    for (let k = oi; k < oj - 1; k++) if (ot[k] !== ot[k + 1] * os[k + 1]) return undefined;
    let stride = ot[oj - 1];
    for (let k = nj - 1; k >= ni; k--) {
      nt[k] = stride;
      stride *= newShape[k];
    }
    oi = oj;
    ni = nj;
  }
  if (oi !== os.length) return undefined;
  return { shape: newShape.slice(), strides: nt, offset: view.offset };
}

/** Copies a view out of a float32 tensor's data through the backend's strided copy. */
export function materialize(x: Tensor, view: StridedView, options?: OpOptions): Tensor {
  return Tensor.from('float32', view.shape, gatherF32(x.data as Float32Array, view.shape, view.strides, view.offset, options));
}
