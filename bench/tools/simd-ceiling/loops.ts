// The inner loops of @qint/kernels-wasm's kernels, stripped of everything else, on operands that stay in L1: what
// V8's code for each loop can do per second on this CPU, i.e. the ceiling of each kernel. Compiled and run by
// ceiling.mjs (same flags as the kernels: -O3, SIMD, no relaxed SIMD). Each function runs `reps` passes over `kp`
// k-values (GEMM: kp/2 k-pairs; GEMV: kp values × 8 columns).

@inline function dot2(x: v128, w: v128, acc: v128): v128 {
  return i32x4.add(acc, i32x4.dot_i16x8_s(x, w));
}

@inline function fma4(acc: v128, a: v128, b: v128): v128 {
  return f32x4.add(acc, f32x4.mul(a, b));
}

/** int8 GEMM micro-kernel (gemmI16IL / dynGemmIL): 4 interleaved rows × 8 columns per k-pair, 64 multiply-adds. */
export function gemmInt8(a: usize, kp: i32, b: usize, c: usize, reps: i32): void {
  const bEnd = b + (<usize>kp << 4);
  for (let r = 0; r < reps; r++) {
    let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c10 = i32x4.splat(0), c11 = i32x4.splat(0);
    let c20 = i32x4.splat(0), c21 = i32x4.splat(0), c30 = i32x4.splat(0), c31 = i32x4.splat(0);
    let ap = a;
    for (let bp = b; bp < bEnd; bp += 32, ap += 16) {
      const b0 = v128.load(bp);
      const b1 = v128.load(bp, 16);
      let x = v128.load32_splat(ap);
      c00 = dot2(x, b0, c00); c01 = dot2(x, b1, c01);
      x = v128.load32_splat(ap, 4);
      c10 = dot2(x, b0, c10); c11 = dot2(x, b1, c11);
      x = v128.load32_splat(ap, 8);
      c20 = dot2(x, b0, c20); c21 = dot2(x, b1, c21);
      x = v128.load32_splat(ap, 12);
      c30 = dot2(x, b0, c30); c31 = dot2(x, b1, c31);
    }
    v128.store(c, i32x4.add(i32x4.add(i32x4.add(c00, c01), i32x4.add(c10, c11)), i32x4.add(i32x4.add(c20, c21), i32x4.add(c30, c31))));
  }
}

/** The same block with the operands held in registers (no loads): the arithmetic alone. */
export function gemmInt8NoLoads(a: usize, kp: i32, b: usize, c: usize, reps: i32): void {
  const b0 = v128.load(b), b1 = v128.load(b, 16);
  const x0 = v128.load(a), x1 = v128.load(a, 16), x2 = v128.load(a, 32), x3 = v128.load(a, 48);
  const steps = kp >> 1;
  for (let r = 0; r < reps; r++) {
    let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c10 = i32x4.splat(0), c11 = i32x4.splat(0);
    let c20 = i32x4.splat(0), c21 = i32x4.splat(0), c30 = i32x4.splat(0), c31 = i32x4.splat(0);
    for (let i = 0; i < steps; i++) {
      c00 = dot2(x0, b0, c00); c01 = dot2(x0, b1, c01);
      c10 = dot2(x1, b0, c10); c11 = dot2(x1, b1, c11);
      c20 = dot2(x2, b0, c20); c21 = dot2(x2, b1, c21);
      c30 = dot2(x3, b0, c30); c31 = dot2(x3, b1, c31);
    }
    v128.store(c, i32x4.add(i32x4.add(i32x4.add(c00, c01), i32x4.add(c10, c11)), i32x4.add(i32x4.add(c20, c21), i32x4.add(c30, c31))));
  }
}

/** f32 GEMM micro-kernel (gemmF32Panels): 4 rows × 8 columns per k, 32 multiply-adds (no FMA in plain SIMD128). */
export function gemmF32(a: usize, kp: i32, b: usize, c: usize, reps: i32): void {
  const bEnd = b + (<usize>kp << 5);
  for (let r = 0; r < reps; r++) {
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
    let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
    let ap = a;
    for (let bp = b; bp < bEnd; bp += 32, ap += 16) {
      const b0 = v128.load(bp);
      const b1 = v128.load(bp, 16);
      let x = v128.load32_splat(ap);
      c00 = fma4(c00, x, b0); c01 = fma4(c01, x, b1);
      x = v128.load32_splat(ap, 4);
      c10 = fma4(c10, x, b0); c11 = fma4(c11, x, b1);
      x = v128.load32_splat(ap, 8);
      c20 = fma4(c20, x, b0); c21 = fma4(c21, x, b1);
      x = v128.load32_splat(ap, 12);
      c30 = fma4(c30, x, b0); c31 = fma4(c31, x, b1);
    }
    v128.store(c, f32x4.add(f32x4.add(f32x4.add(c00, c01), f32x4.add(c10, c11)), f32x4.add(f32x4.add(c20, c21), f32x4.add(c30, c31))));
  }
}

