// qint WebAssembly SIMD kernels. Flat functions over the one exported memory: the JS side owns every allocation and
// passes byte addresses. Plain SIMD128 only (no relaxed SIMD: it needs a flag on Node 20 and gives wrong sums there).
//
// Integer GEMM core: operands are widened to int16 with their zero points already subtracted (|v| <= 255), and the
// reduction runs over k-pairs with i32x4.dot_i16x8_s: an A "pair splat" [a(k), a(k+1)] x4 times a B vector holding
// [b(k,c), b(k+1,c)] for 4 columns c gives 4 int32 partial sums. B is stored in column panels of 8, k-pair interleaved:
// per k-pair 8 int16 pairs = two v128 (columns 0-3, 4-7). A 4-row x 8-column register block needs 8 accumulators +
// 2 B vectors + 1 splat: it fits V8's 16 vector registers (4x16 would spill).

import { dynGemv2, dynGemv4 } from './gemv-nbit';

export function heapBase(): usize {
  return __heap_base;
}

// ---------------------------------------------------------------------------------------------------------------
// Dynamic quantization of activations (DynamicQuantizeLinear semantics, see kernel-backend.ts)
// ---------------------------------------------------------------------------------------------------------------

/** Writes min(0, finite x) and max(0, finite x) of each of `rows` rows of length `k` to out[2*r], out[2*r+1]. */
export function rangeRows(x: usize, rows: i32, k: i32, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const row = x + (<usize>r * <usize>k << 2);
    // Fast pass without masking: pmin/pmax(acc, v) keep acc when v is NaN, so only ±Inf can leak into the result;
    // a row that reaches an infinite bound is scanned again with the non-finite values masked out.
    rangeRow(row, k, out + (<usize>r << 3), false);
    if (load<f32>(out + (<usize>r << 3)) == -Infinity || load<f32>(out + (<usize>r << 3), 4) == Infinity) {
      rangeRow(row, k, out + (<usize>r << 3), true);
    }
  }
}

/** min(0, finite x) and max(0, finite x) of one row to out[0], out[1]; `mask` drops ±Inf (else only NaN is dropped). */
@inline function rangeRow(row: usize, k: i32, out: usize, mask: bool): void {
  const inf = f32x4.splat(Infinity);
  let vlo = f32x4.splat(0);
  let vhi = f32x4.splat(0);
  let i = 0;
  if (mask) {
    for (; i + 8 <= k; i += 8) {
      const v0 = v128.load(row + (<usize>i << 2));
      const v1 = v128.load(row + (<usize>i << 2), 16);
      // Non-finite values (NaN, ±Inf) are replaced by 0, which is already inside the widened range.
      const z0 = v128.and(v0, f32x4.lt(f32x4.abs(v0), inf));
      const z1 = v128.and(v1, f32x4.lt(f32x4.abs(v1), inf));
      // pmin/pmax are single instructions (min/max carry NaN and ±0 fix-ups); there is no NaN left here, and a
      // -0 lower bound gives the same scale and zero point as +0.
      vlo = f32x4.pmin(vlo, f32x4.pmin(z0, z1));
      vhi = f32x4.pmax(vhi, f32x4.pmax(z0, z1));
    }
  } else {
    let vlo1 = vlo;
    let vhi1 = vhi;
    for (; i + 8 <= k; i += 8) {
      const v0 = v128.load(row + (<usize>i << 2));
      const v1 = v128.load(row + (<usize>i << 2), 16);
      // pmin(a, v) = v < a ? v : a: a NaN v leaves the accumulator as it is.
      vlo = f32x4.pmin(vlo, v0);
      vhi = f32x4.pmax(vhi, v0);
      vlo1 = f32x4.pmin(vlo1, v1);
      vhi1 = f32x4.pmax(vhi1, v1);
    }
    vlo = f32x4.pmin(vlo, vlo1);
    vhi = f32x4.pmax(vhi, vhi1);
  }
  let lo = min(min(f32x4.extract_lane(vlo, 0), f32x4.extract_lane(vlo, 1)), min(f32x4.extract_lane(vlo, 2), f32x4.extract_lane(vlo, 3)));
  let hi = max(max(f32x4.extract_lane(vhi, 0), f32x4.extract_lane(vhi, 1)), max(f32x4.extract_lane(vhi, 2), f32x4.extract_lane(vhi, 3)));
  for (; i < k; i++) {
    const v = load<f32>(row + (<usize>i << 2));
    if (v < lo) {
      if (v != -Infinity || !mask) lo = v;
    } else if (v > hi && (v != Infinity || !mask)) hi = v;
  }
  store<f32>(out, lo);
  store<f32>(out, hi, 4);
}

@inline function quantCentred(v: v128, vsa: v128, vlo: v128, vhi: v128): v128 {
  // round(x / sa) clamped to [-za, 255 - za] = clamp(round(x / sa) + za, 0, 255) - za. pmax/pmin keep NaN (they
  // return the first operand when a comparison with NaN is false), and trunc_sat maps NaN to 0, i.e. q = za as in
  // the JS reference.
  const q = f32x4.nearest(f32x4.div(v, vsa));
  return i32x4.trunc_sat_f32x4_s(f32x4.pmin(f32x4.pmax(q, vlo), vhi));
}

/** quantCentred on one value (flo = -za, fhi = 255 - za): the scalar tails of quantizeRows and quantizeRowsIL. */
@inline function quantCentredS(v: f32, s: f32, flo: f32, fhi: f32): i32 {
  const q = nearest<f32>(v / s);
  let qi: i32;
  if (q < flo) qi = <i32>flo;
  else if (q > fhi) qi = <i32>fhi;
  else if (q != q) qi = 0;
  else qi = <i32>q;
  return qi;
}

/**
 * Quantizes `rows` rows of float activations to centred int16 `xq - za` in the group-padded layout: group g of a row
 * starts at element g*lp, holds min(gl, k - g*gl) values and is zero-padded to lp. Also writes the int32 sum of every
 * group to sums[r*groups + g]. Scales/zero points per row come from sa[r] (f32) and za[r] (i32); a row with sa == 0
 * quantizes to all zeros.
 */
export function quantizeRows(
  x: usize, rows: i32, k: i32, sa: usize, za: usize, dst: usize, xs: i32, gl: i32, lp: i32, groups: i32, sums: usize,
): void {
  const rowBytes = <usize>groups * <usize>lp << 1;
  const rowStride = <usize>xs << 1;
  for (let r = 0; r < rows; r++) {
    const s = load<f32>(sa + (<usize>r << 2));
    const z = load<i32>(za + (<usize>r << 2));
    const zf = <f32>z;
    const drow = dst + <usize>r * rowStride;
    const xrow = x + (<usize>r * <usize>k << 2);
    if (s == 0) {
      memory.fill(drow, 0, rowBytes);
      for (let g = 0; g < groups; g++) store<i32>(sums + ((<usize>r * <usize>groups + <usize>g) << 2), 0);
      continue;
    }
    const vsa = f32x4.splat(s);
    const vlo = f32x4.splat(-zf);
    const vhi = f32x4.splat(255 - zf);
    const flo: f32 = -zf;
    const fhi: f32 = 255 - zf;
    for (let g = 0; g < groups; g++) {
      const start = g * gl;
      const len = min(gl, k - start);
      const src = xrow + (<usize>start << 2);
      const d = drow + (<usize>g * <usize>lp << 1);
      let vs = i32x4.splat(0);
      let i = 0;
      for (; i + 8 <= len; i += 8) {
        const q0 = quantCentred(v128.load(src + (<usize>i << 2)), vsa, vlo, vhi);
        const q1 = quantCentred(v128.load(src + (<usize>i << 2), 16), vsa, vlo, vhi);
        vs = i32x4.add(vs, i32x4.add(q0, q1));
        v128.store(d + (<usize>i << 1), i16x8.narrow_i32x4_s(q0, q1));
      }
      let sum = i32x4.extract_lane(vs, 0) + i32x4.extract_lane(vs, 1) + i32x4.extract_lane(vs, 2) + i32x4.extract_lane(vs, 3);
      for (; i < len; i++) {
        const qi = quantCentredS(load<f32>(src + (<usize>i << 2)), s, flo, fhi);
        sum += qi;
        store<i16>(d + (<usize>i << 1), <i16>qi);
      }
      for (; i < lp; i++) store<i16>(d + (<usize>i << 1), 0);
      store<i32>(sums + ((<usize>r * <usize>groups + <usize>g) << 2), sum);
    }
  }
}

/**
 * quantizeRows for one scale `s` and zero point `z` shared by all rows, one group per row and no group sums (the
 * attention products): the rows*k values are quantized as one flat vector into `tmp` (rows*k int16 plus 16 bytes of
 * slack), then copied into rows of stride xs (>= kp rounded up to 8) zero-padded to kp. Attention rows hold 7–64
 * values, so row by row most of them would take quantizeRows' scalar tail (a division per value). s == 0: all zeros.
 */
