// 4-bit GEMV: the M < 4 path of dynamicLinear for weights stored in 4-bit fields, straight from the packed panels
// described in index.ts (per 16-byte vector two k-pairs x 8 columns, four nibbles per int16 lane: bits 0-3 pair p
// columns 0-3, 4-7 pair p columns 4-7, 8-11 pair p+1 columns 4-7, 12-15 pair p+1 columns 0-3; stored as w + 8).
//
// Why a kernel of its own: at M = 1 the GEMV is bound by vector ALU operations (V8 on x64: one pmaddwd and one
// paddd per 8 multiply-adds, plus unpacking), not by memory, and 8-bit weights cost about as many operations per
// multiply-add as nibbles did (a sign extension vs a shift and a mask). Here every nibble field is isolated with
// ONE operation and left at its place value: v & 0x000f (scale 1), v & 0x00f0 (16), v & 0x0f00 (256), v >> 12 (1).
// The layout puts the two scale-1 fields in the same columns; they still get two accumulators (a, d), since four
// dependent adds per step into one were measured 7% slower, while six accumulators spill. The scaled ones are
// shifted back once per group. The zero-point / storage-offset correction -o·Σx' is where the sums start, not an
// epilogue step; per group only the float update y = y + f32(acc)·(sa·sw) of the dynamicLinear contract remains.
//
// Exactness: the scale-256 accumulator holds 256·Σx'n over at most LONG_K/2 k-values per lane (|x'| <= 255,
// n <= 15): < 2^31, so longer groups fold it into the scale-16 one every LONG_K values. The scale-16 one holds
// 16·Σx'(w - wz), below 2^31 for groups up to 32768 long (packing stores longer 4-bit groups in 8-bit fields).
// The result is the exact int32 of the reference.

/** k-values between two folds of the scale-256 accumulator. */
const LONG_K: i32 = 4096;

@inline function mac(acc: v128, x: v128, w: v128): v128 {
  return i32x4.add(acc, i32x4.dot_i16x8_s(x, w));
}

/**
 * One activation row times every panel of 4-bit packed weights. xq: centred int16 activations, group-padded to lp;
 * neg: -Σ x' per group (i32); sa: address of the row's activation scale; w/sw/o: panels, f32 scales and i32 offsets
 * (storage offset + zero point) per panel and group (32 bytes each); perCol: use o (zero points), else off, the
 * storage offset shared by all columns. Writes y[0 .. 8*panels) as f32. `perCol` is a constant after inlining.
 */
