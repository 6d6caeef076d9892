// Float32 convolution kernels that bypass im2col + GEMM.
//
// convF32C1: one input channel (the first layer of a CNN on grey images: MNIST, super-resolution's luminance). As a
// GEMM its K is only kh·kw (9 or 25), so packing the im2col panels costs as much as the multiply-adds. Directly:
// 4 output channels × 8 output pixels of a row in 8 accumulators; per tap one (stride 1) or two (stride 2) loads of
// pixels shared by the 4 channels and 4 weight splats. Per output the sum is bias + Σ taps in (ky, kx) order, float32
// steps (a float conv's order is not part of the backend contract; results match the GEMM path within tolerance).

@inline function loadPixels8(src: usize, sw: i32, half: i32): v128 {
  if (sw == 1) return v128.load(src + (<usize>half << 4));
  const s = src + (<usize>half << 5);
  return i32x4.shuffle(v128.load(s), v128.load(s, 16), 0, 2, 4, 6);
}

/**
 * Direct float convolution of a single-channel zero-padded image `xp` ([hp, wp]) with `m` filters `w` ([m, kh·kw]),
 * bias 0 = none, into `out` ([m, oh, ow]). Rows of 8 pixels use SIMD when sw is 1 or 2 (the last partial block of a
 * row is recomputed overlapping the previous one when ow ≥ 8); other cases run scalar. Stride 2 reads up to 16
 * floats past a row's last tap: the caller leaves slack after the image.
 */
export function convF32C1(
  xp: usize, wp: i32, w: usize, bias: usize, m: i32, kh: i32, kw: i32, oh: i32, ow: i32, sh: i32, sw: i32, dh: i32, dw: i32, out: usize,
): void {
  const taps = kh * kw;
  const vec = (sw == 1 || sw == 2) && ow >= 8;
  const plane = <usize>(oh * ow) << 2;
  const tapBytes = <usize>taps << 2;
  let oc = 0;
  for (; oc + 4 <= m; oc += 4) {
    const w0 = w + <usize>oc * tapBytes;
    const w1 = w0 + tapBytes;
    const w2 = w1 + tapBytes;
    const w3 = w2 + tapBytes;
    const b0 = f32x4.splat(bias == 0 ? 0 : load<f32>(bias + (<usize>oc << 2)));
    const b1 = f32x4.splat(bias == 0 ? 0 : load<f32>(bias + (<usize>oc << 2), 4));
    const b2 = f32x4.splat(bias == 0 ? 0 : load<f32>(bias + (<usize>oc << 2), 8));
    const b3 = f32x4.splat(bias == 0 ? 0 : load<f32>(bias + (<usize>oc << 2), 12));
    const o0 = out + <usize>oc * plane;
    for (let y = 0; y < oh; y++) {
      const rowBase = xp + ((<usize>(y * sh) * <usize>wp) << 2);
      const orow = o0 + ((<usize>y * <usize>ow) << 2);
      if (vec) {
        for (let xs = 0; xs < ow; xs += 8) {
          const xo = xs + 8 <= ow ? xs : ow - 8;
          let a00 = b0, a01 = b0, a10 = b1, a11 = b1, a20 = b2, a21 = b2, a30 = b3, a31 = b3;
          const colBase = rowBase + (<usize>(xo * sw) << 2);
          let t = 0;
          for (let ky = 0; ky < kh; ky++) {
            const r = colBase + ((<usize>(ky * dh) * <usize>wp) << 2);
            for (let kx = 0; kx < kw; kx++, t++) {
              const src = r + (<usize>(kx * dw) << 2);
              const v0 = loadPixels8(src, sw, 0);
              const v1 = loadPixels8(src, sw, 1);
              const to = <usize>t << 2;
              let s = v128.load32_splat(w0 + to);
              a00 = f32x4.add(a00, f32x4.mul(v0, s));
              a01 = f32x4.add(a01, f32x4.mul(v1, s));
              s = v128.load32_splat(w1 + to);
              a10 = f32x4.add(a10, f32x4.mul(v0, s));
              a11 = f32x4.add(a11, f32x4.mul(v1, s));
              s = v128.load32_splat(w2 + to);
              a20 = f32x4.add(a20, f32x4.mul(v0, s));
              a21 = f32x4.add(a21, f32x4.mul(v1, s));
              s = v128.load32_splat(w3 + to);
              a30 = f32x4.add(a30, f32x4.mul(v0, s));
              a31 = f32x4.add(a31, f32x4.mul(v1, s));
            }
          }
          const d = orow + (<usize>xo << 2);
          v128.store(d, a00);
          v128.store(d, a01, 16);
          v128.store(d + plane, a10);
          v128.store(d + plane, a11, 16);
          v128.store(d + 2 * plane, a20);
          v128.store(d + 2 * plane, a21, 16);
          v128.store(d + 3 * plane, a30);
          v128.store(d + 3 * plane, a31, 16);
        }
      } else {
        for (let r = 0; r < 4; r++) convRowScalar(rowBase, wp, w0 + <usize>r * tapBytes, bias, oc + r, kh, kw, ow, sw, dh, dw, orow + <usize>r * plane);
      }
    }
  }
  for (; oc < m; oc++) {
    const wk = w + <usize>oc * tapBytes;
    const o0 = out + <usize>oc * plane;
    for (let y = 0; y < oh; y++) {
      const rowBase = xp + ((<usize>(y * sh) * <usize>wp) << 2);
      const orow = o0 + ((<usize>y * <usize>ow) << 2);
      if (vec) {
        const bv = f32x4.splat(bias == 0 ? 0 : load<f32>(bias + (<usize>oc << 2)));
        for (let xs = 0; xs < ow; xs += 8) {
          const xo = xs + 8 <= ow ? xs : ow - 8;
          let a0 = bv, a1 = bv;
          const colBase = rowBase + (<usize>(xo * sw) << 2);
          let t = 0;
          for (let ky = 0; ky < kh; ky++) {
            const r = colBase + ((<usize>(ky * dh) * <usize>wp) << 2);
            for (let kx = 0; kx < kw; kx++, t++) {
              const src = r + (<usize>(kx * dw) << 2);
              const s = v128.load32_splat(wk + (<usize>t << 2));
              a0 = f32x4.add(a0, f32x4.mul(loadPixels8(src, sw, 0), s));
              a1 = f32x4.add(a1, f32x4.mul(loadPixels8(src, sw, 1), s));
            }
          }
          v128.store(orow + (<usize>xo << 2), a0);
          v128.store(orow + (<usize>xo << 2), a1, 16);
        }
      } else convRowScalar(rowBase, wp, wk, bias, oc, kh, kw, ow, sw, dh, dw, orow);
    }
  }
}

