// The one broadcasting engine of the elementwise ops. Fast paths: identical sizes (no index math at all), a scalar
// operand, and otherwise a row loop over the last output dim with per-operand strides (0 where broadcast).
import { broadcastStrides } from '@qint/tensor';

/** Arithmetic the float32 loops inline (no per-element call); anything else goes through a callback. */
export const F32Op = { Callback: 0, Add: 1, Sub: 2, Mul: 3, Div: 4 } as const;
/** One of the {@link F32Op} codes. */
export type F32Op = (typeof F32Op)[keyof typeof F32Op];

type Indexable = { [i: number]: any; readonly length: number };
type Fn = (x: any, y: any) => any;

function runRow(op: F32Op, f: Fn, a: Indexable, ai: number, as: number, b: Indexable, bi: number, bs: number, o: Indexable, oi: number, n: number): void {
  switch (op) {
    case F32Op.Add:
      for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] + b[bi];
      return;
    case F32Op.Sub:
      for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] - b[bi];
      return;
    case F32Op.Mul:
      for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] * b[bi];
      return;
    case F32Op.Div:
      for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] / b[bi];
      return;
    default:
      for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = f(a[ai], b[bi]);
  }
}

// The same loops typed as Float32Array: a call site that only ever sees Float32Array stays monomorphic in V8, which
// makes the float32 arithmetic of transformer graphs several times faster than the shared `Indexable` loops (whose
// call sites also see int64 shape tensors). Same arithmetic, same results.
function runRowF32(op: F32Op, a: Float32Array, ai: number, as: number, b: Float32Array, bi: number, bs: number, o: Float32Array, oi: number, n: number): void {
  switch (op) {
    case F32Op.Add:
      if (as === 1 && bs === 1) for (let i = 0; i < n; i++) o[oi + i] = a[ai + i] + b[bi + i];
      else if (as === 1 && bs === 0) {
        const y = b[bi];
        for (let i = 0; i < n; i++) o[oi + i] = a[ai + i] + y;
      } else for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] + b[bi];
      return;
    case F32Op.Sub:
      for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] - b[bi];
      return;
    case F32Op.Mul:
      if (as === 1 && bs === 1) for (let i = 0; i < n; i++) o[oi + i] = a[ai + i] * b[bi + i];
      else if (as === 1 && bs === 0) {
        const y = b[bi];
        for (let i = 0; i < n; i++) o[oi + i] = a[ai + i] * y;
      } else for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] * b[bi];
      return;
    default:
      if (as === 1 && bs === 0) {
        const y = b[bi];
        for (let i = 0; i < n; i++) o[oi + i] = a[ai + i] / y;
      } else for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] / b[bi];
  }
}

/**
 * `out[i] = a[ia] ∘ b[ib]` over the broadcast shape `outShape` (row-major), where `∘` is `op` or `f`.
 * `aShape`/`bShape` must broadcast to `outShape` (the caller computed it with `broadcastShapes`).
 */
export function broadcastBinary(
  op: F32Op,
  f: Fn,
  a: Indexable,
  aShape: readonly number[],
  b: Indexable,
  bShape: readonly number[],
  out: Indexable,
  outShape: readonly number[],
): void {
  const n = out.length;
  if (n === 0) return;
  const na = a.length;
  const nb = b.length;
  if (op !== F32Op.Callback && a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array) {
    return broadcastF32(op, a, aShape, b, bShape, out, outShape);
  }
  if (na === n && nb === n) return runRow(op, f, a, 0, 1, b, 0, 1, out, 0, n);
  if (nb === 1 && na === n) return runRow(op, f, a, 0, 1, b, 0, 0, out, 0, n);
  if (na === 1 && nb === n) return runRow(op, f, a, 0, 0, b, 0, 1, out, 0, n);
  const rank = outShape.length;
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const inner = outShape[rank - 1];
  const ia = sa[rank - 1];
  const ib = sb[rank - 1];
  const coord = new Array<number>(rank).fill(0);
  let ai = 0;
  let bi = 0;
  for (let o = 0; o < n; o += inner) {
    runRow(op, f, a, ai, ia, b, bi, ib, out, o, inner);
    for (let k = rank - 2; k >= 0; k--) {
      coord[k]++;
      ai += sa[k];
      bi += sb[k];
      if (coord[k] < outShape[k]) break;
      ai -= sa[k] * outShape[k];
      bi -= sb[k] * outShape[k];
      coord[k] = 0;
    }
  }
}

function broadcastF32(op: F32Op, a: Float32Array, aShape: readonly number[], b: Float32Array, bShape: readonly number[], out: Float32Array, outShape: readonly number[]): void {
  const n = out.length;
  const na = a.length;
  const nb = b.length;
  if (na === n && nb === n) return runRowF32(op, a, 0, 1, b, 0, 1, out, 0, n);
  if (nb === 1 && na === n) return runRowF32(op, a, 0, 1, b, 0, 0, out, 0, n);
  if (na === 1 && nb === n) return runRowF32(op, a, 0, 0, b, 0, 1, out, 0, n);
  const rank = outShape.length;
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const inner = outShape[rank - 1];
  const ia = sa[rank - 1];
  const ib = sb[rank - 1];
  const coord = new Array<number>(rank).fill(0);
  let ai = 0;
  let bi = 0;
  for (let o = 0; o < n; o += inner) {
    runRowF32(op, a, ai, ia, b, bi, ib, out, o, inner);
    for (let k = rank - 2; k >= 0; k--) {
      coord[k]++;
      ai += sa[k];
      bi += sb[k];
      if (coord[k] < outShape[k]) break;
      ai -= sa[k] * outShape[k];
      bi -= sb[k] * outShape[k];
      coord[k] = 0;
    }
  }
}

/** `out[i] = c[ic] ? x[ix] : y[iy]` over the broadcast shape (ONNX Where). */
export function broadcastWhere(
  c: Indexable,
  cShape: readonly number[],
  x: Indexable,
  xShape: readonly number[],
  y: Indexable,
  yShape: readonly number[],
  out: Indexable,
  outShape: readonly number[],
): void {
  const n = out.length;
  if (n === 0) return;
  const rank = outShape.length;
  if (rank === 0) {
    out[0] = c[0] ? x[0] : y[0];
    return;
  }
  const sc = broadcastStrides(cShape, outShape);
  const sx = broadcastStrides(xShape, outShape);
  const sy = broadcastStrides(yShape, outShape);
  const inner = outShape[rank - 1];
  const coord = new Array<number>(rank).fill(0);
  let ci = 0;
  let xi = 0;
  let yi = 0;
  const ic = sc[rank - 1];
  const ix = sx[rank - 1];
  const iy = sy[rank - 1];
  for (let o = 0; o < n; o += inner) {
    for (let i = 0, cc = ci, xx = xi, yy = yi; i < inner; i++, cc += ic, xx += ix, yy += iy) out[o + i] = c[cc] ? x[xx] : y[yy];
    for (let k = rank - 2; k >= 0; k--) {
      coord[k]++;
      ci += sc[k];
      xi += sx[k];
      yi += sy[k];
      if (coord[k] < outShape[k]) break;
      ci -= sc[k] * outShape[k];
      xi -= sx[k] * outShape[k];
      yi -= sy[k] * outShape[k];
      coord[k] = 0;
    }
  }
}