@inline function gemv4RowT(
  xq: usize, neg: usize, sa: usize, w: usize, sw: usize, o: usize, panels: i32, groups: i32, lp: i32, off: i32, y: usize,
  perCol: bool,
): void {
  const groupBytes = <usize>lp << 2;
  const m0 = i16x8.splat(0x000f);
  const m1 = i16x8.splat(0x00f0);
  const m2 = i16x8.splat(0x0f00);
  let wp = w;
  let meta: usize = 0;
  for (let j = 0; j < panels; j++) {
    const yp = y + (<usize>j << 5);
    v128.store(yp, i32x4.splat(0));
    v128.store(yp, i32x4.splat(0), 16);
    let xg = xq;
    for (let g = 0; g < groups; g++, meta += 32, xg += <usize>lp << 1) {
      // a, d: columns 0-3 at scale 1, b: columns 4-7 at 16, c: columns 4-7 at 256. The correction -o·Σx' is where
      // the sums start (b's at scale 16).
      let a: v128, b: v128;
      if (perCol) {
        const ns = v128.load32_splat(neg + (<usize>g << 2));
        a = i32x4.mul(v128.load(o + meta), ns);
        b = i32x4.shl(i32x4.mul(v128.load(o + meta, 16), ns), 4);
      } else {
        a = i32x4.splat(off * load<i32>(neg + (<usize>g << 2)));
        b = i32x4.shl(a, 4);
      }
      let c = i32x4.splat(0);
      let d = i32x4.splat(0);
      let v0: v128, v1: v128, x: v128;
      const wEnd = wp + groupBytes;
      let xp = xg;
      if (lp <= LONG_K) {
        // A plain loop even for blocks of 32: V8 would schedule every load of a hand-unrolled block first and spill.
        for (; wp < wEnd; wp += 32, xp += 16) {
          v0 = v128.load(wp);
          v1 = v128.load(wp, 16);
          x = v128.load32_splat(xp);
          a = mac(a, x, v128.and(v0, m0));
          b = mac(b, x, v128.and(v0, m1));
          x = v128.load32_splat(xp, 4);
          c = mac(c, x, v128.and(v0, m2));
          d = mac(d, x, i16x8.shr_u(v0, 12));
          x = v128.load32_splat(xp, 8);
          a = mac(a, x, v128.and(v1, m0));
          b = mac(b, x, v128.and(v1, m1));
          x = v128.load32_splat(xp, 12);
          c = mac(c, x, v128.and(v1, m2));
          d = mac(d, x, i16x8.shr_u(v1, 12));
        }
      } else {
        while (wp < wEnd) {
          const stepEnd = min(wEnd, wp + (<usize>LONG_K << 2));
          for (; wp < stepEnd; wp += 32, xp += 16) {
            v0 = v128.load(wp);
            v1 = v128.load(wp, 16);
            x = v128.load32_splat(xp);
            a = mac(a, x, v128.and(v0, m0));
            b = mac(b, x, v128.and(v0, m1));
            x = v128.load32_splat(xp, 4);
            c = mac(c, x, v128.and(v0, m2));
            d = mac(d, x, i16x8.shr_u(v0, 12));
            x = v128.load32_splat(xp, 8);
            a = mac(a, x, v128.and(v1, m0));
            b = mac(b, x, v128.and(v1, m1));
            x = v128.load32_splat(xp, 12);
            c = mac(c, x, v128.and(v1, m2));
            d = mac(d, x, i16x8.shr_u(v1, 12));
          }
          b = i32x4.add(b, i32x4.shl(i32x4.shr_s(c, 8), 4));
          c = i32x4.splat(0);
        }
      }
      const hi = i32x4.add(i32x4.shr_s(b, 4), i32x4.shr_s(c, 8));
      // The dynamicLinear contract, per group: y = y + f32(acc) * (sa * sw).
      const vsa = v128.load32_splat(sa);
      v128.store(yp, f32x4.add(v128.load(yp), f32x4.mul(f32x4.convert_i32x4_s(i32x4.add(a, d)), f32x4.mul(vsa, v128.load(sw + meta)))));
      v128.store(yp, f32x4.add(v128.load(yp, 16), f32x4.mul(f32x4.convert_i32x4_s(hi), f32x4.mul(vsa, v128.load(sw + meta, 16)))), 16);
    }
  }
}

/**
 * The GEMV path of dynamicLinear for 4-bit storage: rows r < m of centred activations (row stride xs int16) and their
 * group sums (groups per row) times all packed panels; y row stride = panels*8 floats. corr as in gemvPacked (> 0:
 * the storage offset of every column, < 0: per-column offsets in o). Negates the group sums in place.
 */
export function dynGemv4(
  xq: usize, xs: i32, m: i32, sums: usize, sa: usize, w: usize, sw: usize, o: usize, panels: i32, groups: i32, lp: i32,
  corr: i32, y: usize,
): void {
  dynGemvRows(xq, xs, m, sums, sa, w, sw, o, panels, groups, lp, corr, y, 4);
}

/**
 * The row driver shared by dynGemv4 and dynGemv2 (`bits` 4 or 2, a constant after inlining): negates the group sums
 * in place, then runs the row kernel of that width on each of the m rows, its perCol variant when corr < 0.
 */