/** One output row of one filter, scalar (narrow outputs and strides other than 1 and 2). */
function convRowScalar(rowBase: usize, wp: i32, wk: usize, bias: usize, oc: i32, kh: i32, kw: i32, ow: i32, sw: i32, dh: i32, dw: i32, orow: usize): void {
  const b: f32 = bias == 0 ? 0 : load<f32>(bias + (<usize>oc << 2));
  for (let xo = 0; xo < ow; xo++) {
    let acc: f32 = b;
    const colBase = rowBase + (<usize>(xo * sw) << 2);
    let t = 0;
    for (let ky = 0; ky < kh; ky++) {
      const r = colBase + ((<usize>(ky * dh) * <usize>wp) << 2);
      for (let kx = 0; kx < kw; kx++, t++) acc += load<f32>(r + (<usize>(kx * dw) << 2)) * load<f32>(wk + (<usize>t << 2));
    }
    store<f32>(orow + (<usize>xo << 2), acc);
  }
}

/** `f32(f64(v) · k + t)` on four lanes (k, t as f64x2 splats): the BatchNormalization map, rounded once. */
@inline function affine4(v: v128, kv: v128, tv: v128): v128 {
  const lo = f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(v), kv), tv);
  const hi = f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)), kv), tv);
  return i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/** The convF32 epilogue on four lanes (zero: a splat of 0): relu when `relu`, then affine4 when `affine`. */
@inline function epilogue4(v: v128, relu: bool, affine: bool, zero: v128, kv: v128, tv: v128): v128 {
  if (relu) v = v128.andnot(v, f32x4.le(v, zero)); // v <= 0 → +0; NaN (and v > 0) kept
  if (affine) v = affine4(v, kv, tv);
  return v;
}

/** epilogue4 on one value: `v <= 0 ? 0 : v` when `relu`, then `f32(f64(v) · k + t)` when `affine`. */
@inline function epilogue1(v: f32, relu: bool, affine: bool, k: f64, t: f64): f32 {
  if (relu) v = v <= 0 ? 0 : v;
  if (affine) v = <f32>(<f64>v * k + t);
  return v;
}

/**
 * The convF32 epilogue in place over `[batch, m, plane]` floats at `p`: when `relu`, `v <= 0 ? 0 : v` (−0 gives +0, NaN
 * stays NaN as in onnxruntime); then, when `scale` is not 0, `v · scale[c] + shift[c]` with float64 per-channel factors, computed in
 * float64 and rounded once to float32 (the same bits as the JS backend and a BatchNormalization node).
 */
export function convEpilogueF32(p: usize, batch: i32, m: i32, plane: i32, relu: bool, scale: usize, shift: usize): void {
  const zero = f32x4.splat(0);
  const n4 = plane & ~3;
  let q = p;
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < m; c++) {
      const affine = scale != 0;
      const k: f64 = affine ? load<f64>(scale + (<usize>c << 3)) : 1;
      const t: f64 = affine ? load<f64>(shift + (<usize>c << 3)) : 0;
      const kv = f64x2.splat(k);
      const tv = f64x2.splat(t);
      let i = 0;
      for (; i < n4; i += 4, q += 16) v128.store(q, epilogue4(v128.load(q), relu, affine, zero, kv, tv));
      for (; i < plane; i++, q += 4) store<f32>(q, epilogue1(load<f32>(q), relu, affine, k, t));
    }
  }
}