/** 8-bit GEMV (gemvPacked): 8 columns, 4 k-pairs per step from int8 storage, sign-extended in the loop. */
export function gemv8(x: usize, kp: i32, w: usize, c: usize, reps: i32): void {
  const wEnd = w + (<usize>kp << 3);
  for (let r = 0; r < reps; r++) {
    let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
    let xp = x;
    for (let wp = w; wp < wEnd; wp += 64, xp += 16) {
      const w0 = v128.load(wp), w1 = v128.load(wp, 16), w2 = v128.load(wp, 32), w3 = v128.load(wp, 48);
      let s = v128.load32_splat(xp);
      a0 = dot2(s, i16x8.extend_low_i8x16_s(w0), a0);
      a1 = dot2(s, i16x8.extend_high_i8x16_s(w0), a1);
      s = v128.load32_splat(xp, 4);
      a2 = dot2(s, i16x8.extend_low_i8x16_s(w1), a2);
      a3 = dot2(s, i16x8.extend_high_i8x16_s(w1), a3);
      s = v128.load32_splat(xp, 8);
      a0 = dot2(s, i16x8.extend_low_i8x16_s(w2), a0);
      a1 = dot2(s, i16x8.extend_high_i8x16_s(w2), a1);
      s = v128.load32_splat(xp, 12);
      a2 = dot2(s, i16x8.extend_low_i8x16_s(w3), a2);
      a3 = dot2(s, i16x8.extend_high_i8x16_s(w3), a3);
    }
    v128.store(c, i32x4.add(i32x4.add(a0, a1), i32x4.add(a2, a3)));
  }
}

/** 4-bit GEMV (gemv4RowT): 8 columns, four nibble fields per int16 lane, each isolated by one and/shift. */
export function gemv4(x: usize, kp: i32, w: usize, c: usize, reps: i32): void {
  const wEnd = w + (<usize>kp << 2);
  const m0 = i16x8.splat(0x000f), m1 = i16x8.splat(0x00f0), m2 = i16x8.splat(0x0f00);
  for (let r = 0; r < reps; r++) {
    let a = i32x4.splat(0), b = i32x4.splat(0), cc = i32x4.splat(0), d = i32x4.splat(0);
    let xp = x;
    for (let wp = w; wp < wEnd; wp += 32, xp += 16) {
      const v0 = v128.load(wp);
      const v1 = v128.load(wp, 16);
      let s = v128.load32_splat(xp);
      a = dot2(s, v128.and(v0, m0), a);
      b = dot2(s, v128.and(v0, m1), b);
      s = v128.load32_splat(xp, 4);
      cc = dot2(s, v128.and(v0, m2), cc);
      d = dot2(s, i16x8.shr_u(v0, 12), d);
      s = v128.load32_splat(xp, 8);
      a = dot2(s, v128.and(v1, m0), a);
      b = dot2(s, v128.and(v1, m1), b);
      s = v128.load32_splat(xp, 12);
      cc = dot2(s, v128.and(v1, m2), cc);
      d = dot2(s, i16x8.shr_u(v1, 12), d);
    }
    v128.store(c, i32x4.add(i32x4.add(a, b), i32x4.add(cc, d)));
  }
}

/**
 * The GEMV's arithmetic alone: the activation loads, dot products and adds of gemv8 with the weights held in
 * registers (no weight loads, nothing to unpack). No kernel for narrower weights can do better than this.
 */
export function gemvArithmetic(x: usize, kp: i32, w: usize, c: usize, reps: i32): void {
  const w0 = v128.load(w), w1 = v128.load(w, 16), w2 = v128.load(w, 32), w3 = v128.load(w, 48);
  const xEnd = x + (<usize>kp << 1);
  for (let r = 0; r < reps; r++) {
    let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
    for (let xp = x; xp < xEnd; xp += 16) {
      let s = v128.load32_splat(xp);
      a0 = dot2(s, w0, a0);
      a1 = dot2(s, w1, a1);
      s = v128.load32_splat(xp, 4);
      a2 = dot2(s, w2, a2);
      a3 = dot2(s, w3, a3);
      s = v128.load32_splat(xp, 8);
      a0 = dot2(s, w1, a0);
      a1 = dot2(s, w0, a1);
      s = v128.load32_splat(xp, 12);
      a2 = dot2(s, w3, a2);
      a3 = dot2(s, w2, a3);
    }
    v128.store(c, i32x4.add(i32x4.add(a0, a1), i32x4.add(a2, a3)));
  }
}