@inline function dynGemvRows(
  xq: usize, xs: i32, m: i32, sums: usize, sa: usize, w: usize, sw: usize, o: usize, panels: i32, groups: i32, lp: i32,
  corr: i32, y: usize, bits: i32,
): void {
  for (let i = 0; i < m * groups; i++) {
    const p = sums + (<usize>i << 2);
    store<i32>(p, -load<i32>(p));
  }
  for (let r = 0; r < m; r++) {
    const xr = xq + (<usize>r * <usize>xs << 1);
    const nr = sums + (<usize>r * <usize>groups << 2);
    const sr = sa + (<usize>r << 2);
    const yr = y + (<usize>r * <usize>panels << 5);
    if (bits == 4) {
      if (corr < 0) gemv4RowT(xr, nr, sr, w, sw, o, panels, groups, lp, 0, yr, true);
      else gemv4RowT(xr, nr, sr, w, sw, o, panels, groups, lp, corr, yr, false);
    } else {
      if (corr < 0) gemv2RowT(xr, nr, sr, w, sw, o, panels, groups, lp, 0, yr, true);
      else gemv2RowT(xr, nr, sr, w, sw, o, panels, groups, lp, corr, yr, false);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 2-bit GEMV, the same idea for 2-bit fields: per 16-byte vector four k-pairs x 8 columns, eight fields per int16
// lane, k-pair q and column half h in bits 2f..2f+1 with f = (q & 1) * 4 + (q >> 1) * 2 + h, stored as w + 2.
// s = v >> 8 brings the high byte down, so masks 0x03, 0x0c, 0x30 on v and s isolate six fields at scales 1, 4 and
// 16, and the two top fields of each byte (f = 3, 7) come out at scale 1 by shifts (v << 8 >> 14, v >> 14): a fourth
// mask register would make V8 spill an accumulator through memory (measured 25% slower). About ten operations per
// 64 multiply-adds for unpacking, where the byte-lane unpacking it replaces needed about twice as many.
// Accumulators: a (columns 0-3, x1), b (4-7, x4), c (0-3, x16), e (4-7, x1). Packing keeps 2-bit groups at most
// 2^18 long (longer ones use 8-bit fields), so the sums that are shifted back stay exact without folds:
// |c| <= 16 * 255 * 3 * 2^17 and |b| <= 4 * 255 * 3 * (2^18 + 2^17) (the correction plus half of the products),
// both < 2^31.
// ---------------------------------------------------------------------------------------------------------------

/** One activation row times every panel of 2-bit packed weights; arguments as gemv4RowT. */
@inline function gemv2RowT(
  xq: usize, neg: usize, sa: usize, w: usize, sw: usize, o: usize, panels: i32, groups: i32, lp: i32, off: i32, y: usize,
  perCol: bool,
): void {
  const groupBytes = <usize>lp << 1;
  const m0 = i16x8.splat(0x0003);
  const m1 = i16x8.splat(0x000c);
  const m2 = i16x8.splat(0x0030);
  let wp = w;
  let meta: usize = 0;
  for (let j = 0; j < panels; j++) {
    const yp = y + (<usize>j << 5);
    v128.store(yp, i32x4.splat(0));
    v128.store(yp, i32x4.splat(0), 16);
    let xg = xq;
    for (let g = 0; g < groups; g++, meta += 32, xg += <usize>lp << 1) {
      let a: v128, b: v128;
      if (perCol) {
        const ns = v128.load32_splat(neg + (<usize>g << 2));
        a = i32x4.mul(v128.load(o + meta), ns);
        b = i32x4.shl(i32x4.mul(v128.load(o + meta, 16), ns), 2);
      } else {
        a = i32x4.splat(off * load<i32>(neg + (<usize>g << 2)));
        b = i32x4.shl(a, 2);
      }
      let c = i32x4.splat(0);
      let e = i32x4.splat(0);
      const wEnd = wp + groupBytes;
      let xp = xg;
      for (; wp < wEnd; wp += 16, xp += 16) {
        const v = v128.load(wp);
        const s = i16x8.shr_u(v, 8);
        let x = v128.load32_splat(xp);
        a = mac(a, x, v128.and(v, m0));
        b = mac(b, x, v128.and(v, m1));
        x = v128.load32_splat(xp, 4);
        a = mac(a, x, v128.and(s, m0));
        b = mac(b, x, v128.and(s, m1));
        x = v128.load32_splat(xp, 8);
        c = mac(c, x, v128.and(v, m2));
        e = mac(e, x, i16x8.shr_u(i16x8.shl(v, 8), 14));
        x = v128.load32_splat(xp, 12);
        c = mac(c, x, v128.and(s, m2));
        e = mac(e, x, i16x8.shr_u(v, 14));
      }
      a = i32x4.add(a, i32x4.shr_s(c, 4));
      const hi = i32x4.add(i32x4.shr_s(b, 2), e);
      // The dynamicLinear contract, per group: y = y + f32(acc) * (sa * sw).
      const vsa = v128.load32_splat(sa);
      v128.store(yp, f32x4.add(v128.load(yp), f32x4.mul(f32x4.convert_i32x4_s(a), f32x4.mul(vsa, v128.load(sw + meta)))));
      v128.store(yp, f32x4.add(v128.load(yp, 16), f32x4.mul(f32x4.convert_i32x4_s(hi), f32x4.mul(vsa, v128.load(sw + meta, 16)))), 16);
    }
  }
}

/** The GEMV path of dynamicLinear for 2-bit storage; same contract as dynGemv4. Negates the group sums in place. */
export function dynGemv2(
  xq: usize, xs: i32, m: i32, sums: usize, sa: usize, w: usize, sw: usize, o: usize, panels: i32, groups: i32, lp: i32,
  corr: i32, y: usize,
): void {
  dynGemvRows(xq, xs, m, sums, sa, w, sw, o, panels, groups, lp, corr, y, 2);
}