export function quantizeRowsShared(x: usize, rows: i32, k: i32, s: f32, z: i32, tmp: usize, dst: usize, xs: i32, kp: i32): void {
  const rowStride = <usize>xs << 1;
  const n = rows * k;
  if (s != 0) {
    const zf = <f32>z;
    const vsa = f32x4.splat(s);
    const vlo = f32x4.splat(-zf);
    const vhi = f32x4.splat(255 - zf);
    let i = 0;
    for (; i + 8 <= n; i += 8) {
      const q0 = quantCentred(v128.load(x + (<usize>i << 2)), vsa, vlo, vhi);
      const q1 = quantCentred(v128.load(x + (<usize>i << 2), 16), vsa, vlo, vhi);
      v128.store(tmp + (<usize>i << 1), i16x8.narrow_i32x4_s(q0, q1));
    }
    for (; i < n; i++) {
      // The vector formula on one lane: exactly what the loop above gives that value.
      const q = i32x4.extract_lane(quantCentred(f32x4.splat(load<f32>(x + (<usize>i << 2))), vsa, vlo, vhi), 0);
      store<i16>(tmp + (<usize>i << 1), <i16>q);
    }
  }
  const full = k & ~7;
  const tailMask = laneMask16(k - full);
  for (let r = 0; r < rows; r++) {
    const src = tmp + (<usize>r * <usize>k << 1);
    const d = dst + <usize>r * rowStride;
    let i = 0;
    if (s != 0) {
      for (; i < full; i += 8) v128.store(d + (<usize>i << 1), v128.load(src + (<usize>i << 1)));
      if (i < k) {
        v128.store(d + (<usize>i << 1), v128.and(v128.load(src + (<usize>i << 1)), tailMask));
        i += 8;
      }
    }
    for (; i < kp; i += 8) v128.store(d + (<usize>i << 1), i32x4.splat(0));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Packed linear weights. Panel j holds output columns 8j..8j+7; inside it, group after group, each zero-padded to lp
// (a multiple of 8) values along k. The `bits` argument of these functions is the storage width (8, 4 or 2; the JS
// side stores 3-bit weights, 4-bit groups longer than 32768 and 2-bit ones longer than 2^18 in wider fields).
// Per 16-byte vector:
//   8-bit: one k-pair: bytes [w(k,c0), w(k+1,c0), w(k,c1), ...] (signed, as given);
//   4-bit: two k-pairs as four nibbles per int16 lane L = 2*(c & 3) + (k & 1): bits 0-3 pair p columns 0-3, bits 4-7
//          pair p columns 4-7, bits 8-11 pair p+1 columns 4-7, bits 12-15 pair p+1 columns 0-3; stored as w + 8
//          (the two fields that need no mask or a plain shift, 0-3 and 12-15, hold the same columns: see gemv-nbit.ts);
//   2-bit: four k-pairs as eight 2-bit fields per int16 lane L = 2*(c & 3) + (k & 1): k-pair q of the vector and
//          column half h in bits 2f..2f+1, f = (q & 1) * 4 + (q >> 1) * 2 + h; stored as w + 2 (0..3).
// Per panel and group: 8 f32 scales and 8 i32 "offsets" o = storage offset + zero point, so w - wz = stored - o.
// ---------------------------------------------------------------------------------------------------------------

/**
 * Packs `[n, k]` signed values (one byte each) into the panel layout. Rows >= n and padded k read as storage value
 * "offset" (i.e. weight - offset = 0 after correction, contributing nothing because padded activations are 0).
 */
export function packWeights(src: usize, n: i32, k: i32, bits: i32, gl: i32, lp: i32, groups: i32, dst: usize): void {
  const panels = (n + 7) >> 3;
  const storeBits = bits;
  const off: i32 = storeBits == 8 ? 0 : 1 << (storeBits - 1);
  const perVec = 8 / storeBits; // k-pairs per 16-byte vector
  const groupBytes = <usize>lp * <usize>storeBits; // lp/2 pairs * 16 bytes / perVec
  const panelBytes = groupBytes * <usize>groups;
  memory.fill(dst, 0, panelBytes * <usize>panels);
  for (let j = 0; j < panels; j++) {
    for (let g = 0; g < groups; g++) {
      const gbase = dst + <usize>j * panelBytes + <usize>g * groupBytes;
      for (let kk = 0; kk < lp; kk++) {
        const kAbs = g * gl + kk;
        const valid = kk < gl && kAbs < k;
        const pair = kk >> 1;
        const vec = pair / perVec;
        const field = pair % perVec;
        for (let c = 0; c < 8; c++) {
          const col = j * 8 + c;
          let v: i32 = valid && col < n ? <i32>load<i8>(src + <usize>col * <usize>k + <usize>kAbs) : 0;
          const byteAddr = gbase + (<usize>vec << 4) + <usize>(c * 2 + (kk & 1));
          if (storeBits == 8) {
            store<i8>(byteAddr, <i8>v);
          } else if (storeBits == 4) {
            // int16 lane L = (c & 3) * 2 + (k & 1) holds four nibbles: t = 0 pair p columns 0-3, t = 1 pair p
            // columns 4-7, t = 2 pair p+1 columns 4-7, t = 3 pair p+1 columns 0-3 (bits 4t..4t+3).
            const t = field == 0 ? c >> 2 : 3 - (c >> 2);
            const lane = ((c & 3) << 1) + (kk & 1);
            const a4 = gbase + (<usize>vec << 4) + <usize>(lane << 1) + <usize>(t >> 1);
            const u = (v + off) & 15;
            store<u8>(a4, load<u8>(a4) | <u8>(u << ((t & 1) << 2)));
          } else {
            // int16 lane L = (c & 3) * 2 + (k & 1) holds eight 2-bit fields f (bits 2f..2f+1): the vector's k-pair
            // q = field and column half h = c >> 2 go to f = (q & 1) * 4 + (q >> 1) * 2 + h (see gemv-nbit.ts).
            const f = ((field & 1) << 2) + ((field >> 1) << 1) + (c >> 2);
            const lane = ((c & 3) << 1) + (kk & 1);
            const a2 = gbase + (<usize>vec << 4) + <usize>(lane << 1) + <usize>(f >> 2);
            const u = (v + off) & 3;
            store<u8>(a2, load<u8>(a2) | <u8>(u << ((f & 3) << 1)));
          }
        }
      }
    }
  }
}

// Offset-binary storage of sub-byte weights: stored = w + off. GEMV corrects with o = off + wz per column:
// sum (x')(stored - o) = sum x'·stored - o·sum x'.

@inline function dot2(xs: v128, w: v128, acc: v128): v128 {
  return i32x4.add(acc, i32x4.dot_i16x8_s(xs, w));
}

@inline function gemvEpilogue(
  acc: v128, o: usize, sum: i32, corr: i32, vsa: v128, sw: usize, y: v128,
): v128 {
  let a = acc;
  // corr > 0: the same offset for every column (no zero points): a scalar product; corr < 0: per-column offsets.
  if (corr > 0) a = i32x4.sub(a, i32x4.splat(corr * sum));
  else if (corr < 0) a = i32x4.sub(a, i32x4.mul(v128.load(o), i32x4.splat(sum)));
  return f32x4.add(y, f32x4.mul(f32x4.convert_i32x4_s(a), f32x4.mul(vsa, v128.load(sw))));
}

/**
 * One activation row (centred int16, group-padded, plus group sums) times all packed 8-bit panels, straight from the
 * packed bytes (the M < 4 path: weights are streamed once). Writes y[0 .. 8*panels) (f32). dynGemv sends 4- and
 * 2-bit storage to the kernels of gemv-nbit.ts.
 */
function gemvPacked(
  xq: usize, sums: usize, sa: f32, w: usize, sw: usize, o: usize, panels: i32, groups: i32, lp: i32, corr: i32, y: usize,
): void {
  const groupBytes = <usize>lp << 3;
  const vsa = f32x4.splat(sa);
  let wp = w;
  for (let j = 0; j < panels; j++) {
    let y0 = f32x4.splat(0);
    let y1 = f32x4.splat(0);
    for (let g = 0; g < groups; g++) {
      let a0 = i32x4.splat(0);
      let a1 = i32x4.splat(0);
      let a2 = i32x4.splat(0);
      let a3 = i32x4.splat(0);
      let xp = xq + (<usize>g * <usize>lp << 1);
      const wEnd = wp + groupBytes;
      // 4 k-pairs per iteration (lp is a multiple of 8).
      for (; wp < wEnd; wp += 64, xp += 16) {
        const w0 = v128.load(wp);
        const w1 = v128.load(wp, 16);
        const w2 = v128.load(wp, 32);
        const w3 = v128.load(wp, 48);
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
      const gs = load<i32>(sums + (<usize>g << 2));
      const meta = (<usize>j * <usize>groups + <usize>g) << 5;
      y0 = gemvEpilogue(i32x4.add(a0, a2), o + meta, gs, corr, vsa, sw + meta, y0);
      y1 = gemvEpilogue(i32x4.add(a1, a3), o + meta + 16, gs, corr, vsa, sw + meta + 16, y1);
    }
    v128.store(y + (<usize>j << 5), y0);
    v128.store(y + (<usize>j << 5), y1, 16);
  }
}

/**
 * Widens panel j of packed weights to int16 with the offsets subtracted (w - wz exactly, |v| <= 255), in the
 * k-pair interleaved layout of the GEMM micro-kernels: per k-pair two v128 (columns 0-3, 4-7).
 */
function widenPanel(w: usize, o: usize, j: i32, groups: i32, lp: i32, bits: i32, dst: usize): void {
  const storeBits = bits;
  const groupBytes = <usize>lp * <usize>storeBits;
  let wp = w + <usize>j * groupBytes * <usize>groups;
  let d = dst;
  for (let g = 0; g < groups; g++) {
    const meta = o + ((<usize>j * <usize>groups + <usize>g) << 5);
    // Offsets as int16 pairs [o(c), o(c)] for columns 0-3 and 4-7.
    const oa = v128.load(meta);
    const ob = v128.load(meta, 16);
    const o0 = i16x8.narrow_i32x4_s(i32x4.shuffle(oa, oa, 0, 0, 1, 1), i32x4.shuffle(oa, oa, 2, 2, 3, 3));
    const o1 = i16x8.narrow_i32x4_s(i32x4.shuffle(ob, ob, 0, 0, 1, 1), i32x4.shuffle(ob, ob, 2, 2, 3, 3));
    const wEnd = wp + groupBytes;
    if (storeBits == 8) {
      for (; wp < wEnd; wp += 16, d += 32) {
        const v = v128.load(wp);
        v128.store(d, i16x8.sub(i16x8.extend_low_i8x16_s(v), o0));
        v128.store(d, i16x8.sub(i16x8.extend_high_i8x16_s(v), o1), 16);
      }
    } else if (storeBits == 4) {
      const mask = i16x8.splat(0x000f);
      for (; wp < wEnd; wp += 16, d += 64) {
        const v = v128.load(wp);
        v128.store(d, i16x8.sub(v128.and(v, mask), o0));
        v128.store(d, i16x8.sub(v128.and(i16x8.shr_u(v, 4), mask), o1), 16);
        v128.store(d, i16x8.sub(i16x8.shr_u(v, 12), o0), 32);
        v128.store(d, i16x8.sub(v128.and(i16x8.shr_u(v, 8), mask), o1), 48);
      }
    } else {
      const mask = i16x8.splat(0x0003);
      for (; wp < wEnd; wp += 16, d += 128) {
        // k-pair q, half h in field f = (q & 1) * 4 + (q >> 1) * 2 + h.
        const v = v128.load(wp);
        v128.store(d, i16x8.sub(v128.and(v, mask), o0));
        v128.store(d, i16x8.sub(v128.and(i16x8.shr_u(v, 2), mask), o1), 16);
        v128.store(d, i16x8.sub(v128.and(i16x8.shr_u(v, 8), mask), o0), 32);
        v128.store(d, i16x8.sub(v128.and(i16x8.shr_u(v, 10), mask), o1), 48);
        v128.store(d, i16x8.sub(v128.and(i16x8.shr_u(v, 4), mask), o0), 64);
        v128.store(d, i16x8.sub(v128.and(i16x8.shr_u(v, 6), mask), o1), 80);
        v128.store(d, i16x8.sub(v128.and(i16x8.shr_u(v, 12), mask), o0), 96);
        v128.store(d, i16x8.sub(i16x8.shr_u(v, 14), o1), 112);
      }
    }
  }
}

/** out[m, n] = y[m, n] (+ bias[n]) for the first n of each padded row (ldy floats). bias == 0: none. */
export function finishRows(y: usize, ldy: i32, m: i32, n: i32, bias: usize, out: usize): void {
  for (let r = 0; r < m; r++) {
    const yr = y + (<usize>r * <usize>ldy << 2);
    const orow = out + (<usize>r * <usize>n << 2);
    if (bias == 0) {
      memory.copy(orow, yr, <usize>n << 2);
      continue;
    }
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      v128.store(orow + (<usize>i << 2), f32x4.add(v128.load(yr + (<usize>i << 2)), v128.load(bias + (<usize>i << 2))));
    }
    for (; i < n; i++) store<f32>(orow + (<usize>i << 2), load<f32>(yr + (<usize>i << 2)) + load<f32>(bias + (<usize>i << 2)));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// MatMulInteger / ConvInteger core
// ---------------------------------------------------------------------------------------------------------------

/**
 * Widens rows of an 8-bit matrix to int16 minus a zero point (per row when zpPerRow), padded with zeros to kp
 * (kp >= k, even). src row stride sk bytes; dst row stride kp int16.
 */
export function widenRows(src: usize, rows: i32, k: i32, sk: i32, signed: bool, zp: usize, zpPerRow: bool, kp: i32, dst: usize): void {
  for (let r = 0; r < rows; r++) {
    const z = load<i32>(zp + (zpPerRow ? <usize>r << 2 : 0));
    const vz = i16x8.splat(<i16>z);
    const s = src + <usize>r * <usize>sk;
    const d = dst + (<usize>r * <usize>kp << 1);
    let i = 0;
    if (signed) {
      for (; i + 8 <= k; i += 8) v128.store(d + (<usize>i << 1), i16x8.sub(v128.load8x8_s(s + <usize>i), vz));
      for (; i < k; i++) store<i16>(d + (<usize>i << 1), <i16>(<i32>load<i8>(s + <usize>i) - z));
    } else {
      for (; i + 8 <= k; i += 8) v128.store(d + (<usize>i << 1), i16x8.sub(v128.load8x8_u(s + <usize>i), vz));
      for (; i < k; i++) store<i16>(d + (<usize>i << 1), <i16>(<i32>load<u8>(s + <usize>i) - z));
    }
    for (; i < kp; i++) store<i16>(d + (<usize>i << 1), 0);
  }
}

/**
 * Packs a row-major 8-bit [k, n] matrix (row stride ldb bytes) minus per-column (or per-tensor) zero points into
 * widened k-pair panels of 8 columns (panel stride kp*16 bytes); padded rows/columns are 0.
 */
export function packPanelsB(src: usize, k: i32, n: i32, ldb: i32, signed: bool, zp: usize, zpPerCol: bool, kp: i32, dst: usize): void {
  const panels = (n + 7) >> 3;
  const panelBytes = <usize>kp << 4;
  for (let j = 0; j < panels; j++) {
    const c0 = j << 3;
    const full = c0 + 8 <= n;
    let d = dst + <usize>j * panelBytes;
    // zero-point pairs for columns 0-3 and 4-7
    let o0 = i16x8.splat(0);
    let o1 = i16x8.splat(0);
    if (zpPerCol) {
      for (let c = 0; c < 8; c++) {
        const z = c0 + c < n ? load<i32>(zp + (<usize>(c0 + c) << 2)) : 0;
        // AssemblyScript needs constant lanes: build through memory-free scalar replace
        if (c == 0) { o0 = i16x8.replace_lane(o0, 0, <i16>z); o0 = i16x8.replace_lane(o0, 1, <i16>z); }
        else if (c == 1) { o0 = i16x8.replace_lane(o0, 2, <i16>z); o0 = i16x8.replace_lane(o0, 3, <i16>z); }
        else if (c == 2) { o0 = i16x8.replace_lane(o0, 4, <i16>z); o0 = i16x8.replace_lane(o0, 5, <i16>z); }
        else if (c == 3) { o0 = i16x8.replace_lane(o0, 6, <i16>z); o0 = i16x8.replace_lane(o0, 7, <i16>z); }
        else if (c == 4) { o1 = i16x8.replace_lane(o1, 0, <i16>z); o1 = i16x8.replace_lane(o1, 1, <i16>z); }
        else if (c == 5) { o1 = i16x8.replace_lane(o1, 2, <i16>z); o1 = i16x8.replace_lane(o1, 3, <i16>z); }
        else if (c == 6) { o1 = i16x8.replace_lane(o1, 4, <i16>z); o1 = i16x8.replace_lane(o1, 5, <i16>z); }
        else { o1 = i16x8.replace_lane(o1, 6, <i16>z); o1 = i16x8.replace_lane(o1, 7, <i16>z); }
      }
    } else {
      const z = <i16>load<i32>(zp);
      o0 = i16x8.splat(z);
      o1 = o0;
    }
    if (full) {
      let p = 0;
      for (; p + 2 <= k; p += 2, d += 32) {
        const r0 = src + <usize>p * <usize>ldb + <usize>c0;
        const v0 = v128.load64_zero(r0);
        const v1 = v128.load64_zero(r0 + <usize>ldb);
        const il = i8x16.shuffle(v0, v1, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        if (signed) {
          v128.store(d, i16x8.sub(i16x8.extend_low_i8x16_s(il), o0));
          v128.store(d, i16x8.sub(i16x8.extend_high_i8x16_s(il), o1), 16);
        } else {
          v128.store(d, i16x8.sub(i16x8.extend_low_i8x16_u(il), o0));
          v128.store(d, i16x8.sub(i16x8.extend_high_i8x16_u(il), o1), 16);
        }
      }
      for (; p < kp; p += 2, d += 32) {
        // odd k tail: second row of the pair is zero
        for (let c = 0; c < 8; c++) {
          let v0: i32 = 0;
          if (p < k) {
            const z = zpPerCol ? load<i32>(zp + (<usize>(c0 + c) << 2)) : load<i32>(zp);
            const b = src + <usize>p * <usize>ldb + <usize>(c0 + c);
            v0 = (signed ? <i32>load<i8>(b) : <i32>load<u8>(b)) - z;
          }
          store<i16>(d + <usize>(c << 2), <i16>v0);
          store<i16>(d + <usize>(c << 2) + 2, 0);
        }
      }
    } else {
      for (let p = 0; p < kp; p += 2, d += 32) {
        for (let c = 0; c < 8; c++) {
          const col = c0 + c;
          let v0: i32 = 0;
          let v1: i32 = 0;
          if (col < n) {
            const z = zpPerCol ? load<i32>(zp + (<usize>col << 2)) : load<i32>(zp);
            const b = src + <usize>p * <usize>ldb + <usize>col;
            if (p < k) v0 = (signed ? <i32>load<i8>(b) : <i32>load<u8>(b)) - z;
            if (p + 1 < k) v1 = (signed ? <i32>load<i8>(b + <usize>ldb) : <i32>load<u8>(b + <usize>ldb)) - z;
          }
          store<i16>(d + <usize>(c << 2), <i16>v0);
          store<i16>(d + <usize>(c << 2) + 2, <i16>v1);
        }
      }
    }
  }
}

@inline function storeRow8(p: usize, lo: v128, hi: v128, cols: i32): void {
  if (cols >= 8) {
    v128.store(p, lo);
    v128.store(p, hi, 16);
  } else {
    // partial last panel: lane by lane (rare)
    if (cols > 0) store<i32>(p, i32x4.extract_lane(lo, 0));
    if (cols > 1) store<i32>(p, i32x4.extract_lane(lo, 1), 4);
    if (cols > 2) store<i32>(p, i32x4.extract_lane(lo, 2), 8);
    if (cols > 3) store<i32>(p, i32x4.extract_lane(lo, 3), 12);
    if (cols > 4) store<i32>(p, i32x4.extract_lane(hi, 0), 16);
    if (cols > 5) store<i32>(p, i32x4.extract_lane(hi, 1), 20);
    if (cols > 6) store<i32>(p, i32x4.extract_lane(hi, 2), 24);
  }
}

/**
 * Integer GEMM on widened operands: A [m, kp] int16 (row stride kp), B panels (kp/2 k-pairs x 32 bytes each),
 * C [m, n] int32 with row stride ldc (elements). Exact int32 (wrapping) accumulation.
 */
export function gemmI16(a: usize, lda: i32, m: i32, kp: i32, b: usize, n: i32, c: usize, ldc: i32): void {
  const panels = (n + 7) >> 3;
  const as = <usize>lda << 1;
  const cs = <usize>ldc << 2;
  const panelBytes = <usize>kp << 4;
  // Rows in super-blocks whose A rows stay in L1 (~32 KB) while every panel streams past them.
  const rowsPerBlock = max(8, (32768 / max(1, <i32>as)) & ~3);
  const m4 = m & ~3;
  for (let i0 = 0; i0 < m4; i0 += rowsPerBlock) {
  const i1 = min(m4, i0 + rowsPerBlock);
  for (let j = 0; j < panels; j++) {
    const cols = n - (j << 3);
    const bpanel = b + <usize>j * panelBytes;
    const bEnd = bpanel + panelBytes;
    for (let i = i0; i < i1; i += 4) {
      let c00 = i32x4.splat(0), c01 = i32x4.splat(0);
      let c10 = i32x4.splat(0), c11 = i32x4.splat(0);
      let c20 = i32x4.splat(0), c21 = i32x4.splat(0);
      let c30 = i32x4.splat(0), c31 = i32x4.splat(0);
      let ap = a + <usize>i * as;
      for (let bp = bpanel; bp < bEnd; bp += 32, ap += 4) {
        const b0 = v128.load(bp);
        const b1 = v128.load(bp, 16);
        let x = v128.load32_splat(ap);
        c00 = dot2(x, b0, c00);
        c01 = dot2(x, b1, c01);
        x = v128.load32_splat(ap + as);
        c10 = dot2(x, b0, c10);
        c11 = dot2(x, b1, c11);
        x = v128.load32_splat(ap + 2 * as);
        c20 = dot2(x, b0, c20);
        c21 = dot2(x, b1, c21);
        x = v128.load32_splat(ap + 3 * as);
        c30 = dot2(x, b0, c30);
        c31 = dot2(x, b1, c31);
      }
      const cp = c + <usize>i * cs + (<usize>j << 5);
      storeRow8(cp, c00, c01, cols);
      storeRow8(cp + cs, c10, c11, cols);
      storeRow8(cp + 2 * cs, c20, c21, cols);
      storeRow8(cp + 3 * cs, c30, c31, cols);
    }
  }
  }
  for (let j = 0; j < panels; j++) {
    const cols = n - (j << 3);
    const bpanel = b + <usize>j * panelBytes;
    const bEnd = bpanel + panelBytes;
    for (let i = m4; i < m; i++) {
      let c00 = i32x4.splat(0), c01 = i32x4.splat(0);
      let c10 = i32x4.splat(0), c11 = i32x4.splat(0);
      let ap = a + <usize>i * as;
      let bp = bpanel;
      for (; bp + 64 <= bEnd; bp += 64, ap += 8) {
        let x = v128.load32_splat(ap);
        c00 = dot2(x, v128.load(bp), c00);
        c01 = dot2(x, v128.load(bp, 16), c01);
        x = v128.load32_splat(ap, 4);
        c10 = dot2(x, v128.load(bp, 32), c10);
        c11 = dot2(x, v128.load(bp, 48), c11);
      }
      if (bp < bEnd) {
        const x = v128.load32_splat(ap);
        c00 = dot2(x, v128.load(bp), c00);
        c01 = dot2(x, v128.load(bp, 16), c01);
      }
      storeRow8(c + <usize>i * cs + (<usize>j << 5), i32x4.add(c00, c10), i32x4.add(c01, c11), cols);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Drivers: whole dynamic-linear and GEMM passes in one call, so JS pays one boundary crossing per op
// ---------------------------------------------------------------------------------------------------------------

/** GEMV path (m < 4): every activation row streams the packed weights directly. y row stride = panels*8 floats. */
export function dynGemv(
  xq: usize, xs: i32, m: i32, sums: usize, sa: usize, w: usize, sw: usize, o: usize, panels: i32, groups: i32, lp: i32,
  bits: i32, corr: i32, y: usize,
): void {
  if (bits == 4) {
    dynGemv4(xq, xs, m, sums, sa, w, sw, o, panels, groups, lp, corr, y);
    return;
  }
  if (bits == 2) {
    dynGemv2(xq, xs, m, sums, sa, w, sw, o, panels, groups, lp, corr, y);
    return;
  }
  for (let r = 0; r < m; r++) {
    gemvPacked(
      xq + (<usize>r * <usize>xs << 1), sums + (<usize>r * <usize>groups << 2),
      load<f32>(sa + (<usize>r << 2)), w, sw, o, panels, groups, lp, corr, y + (<usize>r * <usize>panels << 5),
    );
  }
}


// ---------------------------------------------------------------------------------------------------------------
// Float32 GEMM / convolution (the float baseline). B in panels of 8 columns: per k one row of 8 floats (2 v128).
// ---------------------------------------------------------------------------------------------------------------

/** Packs B ([k, n] row-major, or [n, k] when transB) into f32 panels of 8 columns; padded columns are 0. */
export function packPanelsF32(src: usize, k: i32, n: i32, transB: bool, dst: usize): void {
  const panels = (n + 7) >> 3;
  const panelBytes = <usize>k << 5;
  for (let j = 0; j < panels; j++) {
    const c0 = j << 3;
    let d = dst + <usize>j * panelBytes;
    if (!transB && c0 + 8 <= n) {
      let s = src + (<usize>c0 << 2);
      const ls = <usize>n << 2;
      for (let p = 0; p < k; p++, d += 32, s += ls) {
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s, 16), 16);
      }
      continue;
    }
    for (let p = 0; p < k; p++, d += 32) {
      for (let c = 0; c < 8; c++) {
        const col = c0 + c;
        let v: f32 = 0;
        if (col < n) v = transB ? load<f32>(src + ((<usize>col * <usize>k + <usize>p) << 2)) : load<f32>(src + ((<usize>p * <usize>n + <usize>col) << 2));
        store<f32>(d + (<usize>c << 2), v);
      }
    }
  }
}

@inline function fma4(acc: v128, a: v128, b: v128): v128 {
  return f32x4.add(acc, f32x4.mul(a, b));
}

@inline function storeRowF8(p: usize, lo: v128, hi: v128, cols: i32): void {
  if (cols >= 8) {
    v128.store(p, lo);
    v128.store(p, hi, 16);
  } else {
    if (cols > 0) store<f32>(p, f32x4.extract_lane(lo, 0));
    if (cols > 1) store<f32>(p, f32x4.extract_lane(lo, 1), 4);
    if (cols > 2) store<f32>(p, f32x4.extract_lane(lo, 2), 8);
    if (cols > 3) store<f32>(p, f32x4.extract_lane(lo, 3), 12);
    if (cols > 4) store<f32>(p, f32x4.extract_lane(hi, 0), 16);
    if (cols > 5) store<f32>(p, f32x4.extract_lane(hi, 1), 20);
    if (cols > 6) store<f32>(p, f32x4.extract_lane(hi, 2), 24);
  }
}

@inline function initCol(biasCol: usize, j: i32, half: i32): v128 {
  return biasCol == 0 ? f32x4.splat(0) : v128.load(biasCol + (<usize>j << 5) + (<usize>half << 4));
}

@inline function initRow(biasRow: usize, i: i32, base: v128): v128 {
  return biasRow == 0 ? base : f32x4.add(base, f32x4.splat(load<f32>(biasRow + (<usize>i << 2))));
}

/**
 * C[m, n] (row stride ldc) = A[m, k] (row stride lda floats) · Bpanels + biasCol[n] (padded to the panel width,
 * 0 = none) + biasRow[m] (0 = none).
 */
export function gemmF32Panels(a: usize, lda: i32, m: i32, k: i32, b: usize, n: i32, biasCol: usize, biasRow: usize, c: usize, ldc: i32): void {
  const panels = (n + 7) >> 3;
  const as = <usize>lda << 2;
  const cs = <usize>ldc << 2;
  const panelBytes = <usize>k << 5;
  for (let j = 0; j < panels; j++) {
    const cols = n - (j << 3);
    const bpanel = b + <usize>j * panelBytes;
    const bEnd = bpanel + panelBytes;
    const i0 = initCol(biasCol, j, 0);
    const i1 = initCol(biasCol, j, 1);
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      let c00 = initRow(biasRow, i, i0), c01 = initRow(biasRow, i, i1);
      let c10 = initRow(biasRow, i + 1, i0), c11 = initRow(biasRow, i + 1, i1);
      let c20 = initRow(biasRow, i + 2, i0), c21 = initRow(biasRow, i + 2, i1);
      let c30 = initRow(biasRow, i + 3, i0), c31 = initRow(biasRow, i + 3, i1);
      let ap = a + <usize>i * as;
      for (let bp = bpanel; bp < bEnd; bp += 32, ap += 4) {
        const b0 = v128.load(bp);
        const b1 = v128.load(bp, 16);
        let x = v128.load32_splat(ap);
        c00 = fma4(c00, x, b0);
        c01 = fma4(c01, x, b1);
        x = v128.load32_splat(ap + as);
        c10 = fma4(c10, x, b0);
        c11 = fma4(c11, x, b1);
        x = v128.load32_splat(ap + 2 * as);
        c20 = fma4(c20, x, b0);
        c21 = fma4(c21, x, b1);
        x = v128.load32_splat(ap + 3 * as);
        c30 = fma4(c30, x, b0);
        c31 = fma4(c31, x, b1);
      }
      const cp = c + <usize>i * cs + (<usize>j << 5);
      storeRowF8(cp, c00, c01, cols);
      storeRowF8(cp + cs, c10, c11, cols);
      storeRowF8(cp + 2 * cs, c20, c21, cols);
      storeRowF8(cp + 3 * cs, c30, c31, cols);
    }
    for (; i < m; i++) {
      let c00 = initRow(biasRow, i, i0), c01 = initRow(biasRow, i, i1);
      let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let ap = a + <usize>i * as;
      let bp = bpanel;
      for (; bp + 64 <= bEnd; bp += 64, ap += 8) {
        let x = v128.load32_splat(ap);
        c00 = fma4(c00, x, v128.load(bp));
        c01 = fma4(c01, x, v128.load(bp, 16));
        x = v128.load32_splat(ap, 4);
        c10 = fma4(c10, x, v128.load(bp, 32));
        c11 = fma4(c11, x, v128.load(bp, 48));
      }
      if (bp < bEnd) {
        const x = v128.load32_splat(ap);
        c00 = fma4(c00, x, v128.load(bp));
        c01 = fma4(c01, x, v128.load(bp, 16));
      }
      storeRowF8(c + <usize>i * cs + (<usize>j << 5), f32x4.add(c00, c10), f32x4.add(c01, c11), cols);
    }
  }
}

/** y[n] = a[k] · B[k, n] (+ bias) for one row without packing: four rows of B streamed at once. y has n floats. */
export function gemvF32(a: usize, k: i32, b: usize, n: i32, bias: usize, y: usize): void {
  const n4 = n & ~3;
  if (bias == 0) memory.fill(y, 0, <usize>n << 2);
  else memory.copy(y, bias, <usize>n << 2);
  const ls = <usize>n << 2;
  let p = 0;
  // When B is far larger than the caches (>= 8 MB), eight rows of B per pass over y: eight sequential streams and
  // half the y traffic; cache-resident B is faster with four (fewer live registers).
  const stream8 = <u64>k * <u64>n >= 2097152;
  for (; stream8 && p + 8 <= k; p += 8) {
    const r0 = b + <usize>p * ls;
    const ap = a + (<usize>p << 2);
    const a0 = v128.load32_splat(ap), a1 = v128.load32_splat(ap, 4), a2 = v128.load32_splat(ap, 8), a3 = v128.load32_splat(ap, 12);
    const a4 = v128.load32_splat(ap, 16), a5 = v128.load32_splat(ap, 20), a6 = v128.load32_splat(ap, 24), a7 = v128.load32_splat(ap, 28);
    let i = 0;
    for (; i < n4; i += 4) {
      const o = r0 + (<usize>i << 2);
      const s0 = f32x4.add(f32x4.mul(a0, v128.load(o)), f32x4.mul(a1, v128.load(o + ls)));
      const s1 = f32x4.add(f32x4.mul(a2, v128.load(o + 2 * ls)), f32x4.mul(a3, v128.load(o + 3 * ls)));
      const s2 = f32x4.add(f32x4.mul(a4, v128.load(o + 4 * ls)), f32x4.mul(a5, v128.load(o + 5 * ls)));
      const s3 = f32x4.add(f32x4.mul(a6, v128.load(o + 6 * ls)), f32x4.mul(a7, v128.load(o + 7 * ls)));
      const yo = y + (<usize>i << 2);
      v128.store(yo, f32x4.add(v128.load(yo), f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3))));
    }
    for (; i < n; i++) {
      const o = r0 + (<usize>i << 2);
      let t: f32 = 0;
      for (let q = 0; q < 8; q++) t += load<f32>(ap + (<usize>q << 2)) * load<f32>(o + <usize>q * ls);
      store<f32>(y + (<usize>i << 2), load<f32>(y + (<usize>i << 2)) + t);
    }
  }
  for (; p + 4 <= k; p += 4) {
    const r0 = b + <usize>p * ls;
    const r1 = r0 + ls;
    const r2 = r1 + ls;
    const r3 = r2 + ls;
    const a0s = load<f32>(a + (<usize>p << 2));
    const a1s = load<f32>(a + (<usize>p << 2), 4);
    const a2s = load<f32>(a + (<usize>p << 2), 8);
    const a3s = load<f32>(a + (<usize>p << 2), 12);
    const a0 = f32x4.splat(a0s), a1 = f32x4.splat(a1s), a2 = f32x4.splat(a2s), a3 = f32x4.splat(a3s);
    let i = 0;
    for (; i < n4; i += 4) {
      const o = <usize>i << 2;
      const s = f32x4.add(
        f32x4.add(f32x4.mul(a0, v128.load(r0 + o)), f32x4.mul(a1, v128.load(r1 + o))),
        f32x4.add(f32x4.mul(a2, v128.load(r2 + o)), f32x4.mul(a3, v128.load(r3 + o))),
      );
      v128.store(y + o, f32x4.add(v128.load(y + o), s));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(y + o, load<f32>(y + o) + (a0s * load<f32>(r0 + o) + a1s * load<f32>(r1 + o)) + (a2s * load<f32>(r2 + o) + a3s * load<f32>(r3 + o)));
    }
  }
  for (; p < k; p++) {
    const r0 = b + <usize>p * ls;
    const as = load<f32>(a + (<usize>p << 2));
    const av = f32x4.splat(as);
    let i = 0;
    for (; i < n4; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(av, v128.load(r0 + o))));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(y + o, load<f32>(y + o) + as * load<f32>(r0 + o));
    }
  }
}

/** y[n] = Σ_k a[k] · B[n, k] (+ bias) for one row, B output-major (transB): four dot products at a time. */
export function gemvF32T(a: usize, k: i32, b: usize, n: i32, bias: usize, y: usize): void {
  const k4 = k & ~3;
  const ls = <usize>k << 2;
  for (let j = 0; j < n; j++) {
    const r = b + <usize>j * ls;
    let s0 = f32x4.splat(0);
    let s1 = f32x4.splat(0);
    let p = 0;
    for (; p + 8 <= k4; p += 8) {
      const o = <usize>p << 2;
      s0 = fma4(s0, v128.load(a + o), v128.load(r + o));
      s1 = fma4(s1, v128.load(a + o, 16), v128.load(r + o, 16));
    }
    for (; p < k4; p += 4) s0 = fma4(s0, v128.load(a + (<usize>p << 2)), v128.load(r + (<usize>p << 2)));
    s0 = f32x4.add(s0, s1);
    let s = (f32x4.extract_lane(s0, 0) + f32x4.extract_lane(s0, 1)) + (f32x4.extract_lane(s0, 2) + f32x4.extract_lane(s0, 3));
    for (; p < k; p++) s += load<f32>(a + (<usize>p << 2)) * load<f32>(r + (<usize>p << 2));
    if (bias != 0) s += load<f32>(bias + (<usize>j << 2));
    store<f32>(y + (<usize>j << 2), s);
  }
}


// ---------------------------------------------------------------------------------------------------------------
// Fast im2col for stride 1: the image is first copied once into a zero-padded buffer (int16 x - xZp, or f32), so
// every tap of every output pixel is in bounds. A panel of 8 consecutive output pixels spans at most two output rows
// when ow >= 8: lanes below t come from row oy, the rest from row oy+1 (a second load, blended with a lane mask).
// ---------------------------------------------------------------------------------------------------------------

/** Copies channels [c0, c0+cg) of an 8-bit image into a zero-padded int16 buffer [cg, hp, wp] holding x - xz. */
export function padImageI16(x: usize, signed: bool, xz: i32, c0: i32, cg: i32, h: i32, w: i32, padT: i32, padL: i32, hp: i32, wp: i32, dst: usize): void {
  memory.fill(dst, 0, (<usize>cg * <usize>hp * <usize>wp + 16) << 1);
  const vz = i16x8.splat(<i16>xz);
  for (let c = 0; c < cg; c++) {
    for (let y = 0; y < h; y++) {
      const s = x + (<usize>(c0 + c) * <usize>h + <usize>y) * <usize>w;
      const d = dst + ((<usize>c * <usize>hp + <usize>(y + padT)) * <usize>wp + <usize>padL << 1);
      let i = 0;
      if (signed) {
        for (; i + 8 <= w; i += 8) v128.store(d + (<usize>i << 1), i16x8.sub(v128.load8x8_s(s + <usize>i), vz));
        for (; i < w; i++) store<i16>(d + (<usize>i << 1), <i16>(<i32>load<i8>(s + <usize>i) - xz));
      } else {
        for (; i + 8 <= w; i += 8) v128.store(d + (<usize>i << 1), i16x8.sub(v128.load8x8_u(s + <usize>i), vz));
        for (; i < w; i++) store<i16>(d + (<usize>i << 1), <i16>(<i32>load<u8>(s + <usize>i) - xz));
      }
    }
  }
}

/** Copies channels [c0, c0+cg) of a float image into a zero-padded buffer [cg, hp, wp]. */
export function padImageF32(x: usize, c0: i32, cg: i32, h: i32, w: i32, padT: i32, padL: i32, hp: i32, wp: i32, dst: usize): void {
  memory.fill(dst, 0, (<usize>cg * <usize>hp * <usize>wp + 16) << 2);
  for (let c = 0; c < cg; c++) {
    for (let y = 0; y < h; y++) {
      const s = x + ((<usize>(c0 + c) * <usize>h + <usize>y) * <usize>w << 2);
      const d = dst + ((<usize>c * <usize>hp + <usize>(y + padT)) * <usize>wp + <usize>padL << 2);
      memory.copy(d, s, <usize>w << 2);
    }
  }
}

/** Element offsets of every tap kk = (c, ky, kx) in the padded buffer: c*hp*wp + ky*dh*wp + kx*dw. */
export function tapOffsets(cg: i32, kh: i32, kw: i32, hp: i32, wp: i32, dh: i32, dw: i32, dst: usize): void {
  let kk = 0;
  for (let c = 0; c < cg; c++) {
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        store<i32>(dst + (<usize>kk << 2), c * hp * wp + ky * dh * wp + kx * dw);
        kk++;
      }
    }
  }
}

