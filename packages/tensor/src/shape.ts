import { ShapeError } from './shape-error';
import { ValueError } from './value-error';

/** A tensor shape: non-negative integer dimensions, outermost first. */
export type Shape = readonly number[];

/**
 * Checks that every dimension is a non-negative safe integer and that the element count cannot overflow.
 *
 * @param shape - the shape to check
 * @param what - the argument's name, used in the error message
 * @returns the number of elements
 * @throws {@link ShapeError} on a negative, fractional or non-finite dim, or a size above 2^53 − 1
 * @example
 * ```ts
 * validateShape([2, 3], 'shape'); // 6
 * ```
 */
export function validateShape(shape: Shape, what = 'shape'): number {
  if (!Array.isArray(shape)) {
    throw new ShapeError(`${what} must be an array of dimensions, got ${typeof shape}`);
  }
  let size = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new ShapeError(`${what}[${i}] must be a non-negative integer, got ${String(d)} in [${shape.join(',')}]`);
    }
    size *= d;
    if (size > Number.MAX_SAFE_INTEGER) {
      throw new ShapeError(`${what} [${shape.join(',')}] has more than 2^53 - 1 elements`, { overflow: true });
    }
  }
  return size;
}

/**
 * Number of elements of a shape (1 for a scalar `[]`).
 *
 * @param shape - a valid shape
 * @returns the product of the dims
 * @throws {@link ShapeError} when the shape is invalid
 * @example
 * ```ts
 * shapeSize([2, 0, 5]); // 0
 * ```
 */
export function shapeSize(shape: Shape): number {
  return validateShape(shape);
}

/**
 * Row-major strides, in elements.
 *
 * @param shape - a valid shape
 * @returns strides such that element `[i, j, …]` sits at `Σ index[k]·strides[k]`
 * @example
 * ```ts
 * computeStrides([2, 3, 4]); // [12, 4, 1]
 * ```
 */
export function computeStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/**
 * Turns a possibly negative axis into its positive index.
 *
 * @param axis - an axis in `[-rank, rank)`
 * @param rank - the tensor's rank
 * @param what - the argument's name, used in the error message
 * @returns the axis in `[0, rank)`
 * @throws {@link ValueError} when the axis is out of range or not an integer
 * @example
 * ```ts
 * normalizeAxis(-1, 4); // 3
 * ```
 */
