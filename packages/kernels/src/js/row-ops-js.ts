// The JS backend's Softmax, exact Gelu and LayerNormalization rows: the WASM backend's SIMD kernels
// (packages/kernels-wasm/assembly/elementwise.ts) replayed operation for operation in float32 — four lanes of partial
// sums/maxima for the first `dim − dim mod 4` elements, the same horizontal reduction `(l0 + l1) + (l2 + l3)`, then
// the scalar tail in order — so both backends give the same bits (issue #6: a 1-ulp difference before a dynamic
// quantization can flip a rounding). Every float64 operation on float32 values is rounded with Math.fround, which
// gives exactly the float32 result (+ − × ÷ √ of float32 operands are exact or innocuously double-rounded in float64).
import type { GeluErfF32Args, LayerNormF32Args, SoftmaxF32Args } from '../kernel-backend';
import { erfF32 } from './erf-f32';
import { expF32 } from './exp-f32';

const fround = Math.fround;

/**
 * Softmax over rows as the WASM kernel `softmaxRows`: lane maxima with `pmax` semantics (a NaN in the vector part is
 * skipped, one in the tail propagates through `max`; either way the NaN's own exp makes the row NaN), float32 exp,
 * lane sums, one float32 reciprocal, a multiply per element.
 */
export function softmaxF32Js(args: SoftmaxF32Args): void {
  const { rows, dim, x, out } = args;
  const vecEnd = dim - (dim % 4);
  for (let r = 0; r < rows; r++) {
    const base = r * dim;
    let m0 = -Infinity;
    let m1 = -Infinity;
    let m2 = -Infinity;
    let m3 = -Infinity;
    let i = 0;
    for (; i < vecEnd; i += 4) {
      // f32x4.pmax(m, v) = m < v ? v : m
      const v0 = x[base + i];
      const v1 = x[base + i + 1];
      const v2 = x[base + i + 2];
      const v3 = x[base + i + 3];
      if (m0 < v0) m0 = v0;
      if (m1 < v1) m1 = v1;
      if (m2 < v2) m2 = v2;
      if (m3 < v3) m3 = v3;
    }
    // WASM's scalar f32.max is Math.max: NaN-propagating, +0 above −0.
    let mx = Math.max(Math.max(m0, m1), Math.max(m2, m3));
    for (; i < dim; i++) mx = Math.max(mx, x[base + i]);
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    // One exp per element: keep the exponentials in the output row, then scale it (out may alias x: each value is
    // read before it is replaced).
    for (i = 0; i < vecEnd; i += 4) {
      const e0 = expF32(fround(x[base + i] - mx));
      const e1 = expF32(fround(x[base + i + 1] - mx));
      const e2 = expF32(fround(x[base + i + 2] - mx));
      const e3 = expF32(fround(x[base + i + 3] - mx));
      out[base + i] = e0;
      out[base + i + 1] = e1;
      out[base + i + 2] = e2;
      out[base + i + 3] = e3;
      s0 = fround(s0 + e0);
      s1 = fround(s1 + e1);
      s2 = fround(s2 + e2);
      s3 = fround(s3 + e3);
    }
    let sum = fround(fround(s0 + s1) + fround(s2 + s3));
    for (; i < dim; i++) {
      const e = expF32(fround(x[base + i] - mx));
      out[base + i] = e;
      sum = fround(sum + e);
    }
    const inv = fround(1 / sum);
    // A Float32Array store rounds the float64 product to float32, as f32.mul does.
    for (i = 0; i < dim; i++) out[base + i] *= inv;
  }
}

/** The Gelu chain as the WASM kernel `geluErfF32`: `f32(f32(x · f32(erfF32(f32(x / c1)) + c2)) · c3)`. */
export function geluErfF32Js(args: GeluErfF32Args): void {
  const { x, out } = args;
  const c1 = fround(args.divisor);
  const c2 = fround(args.addend);
  const c3 = fround(args.scale);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = fround(v * fround(erfF32(fround(v / c1)) + c2)) * c3;
  }
}

/**
 * LayerNormalization over rows as the WASM kernel `layerNormRows`: float32 lane sums for the mean, float32 lane sums of
 * the squared centred values for the biased variance, `inv = f32(1 / f32(√f32(f32(sq / dim) + ε)))`, then
 * `f32(f32(f32(x − mean) · inv) · scale) + bias` per element.
 */
export function layerNormF32Js(args: LayerNormF32Args): void {
  const { rows, dim, x, scale, bias, out } = args;
  const eps = fround(args.epsilon);
  const fdim = fround(dim);
  const vecEnd = dim - (dim % 4);
  const s1 = scale.length === 1;
  const b1 = bias !== undefined && bias.length === 1;
  for (let r = 0; r < rows; r++) {
    const base = r * dim;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let j = 0;
    for (; j < vecEnd; j += 4) {
      a0 = fround(a0 + x[base + j]);
      a1 = fround(a1 + x[base + j + 1]);
      a2 = fround(a2 + x[base + j + 2]);
      a3 = fround(a3 + x[base + j + 3]);
    }
    let sum = fround(fround(a0 + a1) + fround(a2 + a3));
    for (; j < dim; j++) sum = fround(sum + x[base + j]);
    const mean = fround(sum / fdim);
    a0 = a1 = a2 = a3 = 0;
    for (j = 0; j < vecEnd; j += 4) {
      const d0 = fround(x[base + j] - mean);
      const d1 = fround(x[base + j + 1] - mean);
      const d2 = fround(x[base + j + 2] - mean);
      const d3 = fround(x[base + j + 3] - mean);
      a0 = fround(a0 + fround(d0 * d0));
      a1 = fround(a1 + fround(d1 * d1));
      a2 = fround(a2 + fround(d2 * d2));
      a3 = fround(a3 + fround(d3 * d3));
    }
    let sq = fround(fround(a0 + a1) + fround(a2 + a3));
    for (; j < dim; j++) {
      const d = fround(x[base + j] - mean);
      sq = fround(sq + fround(d * d));
    }
    const inv = fround(1 / fround(Math.sqrt(fround(fround(sq / fdim) + eps))));
    // The same formula in WASM's vector body and scalar tail; only whether scale/bias broadcast differs.
    for (j = 0; j < dim; j++) {
      const y = fround(fround(fround(x[base + j] - mean) * inv) * scale[s1 ? 0 : j]);
      out[base + j] = bias ? y + bias[b1 ? 0 : j] : y;
    }
  }
}