@inline function laneMask16(t: i32): v128 {
  // lanes l < t all ones (int16 lanes)
  const idx = i16x8(0, 1, 2, 3, 4, 5, 6, 7);
  return i16x8.lt_s(idx, i16x8.splat(<i16>t));
}

@inline function laneMask32(t: i32, base: i32): v128 {
  const idx = i32x4(base, base + 1, base + 2, base + 3);
  return i32x4.lt_s(idx, i32x4.splat(t));
}

/** Stride-1 im2col into the widened k-pair panels of gemmI16 (ow >= 8). taps: kTotal i32 offsets; kp even. */
export function im2colI16S1(xp: usize, wp: i32, taps: usize, kTotal: i32, kp: i32, oh: i32, ow: i32, dst: usize): void {
  const p = oh * ow;
  const panels = (p + 7) >> 3;
  const panelBytes = <usize>kp << 4;
  const zero = i16x8.splat(0);
  for (let j = 0; j < panels; j++) {
    const p0 = j << 3;
    const oy = p0 / ow;
    const ox = p0 - oy * ow;
    const t = min(8, ow - ox);
    const mask = laneMask16(t);
    const baseA = xp + (<usize>(oy * wp + ox) << 1);
    const baseB = xp + (<usize>((oy + 1) * wp - t) << 1);
    let d = dst + <usize>j * panelBytes;
    let q = 0;
    if (t == 8) {
      // The 8 pixels lie in one output row (most panels): one load per tap, no blend.
      for (; q + 2 <= kTotal; q += 2, d += 32) {
        const v0 = v128.load(baseA + (<usize>load<i32>(taps + (<usize>q << 2)) << 1));
        const v1 = v128.load(baseA + (<usize>load<i32>(taps + (<usize>q << 2), 4) << 1));
        v128.store(d, i16x8.shuffle(v0, v1, 0, 8, 1, 9, 2, 10, 3, 11));
        v128.store(d, i16x8.shuffle(v0, v1, 4, 12, 5, 13, 6, 14, 7, 15), 16);
      }
    }
    for (; q + 2 <= kTotal; q += 2, d += 32) {
      const o0 = <usize>load<i32>(taps + (<usize>q << 2)) << 1;
      const o1 = <usize>load<i32>(taps + (<usize>q << 2), 4) << 1;
      const v0 = v128.bitselect(v128.load(baseA + o0), v128.load(baseB + o0), mask);
      const v1 = v128.bitselect(v128.load(baseA + o1), v128.load(baseB + o1), mask);
      v128.store(d, i16x8.shuffle(v0, v1, 0, 8, 1, 9, 2, 10, 3, 11));
      v128.store(d, i16x8.shuffle(v0, v1, 4, 12, 5, 13, 6, 14, 7, 15), 16);
    }
    if (q < kTotal) {
      const o0 = <usize>load<i32>(taps + (<usize>q << 2)) << 1;
      const v0 = v128.bitselect(v128.load(baseA + o0), v128.load(baseB + o0), mask);
      v128.store(d, i16x8.shuffle(v0, zero, 0, 8, 1, 9, 2, 10, 3, 11));
      v128.store(d, i16x8.shuffle(v0, zero, 4, 12, 5, 13, 6, 14, 7, 15), 16);
    }
  }
}

