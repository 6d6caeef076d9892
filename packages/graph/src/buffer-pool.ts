// Reuse of dead float32 buffers across the nodes of a run (and across runs), as onnxruntime's arena does: a fresh
// typed array costs a zero-fill and page faults (≈ 0.4 ns per byte here), which for transformer activations is as
// much as the op itself. InferenceSession.run makes its pool current; the session gives back a buffer when the last
// value using it dies (never a feed, constant, memoized value or graph output, and only buffers a tensor covers
// exactly); ops that overwrite every element of their output take buffers with `allocateF32`.
import { checkAllocation } from '@qint/tensor';

/** Dead buffers by byte length. */
export type BufferPool = Map<number, ArrayBuffer[]>;

/** At most this many spare buffers of one size are kept. */
const PER_SIZE = 4;

let current: BufferPool | undefined;

/**
 * A float32 array of `length` elements: a recycled buffer of the running session when one of that size is free,
 * else a new array. A recycled buffer holds stale values: only for outputs the caller overwrites completely.
 */
export function allocateF32(length: number): Float32Array {
  checkAllocation(length * 4, `a float32 tensor of ${length} elements`);
  const buf = current?.get(length * 4)?.pop();
  return buf ? new Float32Array(buf) : new Float32Array(length);
}

/** Makes `pool` the current one (for the duration of a run); returns the previous, to restore. */
export function enterPool(pool: BufferPool | undefined): BufferPool | undefined {
  const previous = current;
  current = pool;
  return previous;
}

/** Offers a dead buffer to `pool`. */
export function recycle(pool: BufferPool, buffer: ArrayBufferLike): void {
  if (!(buffer instanceof ArrayBuffer)) return;
  let list = pool.get(buffer.byteLength);
  if (!list) {
    list = [];
    pool.set(buffer.byteLength, list);
  }
  if (list.length < PER_SIZE && !list.includes(buffer)) list.push(buffer);
}

/**
 * A new Float32Array over the same memory as `a`, for an output written in place over a dying input: a fresh array
 * object, so caches keyed by array identity (e.g. the WASM backend's opt-in constant-weight cache) never see a
 * known array with new contents.
 */
export function overwrite(a: Float32Array): Float32Array {
  return new Float32Array(a.buffer, a.byteOffset, a.length);
}