/**
 * The float output of a dynamic conv, in place over the int32 accumulators `[batch, m, plane]` at `p`: per channel
 * `c`, `y = f32(acc · scales[c])` (the exact int32 times the float32 scale in float64, rounded once to float32), plus
 * `bias[c]` in float32 when `bias` is not 0, then the epilogue of {@link convEpilogueF32}. Bit-identical with the JS
 * backend (which computes the product in double precision and rounds it to float32 the same way).
 */
export function dynamicConvOutF32(p: usize, batch: i32, m: i32, plane: i32, scales: usize, bias: usize, relu: bool, scale: usize, shift: usize): void {
  const zero = f32x4.splat(0);
  const n4 = plane & ~3;
  const affine = scale != 0;
  let q = p;
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < m; c++) {
      const s: f64 = <f64>load<f32>(scales + (<usize>c << 2));
      const bc: f32 = bias == 0 ? 0 : load<f32>(bias + (<usize>c << 2));
      const k: f64 = affine ? load<f64>(scale + (<usize>c << 3)) : 1;
      const t: f64 = affine ? load<f64>(shift + (<usize>c << 3)) : 0;
      const sv = f64x2.splat(s);
      const bv = f32x4.splat(bc);
      const kv = f64x2.splat(k);
      const tv = f64x2.splat(t);
      let i = 0;
      for (; i < n4; i += 4, q += 16) {
        const a = v128.load(q);
        const lo = f64x2.mul(f64x2.convert_low_i32x4_s(a), sv);
        const hi = f64x2.mul(f64x2.convert_low_i32x4_s(i32x4.shuffle(a, a, 2, 3, 0, 1)), sv);
        let v = i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
        if (bias != 0) v = f32x4.add(v, bv);
        v128.store(q, epilogue4(v, relu, affine, zero, kv, tv));
      }
      for (; i < plane; i++, q += 4) {
        let v = <f32>(<f64>load<i32>(q) * s);
        if (bias != 0) v += bc;
        store<f32>(q, epilogue1(v, relu, affine, k, t));
      }
    }
  }
}

/**
 * MaxPool of `planes` float planes `h × w` at `src` into `dst` (a conv's fused MaxPool: window kh × kw, strides
 * sh, sw, no padding, dilation 1, floor mode). Per window the first tap, then each later tap (row-major) that is
 * strictly greater or NaN (a NaN tap makes the window NaN, as in onnxruntime) — the bits of the MaxPool node and of the JS backend. 2×2 stride 2 runs 4 outputs per step.
 */
export function maxPoolPlanesF32(src: usize, planes: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, dst: usize): void {
  const oh = (h - kh) / sh + 1;
  const ow = (w - kw) / sw + 1;
  const rowBytes = <usize>w << 2;
  let o = dst;
  for (let p = 0; p < planes; p++) {
    const base = src + ((<usize>p * <usize>h * <usize>w) << 2);
    for (let y = 0; y < oh; y++) {
      const row = base + <usize>(y * sh) * rowBytes;
      let x = 0;
      if (kh == 2 && kw == 2 && sh == 2 && sw == 2) {
        for (; x + 4 <= ow; x += 4, o += 16) {
          const r0 = row + (<usize>x << 3);
          const r1 = r0 + rowBytes;
          const a0 = v128.load(r0);
          const b0 = v128.load(r0, 16);
          const a1 = v128.load(r1);
          const b1 = v128.load(r1, 16);
          let best = i32x4.shuffle(a0, b0, 0, 2, 4, 6);
          let v = i32x4.shuffle(a0, b0, 1, 3, 5, 7);
          best = v128.bitselect(v, best, v128.or(f32x4.gt(v, best), f32x4.ne(v, v)));
          v = i32x4.shuffle(a1, b1, 0, 2, 4, 6);
          best = v128.bitselect(v, best, v128.or(f32x4.gt(v, best), f32x4.ne(v, v)));
          v = i32x4.shuffle(a1, b1, 1, 3, 5, 7);
          best = v128.bitselect(v, best, v128.or(f32x4.gt(v, best), f32x4.ne(v, v)));
          v128.store(o, best);
        }
      }
      for (; x < ow; x++, o += 4) {
        const r0 = row + (<usize>(x * sw) << 2);
        let best = load<f32>(r0);
        for (let ky = 0; ky < kh; ky++) {
          const r = r0 + <usize>ky * rowBytes;
          for (let kx = ky == 0 ? 1 : 0; kx < kw; kx++) {
            const v = load<f32>(r + (<usize>kx << 2));
            if (v > best || v != v) best = v;
          }
        }
        store<f32>(o, best);
      }
    }
  }
}