/** Stride-1 im2col into the f32 panels of gemmF32Panels (ow >= 8). */
export function im2colF32S1(xp: usize, wp: i32, taps: usize, kTotal: i32, oh: i32, ow: i32, dst: usize): void {
  const p = oh * ow;
  const panels = (p + 7) >> 3;
  const panelBytes = <usize>kTotal << 5;
  for (let j = 0; j < panels; j++) {
    const p0 = j << 3;
    const oy = p0 / ow;
    const ox = p0 - oy * ow;
    const t = min(8, ow - ox);
    const m0 = laneMask32(t, 0);
    const m1 = laneMask32(t, 4);
    const baseA = xp + (<usize>(oy * wp + ox) << 2);
    const baseB = xp + (<usize>((oy + 1) * wp - t) << 2);
    let d = dst + <usize>j * panelBytes;
    if (t == 8) {
      // The 8 pixels lie in one output row (most panels): plain copies, no blend.
      for (let q = 0; q < kTotal; q++, d += 32) {
        const o = <usize>load<i32>(taps + (<usize>q << 2)) << 2;
        v128.store(d, v128.load(baseA + o));
        v128.store(d, v128.load(baseA + o, 16), 16);
      }
      continue;
    }
    for (let q = 0; q < kTotal; q++, d += 32) {
      const o = <usize>load<i32>(taps + (<usize>q << 2)) << 2;
      v128.store(d, v128.bitselect(v128.load(baseA + o), v128.load(baseB + o), m0));
      v128.store(d, v128.bitselect(v128.load(baseA + o, 16), v128.load(baseB + o, 16), m1), 16);
    }
  }
}