export function normalizeAxis(axis: number, rank: number, what = 'axis'): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new ValueError(`${what} must be an integer in [${-rank}, ${rank - 1}] for rank ${rank}, got ${axis}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * Broadcasts shapes with NumPy's rules: align from the right; each pair of dims must be equal or one of them 1.
 *
 * @param shapes - the shapes to combine
 * @returns the broadcast shape
 * @throws {@link ShapeError} when two dims differ and neither is 1
 * @example
 * ```ts
 * broadcastShapes([8, 1, 6, 1], [7, 1, 5]); // [8, 7, 6, 5]
 * ```
 */
export function broadcastShapes(...shapes: Shape[]): number[] {
  let rank = 0;
  for (const s of shapes) rank = Math.max(rank, s.length);
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i];
      if (out[o] === 1) out[o] = d;
      else if (d !== 1 && d !== out[o]) {
        throw new ShapeError(
          `shapes ${shapes.map((x) => `[${x.join(',')}]`).join(' and ')} cannot be broadcast: dim ${o} is ${out[o]} vs ${d}`,
        );
      }
    }
  }
  return out;
}

/**
 * Strides for reading a tensor of `shape` as if it had the broadcast shape `outShape`: broadcast dims get stride 0.
 *
 * @param shape - the input's shape (broadcastable to `outShape`)
 * @param outShape - the broadcast shape
 * @returns strides of length `outShape.length`, in elements of the input
 * @throws {@link ShapeError} when `shape` does not broadcast to `outShape`
 * @example
 * ```ts
 * broadcastStrides([3, 1], [2, 3, 4]); // [0, 1, 0]
 * ```
 */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  if (shape.length > outShape.length) {
    throw new ShapeError(`shape [${shape.join(',')}] has more dims than the broadcast shape [${outShape.join(',')}]`);
  }
  const own = computeStrides(shape);
  const out = new Array<number>(outShape.length).fill(0);
  const offset = outShape.length - shape.length;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (d === outShape[offset + i]) out[offset + i] = d === 1 ? 0 : own[i];
    else if (d === 1) out[offset + i] = 0;
    else {
      throw new ShapeError(`shape [${shape.join(',')}] does not broadcast to [${outShape.join(',')}]`);
    }
  }
  return out;
}

/**
 * Maps a flat index of the broadcast output to the flat index of an input, given the input's broadcast strides.
 *
 * @param flatIndex - index into the output (row-major over `outShape`)
 * @param outShape - the broadcast shape
 * @param strides - the input's strides from {@link broadcastStrides}
 * @returns the input's flat index
 * @example
 * ```ts
 * broadcastIndex(5, [2, 3], broadcastStrides([3], [2, 3])); // 2
 * ```
 */
export function broadcastIndex(flatIndex: number, outShape: Shape, strides: readonly number[]): number {
  let rest = flatIndex;
  let index = 0;
  for (let i = outShape.length - 1; i >= 0; i--) {
    const d = outShape[i];
    const coord = rest % d;
    rest = (rest - coord) / d;
    index += coord * strides[i];
  }
  return index;
}

/**
 * Returns whether two shapes are equal.
 *
 * @param a - a shape
 * @param b - a shape
 * @returns true when they have the same rank and dims
 * @example
 * ```ts
 * shapesEqual([2, 3], [2, 3]); // true
 * ```
 */
export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The output shape of a reshape (ONNX Reshape semantics): one `-1` is inferred from the element count, and a `0`
 * copies the input dim at that position unless `allowZero` is set.
 *
 * @param inShape - the input's (valid) shape
 * @param target - the requested dims
 * @param allowZero - a `0` is a zero-sized dim rather than a copy (ONNX `allowzero`)
 * @returns the resolved dims, with the input's element count
 * @throws {@link ShapeError} when the counts differ, more than one `-1` appears, or a dim is invalid
 * @example
 * ```ts
 * resolveReshape([2, 3, 4], [0, -1]); // [2, 12]
 * ```
 */
export function resolveReshape(inShape: Shape, target: Shape, allowZero = false): number[] {
  let inSize = 1;
  for (const d of inShape) inSize *= d;
  const out = target.slice();
  let inferAt = -1;
  let known = 1;
  for (let i = 0; i < out.length; i++) {
    const d = out[i];
    if (d === -1) {
      if (inferAt >= 0) throw new ShapeError(`reshape: shape ${formatShape(target)} has more than one -1`);
      inferAt = i;
      continue;
    }
    if (d === 0 && !allowZero) {
      if (i >= inShape.length) {
        throw new ShapeError(`reshape: shape ${formatShape(target)} copies dim ${i} (0) but the input ${formatShape(inShape)} has rank ${inShape.length}`);
      }
      out[i] = inShape[i];
    } else if (!Number.isSafeInteger(d) || d < 0) {
      throw new ShapeError(`reshape: shape[${i}] must be a non-negative integer, -1 or 0, got ${d}`);
    }
    known *= out[i];
  }
  if (inferAt >= 0) {
    if (known === 0 || inSize % known !== 0) {
      throw new ShapeError(`reshape: cannot infer -1 in ${formatShape(target)} for ${inSize} elements of ${formatShape(inShape)}`);
    }
    out[inferAt] = inSize / known;
  }
  const size = validateShape(out, 'shape');
  if (size !== inSize) {
    throw new ShapeError(`reshape: cannot reshape ${formatShape(inShape)} (${inSize} elements) to ${formatShape(out)} (${size} elements)`);
  }
  return out;
}

/** Formats a shape for error messages: `[2,3,4]`. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/**
 * ONNX Slice's bounds on one axis: negative start/end count from the end, out-of-range bounds are clamped, the step
 * may be negative (never 0).
 *
 * @param dim - the axis length
 * @param start - the start index as written
 * @param end - the end index (exclusive) as written
 * @param step - a non-zero integer
 * @returns the first index taken and how many are taken
 * @example
 * ```ts
 * resolveSliceRange(5, -1, -6, -2); // { start: 4, count: 3 } -> indices 4, 2, 0
 * ```
 */
export function resolveSliceRange(dim: number, start: number, end: number, step: number): { start: number; count: number } {
  let b = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    b = Math.min(Math.max(b, 0), dim);
    e = Math.min(Math.max(e, 0), dim);
    return { start: b, count: Math.max(0, Math.ceil((e - b) / step)) };
  }
  b = Math.min(Math.max(b, -1), dim - 1);
  e = Math.min(Math.max(e, -1), dim - 1);
  return { start: b, count: Math.max(0, Math.ceil((b - e) / -step)) };
}