/**
 * Any-stride im2col from the zero-padded int16 image: per panel the 8 pixel offsets (oy*sh*wp + ox*sw) are computed
 * once, then every tap is a plain gather with no bounds test. Pixels past oh*ow read offset 0 (their outputs are
 * never stored).
 */
export function im2colI16Gather(xp: usize, wp: i32, taps: usize, kTotal: i32, kp: i32, oh: i32, ow: i32, sh: i32, sw: i32, dst: usize): void {
  const p = oh * ow;
  const panels = (p + 7) >> 3;
  const panelBytes = <usize>kp << 4;
  for (let j = 0; j < panels; j++) {
    let o0: usize = 0, o1: usize = 0, o2: usize = 0, o3: usize = 0, o4: usize = 0, o5: usize = 0, o6: usize = 0, o7: usize = 0;
    for (let l = 0; l < 8; l++) {
      const pix = (j << 3) + l;
      let off: usize = 0;
      if (pix < p) {
        const oy = pix / ow;
        const ox = pix - oy * ow;
        off = <usize>(oy * sh * wp + ox * sw) << 1;
      }
      if (l == 0) o0 = off; else if (l == 1) o1 = off; else if (l == 2) o2 = off; else if (l == 3) o3 = off;
      else if (l == 4) o4 = off; else if (l == 5) o5 = off; else if (l == 6) o6 = off; else o7 = off;
    }
    let d = dst + <usize>j * panelBytes;
    for (let q = 0; q < kp; q++) {
      // pair layout: element (q, l) at byte (q >> 1) * 32 + l * 4 + (q & 1) * 2
      const e = d + (<usize>(q >> 1) << 5) + (<usize>(q & 1) << 1);
      if (q >= kTotal) {
        for (let l = 0; l < 8; l++) store<i16>(e + (<usize>l << 2), 0);
        continue;
      }
      const b = xp + (<usize>load<i32>(taps + (<usize>q << 2)) << 1);
      store<i16>(e, load<i16>(b + o0));
      store<i16>(e, load<i16>(b + o1), 4);
      store<i16>(e, load<i16>(b + o2), 8);
      store<i16>(e, load<i16>(b + o3), 12);
      store<i16>(e, load<i16>(b + o4), 16);
      store<i16>(e, load<i16>(b + o5), 20);
      store<i16>(e, load<i16>(b + o6), 24);
      store<i16>(e, load<i16>(b + o7), 28);
    }
  }
}

/** Any-stride im2col from the zero-padded f32 image into f32 panels (see im2colI16Gather). */
export function im2colF32Gather(xp: usize, wp: i32, taps: usize, kTotal: i32, oh: i32, ow: i32, sh: i32, sw: i32, dst: usize): void {
  const p = oh * ow;
  const panels = (p + 7) >> 3;
  const panelBytes = <usize>kTotal << 5;
  for (let j = 0; j < panels; j++) {
    let o0: usize = 0, o1: usize = 0, o2: usize = 0, o3: usize = 0, o4: usize = 0, o5: usize = 0, o6: usize = 0, o7: usize = 0;
    for (let l = 0; l < 8; l++) {
      const pix = (j << 3) + l;
      let off: usize = 0;
      if (pix < p) {
        const oy = pix / ow;
        const ox = pix - oy * ow;
        off = <usize>(oy * sh * wp + ox * sw) << 2;
      }
      if (l == 0) o0 = off; else if (l == 1) o1 = off; else if (l == 2) o2 = off; else if (l == 3) o3 = off;
      else if (l == 4) o4 = off; else if (l == 5) o5 = off; else if (l == 6) o6 = off; else o7 = off;
    }
    let d = dst + <usize>j * panelBytes;
    for (let q = 0; q < kTotal; q++, d += 32) {
      const b = xp + (<usize>load<i32>(taps + (<usize>q << 2)) << 2);
      store<f32>(d, load<f32>(b + o0));
      store<f32>(d, load<f32>(b + o1), 4);
      store<f32>(d, load<f32>(b + o2), 8);
      store<f32>(d, load<f32>(b + o3), 12);
      store<f32>(d, load<f32>(b + o4), 16);
      store<f32>(d, load<f32>(b + o5), 20);
      store<f32>(d, load<f32>(b + o6), 24);
      store<f32>(d, load<f32>(b + o7), 28);
    }
  }
}

/**
 * Depthwise ConvInteger from the zero-padded int16 image of all channels ([ch, hp, wp], x - xZp) and widened weights
 * ([ch*mult, kh*kw], w - wZp): 8 output pixels of a row at a time with i32x4.extmul; stride 1 loads 8 neighbours,
 * stride 2 de-interleaves 16; other strides and row tails are scalar (still without bounds tests).
 */
export function depthwiseI16(
  xp: usize, hp: i32, wp: i32, w: usize, ch: i32, mult: i32, kh: i32, kw: i32, oh: i32, ow: i32, sh: i32, sw: i32,
  dh: i32, dw: i32, out: usize,
): void {
  const taps = kh * kw;
  const vecOk = sw == 1 || sw == 2;
  const ow8 = vecOk ? ow & ~7 : 0;
  for (let oc = 0; oc < ch * mult; oc++) {
    const plane = xp + ((<usize>(oc / mult) * <usize>hp * <usize>wp) << 1);
    const wk = w + ((<usize>oc * <usize>taps) << 1);
    const op = out + ((<usize>oc * <usize>(oh * ow)) << 2);
    for (let y = 0; y < oh; y++) {
      const rowBase = plane + ((<usize>(y * sh) * <usize>wp) << 1);
      const orow = op + ((<usize>y * <usize>ow) << 2);
      let xo = 0;
      for (; xo < ow8; xo += 8) {
        let a0 = i32x4.splat(0);
        let a1 = i32x4.splat(0);
        const colBase = rowBase + (<usize>(xo * sw) << 1);
        for (let ky = 0; ky < kh; ky++) {
          const r = colBase + ((<usize>(ky * dh) * <usize>wp) << 1);
          for (let kx = 0; kx < kw; kx++) {
            const src = r + (<usize>(kx * dw) << 1);
            let v: v128;
            if (sw == 1) v = v128.load(src);
            else v = i16x8.shuffle(v128.load(src), v128.load(src, 16), 0, 2, 4, 6, 8, 10, 12, 14);
            const wv = i16x8.splat(load<i16>(wk + (<usize>(ky * kw + kx) << 1)));
            a0 = i32x4.add(a0, i32x4.extmul_low_i16x8_s(v, wv));
            a1 = i32x4.add(a1, i32x4.extmul_high_i16x8_s(v, wv));
          }
        }
        v128.store(orow + (<usize>xo << 2), a0);
        v128.store(orow + (<usize>xo << 2), a1, 16);
      }
      for (; xo < ow; xo++) {
        let acc: i32 = 0;
        const colBase = rowBase + (<usize>(xo * sw) << 1);
        for (let ky = 0; ky < kh; ky++) {
          const r = colBase + ((<usize>(ky * dh) * <usize>wp) << 1);
          for (let kx = 0; kx < kw; kx++) {
            acc += <i32>load<i16>(r + (<usize>(kx * dw) << 1)) * <i32>load<i16>(wk + (<usize>(ky * kw + kx) << 1));
          }
        }
        store<i32>(orow + (<usize>xo << 2), acc);
      }
    }
  }
}

/**
 * Depthwise float convolution from the zero-padded image of all channels ([ch, hp, wp]): 8 output pixels of a row
 * at a time (stride 1: neighbours, stride 2: de-interleaved pairs of vectors); other strides and row tails scalar.
 * w [ch*mult, kh*kw], bias 0 = none.
 */
export function depthwiseF32P(
  xp: usize, hp: i32, wp: i32, w: usize, bias: usize, ch: i32, mult: i32, kh: i32, kw: i32, oh: i32, ow: i32, sh: i32,
  sw: i32, dh: i32, dw: i32, out: usize,
): void {
  const taps = kh * kw;
  const vecOk = sw == 1 || sw == 2;
  const ow8 = vecOk ? ow & ~7 : 0;
  for (let oc = 0; oc < ch * mult; oc++) {
    const plane = xp + ((<usize>(oc / mult) * <usize>hp * <usize>wp) << 2);
    const wk = w + ((<usize>oc * <usize>taps) << 2);
    const op = out + ((<usize>oc * <usize>(oh * ow)) << 2);
    const b0: f32 = bias == 0 ? 0 : load<f32>(bias + (<usize>oc << 2));
    for (let y = 0; y < oh; y++) {
      const rowBase = plane + ((<usize>(y * sh) * <usize>wp) << 2);
      const orow = op + ((<usize>y * <usize>ow) << 2);
      let xo = 0;
      for (; xo < ow8; xo += 8) {
        let a0 = f32x4.splat(b0);
        let a1 = f32x4.splat(b0);
        const colBase = rowBase + (<usize>(xo * sw) << 2);
        for (let ky = 0; ky < kh; ky++) {
          const r = colBase + ((<usize>(ky * dh) * <usize>wp) << 2);
          for (let kx = 0; kx < kw; kx++) {
            const src = r + (<usize>(kx * dw) << 2);
            const wv = v128.load32_splat(wk + (<usize>(ky * kw + kx) << 2));
            let v0: v128, v1: v128;
            if (sw == 1) {
              v0 = v128.load(src);
              v1 = v128.load(src, 16);
            } else {
              v0 = i32x4.shuffle(v128.load(src), v128.load(src, 16), 0, 2, 4, 6);
              v1 = i32x4.shuffle(v128.load(src, 32), v128.load(src, 48), 0, 2, 4, 6);
            }
            a0 = f32x4.add(a0, f32x4.mul(v0, wv));
            a1 = f32x4.add(a1, f32x4.mul(v1, wv));
          }
        }
        v128.store(orow + (<usize>xo << 2), a0);
        v128.store(orow + (<usize>xo << 2), a1, 16);
      }
      for (; xo < ow; xo++) {
        let acc: f32 = b0;
        const colBase = rowBase + (<usize>(xo * sw) << 2);
        for (let ky = 0; ky < kh; ky++) {
          const r = colBase + ((<usize>(ky * dh) * <usize>wp) << 2);
          for (let kx = 0; kx < kw; kx++) acc += load<f32>(r + (<usize>(kx * dw) << 2)) * load<f32>(wk + (<usize>(ky * kw + kx) << 2));
        }
        store<f32>(orow + (<usize>xo << 2), acc);
      }
    }
  }
}


// ---------------------------------------------------------------------------------------------------------------
// Dynamic GEMM on 4-row interleaved activations. The 4x8 micro-kernel reads, per k-pair, one 32-byte B pair vector
// and four 4-byte activation pairs. In the row-major layout those four come from four rows a full row apart (four
// streams, address arithmetic per load); interleaved ([r0 pair, r1 pair, r2 pair, r3 pair] per k-pair, 16 bytes)
// they are one sequential stream read at constant offsets. With 8-bit weights the panels are widened to int16 once
// (persistent, see widenPanels) instead of on every call; measured on Zen 5 this path needs no K blocking: a 4-row
// block streams its activations once per panel, and the panel (at most 64 KB at K = 4096) stays in L2.
// ---------------------------------------------------------------------------------------------------------------

/**
 * Re-lays `mp` (a multiple of 4) rows of centred int16 activations (row stride xs elements) into 4-row blocks:
 * per block, per k-pair, 16 bytes [row 0 pair, row 1 pair, row 2 pair, row 3 pair]; block stride pairs*16 bytes.
 * `pairs` must be a multiple of 4 (rows are group-padded to multiples of 8 values).
 */
export function interleaveRows4(src: usize, xs: i32, mp: i32, pairs: i32, dst: usize): void {
  const rs = <usize>xs << 1;
  let d = dst;
  for (let i = 0; i < mp; i += 4) {
    const r0 = src + <usize>i * rs;
    for (let q = 0; q < pairs; q += 4, d += 64) {
      const o = <usize>q << 2;
      const v0 = v128.load(r0 + o);
      const v1 = v128.load(r0 + rs + o);
      const v2 = v128.load(r0 + 2 * rs + o);
      const v3 = v128.load(r0 + 3 * rs + o);
      // 4x4 transpose of 32-bit pairs.
      const t0 = i32x4.shuffle(v0, v1, 0, 4, 1, 5);
      const t1 = i32x4.shuffle(v2, v3, 0, 4, 1, 5);
      const t2 = i32x4.shuffle(v0, v1, 2, 6, 3, 7);
      const t3 = i32x4.shuffle(v2, v3, 2, 6, 3, 7);
      v128.store(d, i32x4.shuffle(t0, t1, 0, 1, 4, 5));
      v128.store(d, i32x4.shuffle(t0, t1, 2, 3, 6, 7), 16);
      v128.store(d, i32x4.shuffle(t2, t3, 0, 1, 4, 5), 32);
      v128.store(d, i32x4.shuffle(t2, t3, 2, 3, 6, 7), 48);
    }
  }
}

/**
 * quantizeRows straight into the 4-row interleaved layout of interleaveRows4 (block stride groups*lp*8 bytes), for
 * the GEMM path: rows m..mp-1 (mp a multiple of 4) are written as zeros, and no group sums are produced.
 */
export function quantizeRowsIL(
  x: usize, m: i32, mp: i32, k: i32, sa: usize, za: usize, dst: usize, gl: i32, lp: i32, groups: i32,
): void {
  const pairs = (groups * lp) >> 1;
  const blockBytes = <usize>pairs << 4;
  for (let r = 0; r < mp; r++) {
    // Element e of row r: pair e >> 1 of its block, lane r & 3 (4 bytes), half e & 1.
    const base = dst + <usize>(r >> 2) * blockBytes + (<usize>(r & 3) << 2);
    const s = r < m ? load<f32>(sa + (<usize>r << 2)) : 0;
    if (s == 0) {
      for (let q = 0; q < pairs; q++) store<i32>(base + (<usize>q << 4), 0);
      continue;
    }
    const z = load<i32>(za + (<usize>r << 2));
    const zf = <f32>z;
    const xrow = x + (<usize>r * <usize>k << 2);
    const vsa = f32x4.splat(s);
    const vlo = f32x4.splat(-zf);
    const vhi = f32x4.splat(255 - zf);
    const flo: f32 = -zf;
    const fhi: f32 = 255 - zf;
    for (let g = 0; g < groups; g++) {
      const start = g * gl;
      const len = min(gl, k - start);
      const src = xrow + (<usize>start << 2);
      const d = base + (<usize>(g * lp) << 3); // pair (g*lp) >> 1, 16 bytes each
      let i = 0;
      for (; i + 8 <= len; i += 8) {
        const q0 = quantCentred(v128.load(src + (<usize>i << 2)), vsa, vlo, vhi);
        const q1 = quantCentred(v128.load(src + (<usize>i << 2), 16), vsa, vlo, vhi);
        const v = i16x8.narrow_i32x4_s(q0, q1);
        const p = d + (<usize>i << 3);
        v128.store32_lane(p, v, 0);
        v128.store32_lane(p, v, 1, 16);
        v128.store32_lane(p, v, 2, 32);
        v128.store32_lane(p, v, 3, 48);
      }
      for (; i < len; i++) {
        store<i16>(d + (<usize>(i >> 1) << 4) + (<usize>(i & 1) << 1), <i16>quantCentredS(load<f32>(src + (<usize>i << 2)), s, flo, fhi));
      }
      for (; i < lp; i++) store<i16>(d + (<usize>(i >> 1) << 4) + (<usize>(i & 1) << 1), 0);
    }
  }
}

/** Widens every panel (widenPanel) into dst, panel after panel (groups*lp*16 bytes each). */
export function widenPanels(w: usize, o: usize, panels: i32, groups: i32, lp: i32, bits: i32, dst: usize): void {
  const stride = <usize>groups * <usize>lp << 4;
  for (let j = 0; j < panels; j++) widenPanel(w, o, j, groups, lp, bits, dst + <usize>j * stride);
}

/**
 * 4 rows x 8 columns of the dynamic GEMM on one interleaved block `xi` (see interleaveRows4) against one widened
 * panel `bw`: per group, the int32 block is added in float to y (row stride ys bytes): y += f32(acc) * (sa[m] * sw[c, g]).
 */
/** y += f32(acc) * vsc, or y = +0 + f32(acc) * vsc (exactly what the sum gives on a zero y, -0 included) when first. */
@inline function dynAccumulate(yp: usize, acc: v128, vsc: v128, first: bool): void {
  const t = f32x4.mul(f32x4.convert_i32x4_s(acc), vsc);
  v128.store(yp, f32x4.add(first ? f32x4.splat(0) : v128.load(yp), t));
}

@inline function dynIL4x8(xi: usize, sa: usize, bw: usize, sw: usize, groups: i32, lp: i32, y: usize, ys: usize): void {
  const s0 = f32x4.splat(load<f32>(sa));
  const s1 = f32x4.splat(load<f32>(sa, 4));
  const s2 = f32x4.splat(load<f32>(sa, 8));
  const s3 = f32x4.splat(load<f32>(sa, 12));
  let bp = bw;
  let ap = xi;
  for (let g = 0; g < groups; g++) {
    let c00 = i32x4.splat(0), c01 = i32x4.splat(0);
    let c10 = i32x4.splat(0), c11 = i32x4.splat(0);
    let c20 = i32x4.splat(0), c21 = i32x4.splat(0);
    let c30 = i32x4.splat(0), c31 = i32x4.splat(0);
    const bEnd = bp + (<usize>lp << 4);
    for (; bp < bEnd; bp += 32, ap += 16) {
      const b0 = v128.load(bp);
      const b1 = v128.load(bp, 16);
      let a = v128.load32_splat(ap);
      c00 = dot2(a, b0, c00);
      c01 = dot2(a, b1, c01);
      a = v128.load32_splat(ap, 4);
      c10 = dot2(a, b0, c10);
      c11 = dot2(a, b1, c11);
      a = v128.load32_splat(ap, 8);
      c20 = dot2(a, b0, c20);
      c21 = dot2(a, b1, c21);
      a = v128.load32_splat(ap, 12);
      c30 = dot2(a, b0, c30);
      c31 = dot2(a, b1, c31);
    }
    const w0 = v128.load(sw + (<usize>g << 5));
    const w1 = v128.load(sw + (<usize>g << 5), 16);
    // The first group writes y = +0 + term (no zero-filled y to read), later ones accumulate.
    const first = g == 0;
    dynAccumulate(y, c00, f32x4.mul(s0, w0), first);
    dynAccumulate(y + 16, c01, f32x4.mul(s0, w1), first);
    dynAccumulate(y + ys, c10, f32x4.mul(s1, w0), first);
    dynAccumulate(y + ys + 16, c11, f32x4.mul(s1, w1), first);
    dynAccumulate(y + 2 * ys, c20, f32x4.mul(s2, w0), first);
    dynAccumulate(y + 2 * ys + 16, c21, f32x4.mul(s2, w1), first);
    dynAccumulate(y + 3 * ys, c30, f32x4.mul(s3, w0), first);
    dynAccumulate(y + 3 * ys + 16, c31, f32x4.mul(s3, w1), first);
  }
}

/**
 * Rows per super-block of the 4-row interleaved GEMMs (dynGemmIL, gemmI16IL) over mp rows of blockBytes per 4-row
 * block: at most ~1 MB of activations (L2; measured flat up to 128 rows at K = 4096), a multiple of 4, the blocks
 * of about equal size.
 */
@inline function superBlockRows(mp: i32, blockBytes: usize): i32 {
  const maxRows = max<i32>(4, <i32>(<usize>1048576 / max<usize>(1, blockBytes)) << 2);
  const nBlocks = (mp + maxRows - 1) / maxRows;
  return ((mp + nBlocks - 1) / nBlocks + 3) & ~3;
}

/**
 * GEMM path on interleaved activations `xi` (interleaveRows4 of mp rows, mp a multiple of 4). `pre` != 0: the
 * panels widened once by widenPanels (panel stride groups*lp*16 bytes); pre == 0: each panel is widened into `bw`
 * (groups*lp*16 bytes) once per row super-block. y [mp, ldy] floats (ldy >= panels*8) is written whole (no need to
 * zero it); the float epilogue is the interface's (y += f32(acc) * (sa * sw) per group, in group order, from y = +0).
 */
export function dynGemmIL(
  xi: usize, mp: i32, sa: usize, w: usize, sw: usize, o: usize, panels: i32, groups: i32, lp: i32, bits: i32,
  pre: usize, bw: usize, y: usize, ldy: i32,
): void {
  const rowLength = groups * lp;
  const panelBytes = <usize>rowLength << 4;
  const blockBytes = <usize>rowLength << 3; // one interleaved 4-row block
  const ys = <usize>ldy << 2;
  // Super-blocks (see superBlockRows): larger M re-reads (or re-widens) each panel once per super-block.
  const rowsPerBlock = superBlockRows(mp, blockBytes);
  for (let i0 = 0; i0 < mp; i0 += rowsPerBlock) {
    const i1 = min(mp, i0 + rowsPerBlock);
    for (let j = 0; j < panels; j++) {
      let bp = pre + <usize>j * panelBytes;
      if (pre == 0) {
        widenPanel(w, o, j, groups, lp, bits, bw);
        bp = bw;
      }
      const swp = sw + (<usize>j * <usize>groups << 5);
      for (let i = i0; i < i1; i += 4) {
        dynIL4x8(xi + <usize>(i >> 2) * blockBytes, sa + (<usize>i << 2), bp, swp, groups, lp, y + <usize>i * ys + (<usize>j << 5), ys);
      }
    }
  }
}

/**
 * Integer GEMM on 4-row interleaved widened A (interleaveRows4 of mp rows, kp a multiple of 8) and widened B panels
 * (packPanelsB, panel stride kp*16 bytes): C[mp, n] int32 (row stride ldc elements; all mp rows are written).
 * Exact int32 (wrapping) accumulation, as gemmI16.
 */
export function gemmI16IL(ai: usize, mp: i32, kp: i32, b: usize, n: i32, c: usize, ldc: i32): void {
  const panels = (n + 7) >> 3;
  const panelBytes = <usize>kp << 4;
  const blockBytes = <usize>kp << 3;
  const cs = <usize>ldc << 2;
  const rowsPerBlock = superBlockRows(mp, blockBytes);
  for (let i0 = 0; i0 < mp; i0 += rowsPerBlock) {
    const i1 = min(mp, i0 + rowsPerBlock);
    for (let j = 0; j < panels; j++) {
      const cols = n - (j << 3);
      const bpanel = b + <usize>j * panelBytes;
      const bEnd = bpanel + panelBytes;
      for (let i = i0; i < i1; i += 4) {
        let c00 = i32x4.splat(0), c01 = i32x4.splat(0);
        let c10 = i32x4.splat(0), c11 = i32x4.splat(0);
        let c20 = i32x4.splat(0), c21 = i32x4.splat(0);
        let c30 = i32x4.splat(0), c31 = i32x4.splat(0);
        let ap = ai + <usize>(i >> 2) * blockBytes;
        for (let bp = bpanel; bp < bEnd; bp += 32, ap += 16) {
          const b0 = v128.load(bp);
          const b1 = v128.load(bp, 16);
          let x = v128.load32_splat(ap);
          c00 = dot2(x, b0, c00);
          c01 = dot2(x, b1, c01);
          x = v128.load32_splat(ap, 4);
          c10 = dot2(x, b0, c10);
          c11 = dot2(x, b1, c11);
          x = v128.load32_splat(ap, 8);
          c20 = dot2(x, b0, c20);
          c21 = dot2(x, b1, c21);
          x = v128.load32_splat(ap, 12);
          c30 = dot2(x, b0, c30);
          c31 = dot2(x, b1, c31);
        }
        const cp = c + <usize>i * cs + (<usize>j << 5);
        storeRow8(cp, c00, c01, cols);
        storeRow8(cp + cs, c10, c11, cols);
        storeRow8(cp + 2 * cs, c20, c21, cols);
        storeRow8(cp + 3 * cs, c30, c31, cols);
      }
    }
  }
}

/**
 * y[n] = a[k] · B (+ bias[n], 0 = none) for one row of A against float32 panels (packPanelsF32): each panel is one
 * sequential stream of k rows of 8 floats; four k per iteration into four independent accumulator pairs, so the
 * loop keeps enough loads in flight to run at memory speed when B is far larger than the caches.
 */
export function gemvF32Panels(a: usize, k: i32, b: usize, n: i32, bias: usize, y: usize): void {
  const panels = (n + 7) >> 3;
  const panelBytes = <usize>k << 5;
  const k4 = k & ~3;
  for (let j = 0; j < panels; j++) {
    const cols = n - (j << 3);
    let bp = b + <usize>j * panelBytes;
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
    let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
    let ap = a;
    const bEnd4 = bp + (<usize>k4 << 5);
    for (; bp < bEnd4; bp += 128, ap += 16) {
      let x = v128.load32_splat(ap);
      c00 = fma4(c00, x, v128.load(bp));
      c01 = fma4(c01, x, v128.load(bp, 16));
      x = v128.load32_splat(ap, 4);
      c10 = fma4(c10, x, v128.load(bp, 32));
      c11 = fma4(c11, x, v128.load(bp, 48));
      x = v128.load32_splat(ap, 8);
      c20 = fma4(c20, x, v128.load(bp, 64));
      c21 = fma4(c21, x, v128.load(bp, 80));
      x = v128.load32_splat(ap, 12);
      c30 = fma4(c30, x, v128.load(bp, 96));
      c31 = fma4(c31, x, v128.load(bp, 112));
    }
    const bEnd = b + <usize>j * panelBytes + panelBytes;
    for (; bp < bEnd; bp += 32, ap += 4) {
      const x = v128.load32_splat(ap);
      c00 = fma4(c00, x, v128.load(bp));
      c01 = fma4(c01, x, v128.load(bp, 16));
    }
    let lo = f32x4.add(f32x4.add(c00, c10), f32x4.add(c20, c30));
    let hi = f32x4.add(f32x4.add(c01, c11), f32x4.add(c21, c31));
    if (bias != 0) {
      lo = f32x4.add(lo, v128.load(bias + (<usize>j << 5)));
      hi = f32x4.add(hi, v128.load(bias + (<usize>j << 5), 16));
    }
    storeRowF8(y + (<usize>j << 5), lo, hi, cols);
  }
}
export { softmaxRows, geluErfF32, layerNormRows, quantizeU8, scaleI32ToF32, stridedCopyF32, binaryF32 } from './elementwise';
export { convEpilogueF32, convF32C1, dynamicConvOutF32, maxPoolPlanesF32 } from './conv-f32';
