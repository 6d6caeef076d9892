// Float32 elementwise and row kernels of transformer graphs: Softmax over rows, exact-form Gelu (erf), and
// LayerNormalization over rows. SIMD128, four lanes at a time, with a scalar tail that uses the same formulas.
// exp and erf here are float32 polynomials (Cephes expf, about 1 ulp; the rational erf of Eigen/XLA, absolute error
// below 3e-7), and row sums are four float32 lanes combined as (l0 + l1) + (l2 + l3). The JS backend replays the same
// float32 steps in the same order (packages/kernels/src/js/exp-f32.ts, erf-f32.ts, row-ops-js.ts), so both are
// bit-identical; test/row-ops.test.ts checks it. Change both together.

// ---- exp -------------------------------------------------------------------------------------------------------
const EXP_HI: f32 = 88.3762626647949;
const EXP_LO: f32 = -87.3365478515625;
const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const P0: f32 = 1.9875691500e-4;
const P1: f32 = 1.3981999507e-3;
const P2: f32 = 8.3334519073e-3;
const P3: f32 = 4.1665795894e-2;
const P4: f32 = 1.6666665459e-1;
const P5: f32 = 5.0000001201e-1;

// expV's constants as one static table, loaded into locals once per kernel call: written as v128.const literals,
// V8 re-materializes each one (three instructions) every time the exp loop is entered, i.e. once per softmax row,
// which cost more than the exponentials themselves on rows of 28 (a transformer's attention over 28 tokens).
const EXP_TABLE = memory.data<f32>([
  EXP_LO, EXP_LO, EXP_LO, EXP_LO, EXP_HI, EXP_HI, EXP_HI, EXP_HI, LOG2E, LOG2E, LOG2E, LOG2E,
  LN2_HI, LN2_HI, LN2_HI, LN2_HI, LN2_LO, LN2_LO, LN2_LO, LN2_LO, P0, P0, P0, P0, P1, P1, P1, P1, P2, P2, P2, P2,
  P3, P3, P3, P3, P4, P4, P4, P4, P5, P5, P5, P5, 1, 1, 1, 1, 12582912, 12582912, 12582912, 12582912,
], 16);

// @ts-ignore: decorator
@inline function expV(x0: v128, t: usize): v128 {
  // t = EXP_TABLE, its rows read where they are used: after inlining into a kernel V8 hoists the loads (or keeps
  // them as cheap stack reloads) instead of re-materializing constants.
  // pmin/pmax (one minps/maxps each on x64; f32x4.min/max take several instructions for NaN and ±0 rules); a NaN x0
  // is the first operand of both, so it passes through.
  const x = f32x4.pmin(f32x4.pmax(x0, v128.load(t)), v128.load(t, 16));
  const fx = f32x4.nearest(f32x4.mul(x, v128.load(t, 32)));
  let r = f32x4.sub(x, f32x4.mul(fx, v128.load(t, 48)));
  r = f32x4.sub(r, f32x4.mul(fx, v128.load(t, 64)));
  let y = f32x4.add(f32x4.mul(v128.load(t, 80), r), v128.load(t, 96));
  y = f32x4.add(f32x4.mul(y, r), v128.load(t, 112));
  y = f32x4.add(f32x4.mul(y, r), v128.load(t, 128));
  y = f32x4.add(f32x4.mul(y, r), v128.load(t, 144));
  y = f32x4.add(f32x4.mul(y, r), v128.load(t, 160));
  y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(y, r), r), r), v128.load(t, 176));
  // 2^fx without i32x4.trunc_sat_f32x4_s (a long instruction sequence on x64): fx is an integer in [−127, 128], so the
  // float bits of fx + 1.5·2^23 are 0x4B400000 + fx; rebias to the exponent field and shift it into place.
  const bits = i32x4.add(f32x4.add(fx, v128.load(t, 192)), i32x4.splat(127 - 0x4b400000));
  return f32x4.mul(y, i32x4.shl(bits, 23));
}

// @ts-ignore: decorator
@inline function expS(x0: f32): f32 {
  const x = min(max(x0, EXP_LO), EXP_HI);
  const fx = nearest<f32>(x * LOG2E);
  let r = x - fx * LN2_HI;
  r = r - fx * LN2_LO;
  let y = P0 * r + P1;
  y = y * r + P2;
  y = y * r + P3;
  y = y * r + P4;
  y = y * r + P5;
  y = y * r * r + r + 1;
  return y * reinterpret<f32>((<i32>fx + 127) << 23);
}

/**
 * Softmax of `rows` contiguous rows of length `dim`: `out = exp(x − max) / Σ exp(x − max)`. A row holding NaN gives
 * NaN, like the JS backend; a row of −Infinity gives NaN (0/0) like it.
 */
export function softmaxRows(x: usize, rows: i32, dim: i32, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const src = x + (<usize>r * <usize>dim << 2);
    const dst = out + (<usize>r * <usize>dim << 2);
    let vmax = f32x4.splat(-Infinity);
    let i = 0;
    // pmax skips NaN lanes (as the JS backend's `v > max` does); a NaN still turns the whole row into NaN below.
    for (; i + 4 <= dim; i += 4) vmax = f32x4.pmax(vmax, v128.load(src + (<usize>i << 2)));
    let mx = max(max(f32x4.extract_lane(vmax, 0), f32x4.extract_lane(vmax, 1)), max(f32x4.extract_lane(vmax, 2), f32x4.extract_lane(vmax, 3)));
    for (; i < dim; i++) mx = max(mx, load<f32>(src + (<usize>i << 2)));
    const vm = f32x4.splat(mx);
    let vsum = f32x4.splat(0);
    i = 0;
    for (; i + 4 <= dim; i += 4) {
      const e = expV(f32x4.sub(v128.load(src + (<usize>i << 2)), vm), EXP_TABLE);
      v128.store(dst + (<usize>i << 2), e);
      vsum = f32x4.add(vsum, e);
    }
    let sum = f32x4.extract_lane(vsum, 0) + f32x4.extract_lane(vsum, 1) + (f32x4.extract_lane(vsum, 2) + f32x4.extract_lane(vsum, 3));
    for (; i < dim; i++) {
      const e = expS(load<f32>(src + (<usize>i << 2)) - mx);
      store<f32>(dst + (<usize>i << 2), e);
      sum += e;
    }
    // max − max is NaN for an infinite max: exp of it propagates NaN, as Math.exp does.
    const inv: f32 = 1 / sum;
    const vi = f32x4.splat(inv);
    i = 0;
    for (; i + 4 <= dim; i += 4) v128.store(dst + (<usize>i << 2), f32x4.mul(v128.load(dst + (<usize>i << 2)), vi));
    for (; i < dim; i++) store<f32>(dst + (<usize>i << 2), load<f32>(dst + (<usize>i << 2)) * inv);
  }
}

// ---- erf -------------------------------------------------------------------------------------------------------
// erf(x) ≈ x·P(x²)/Q(x²) on [−4, 4] (clamped outside, where |erf| rounds to 1 in float32).
const A1: f32 = -1.60960333262415e-2;
const A3: f32 = -2.95459980854025e-3;
const A5: f32 = -7.34990630326855e-4;
const A7: f32 = -5.69250639462346e-5;
const A9: f32 = -2.10102402082508e-6;
const A11: f32 = 2.77068142495902e-8;
const A13: f32 = -2.72614225801306e-10;
const B0: f32 = -1.42647390514189e-2;
const B2: f32 = -7.37332916720468e-3;
const B4: f32 = -1.68282697438203e-3;
const B6: f32 = -2.13374055278905e-4;
const B8: f32 = -1.45660718464996e-5;

// @ts-ignore: decorator
@inline function erfV(x0: v128): v128 {
  const x = f32x4.pmin(f32x4.pmax(x0, f32x4.splat(-4)), f32x4.splat(4));
  const x2 = f32x4.mul(x, x);
  let p = f32x4.add(f32x4.mul(x2, f32x4.splat(A13)), f32x4.splat(A11));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(A9));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(A7));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(A5));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(A3));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(A1));
  p = f32x4.mul(p, x);
  let q = f32x4.add(f32x4.mul(x2, f32x4.splat(B8)), f32x4.splat(B6));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(B4));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(B2));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(B0));
  return f32x4.div(p, q);
}

// @ts-ignore: decorator
@inline function erfS(x0: f32): f32 {
  const x = min(max(x0, <f32>-4), <f32>4);
  const x2 = x * x;
  let p = x2 * A13 + A11;
  p = p * x2 + A9;
  p = p * x2 + A7;
  p = p * x2 + A5;
  p = p * x2 + A3;
  p = p * x2 + A1;
  p = p * x;
  let q = x2 * B8 + B6;
  q = q * x2 + B4;
  q = q * x2 + B2;
  q = q * x2 + B0;
  return p / q;
}

/** `out = (x · (erf(x / c1) + c2)) · c3` over `n` values, each step rounded to float32 (exact Gelu for √2, 1, ½). */
export function geluErfF32(x: usize, n: i32, c1: f32, c2: f32, c3: f32, out: usize): void {
  const v1 = f32x4.splat(c1);
  const v2 = f32x4.splat(c2);
  const v3 = f32x4.splat(c3);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const e = erfV(f32x4.div(v, v1));
    v128.store(out + (<usize>i << 2), f32x4.mul(f32x4.mul(v, f32x4.add(e, v2)), v3));
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    store<f32>(out + (<usize>i << 2), v * (erfS(v / c1) + c2) * c3);
  }
}

// ---- LayerNormalization ----------------------------------------------------------------------------------------

/**
 * LayerNormalization of `rows` contiguous rows of length `dim`: `y = (x − mean) · (1 / sqrt(var + eps)) · scale + bias`
 * with the biased variance of the centred values (two passes). `scale`/`bias` hold `dim` values (`bias` 0: none);
 * `scaleLen`/`biasLen` 1 broadcast one value.
 */
export function layerNormRows(x: usize, rows: i32, dim: i32, scale: usize, scaleLen: i32, bias: usize, biasLen: i32, eps: f32, out: usize): void {
  const fdim = <f32>dim;
  for (let r = 0; r < rows; r++) {
    const src = x + (<usize>r * <usize>dim << 2);
    const dst = out + (<usize>r * <usize>dim << 2);
    let vs = f32x4.splat(0);
    let i = 0;
    for (; i + 4 <= dim; i += 4) vs = f32x4.add(vs, v128.load(src + (<usize>i << 2)));
    let sum = f32x4.extract_lane(vs, 0) + f32x4.extract_lane(vs, 1) + (f32x4.extract_lane(vs, 2) + f32x4.extract_lane(vs, 3));
    for (; i < dim; i++) sum += load<f32>(src + (<usize>i << 2));
    const mean = sum / fdim;
    const vm = f32x4.splat(mean);
    let vq = f32x4.splat(0);
    i = 0;
    for (; i + 4 <= dim; i += 4) {
      const d = f32x4.sub(v128.load(src + (<usize>i << 2)), vm);
      vq = f32x4.add(vq, f32x4.mul(d, d));
    }
    let sq = f32x4.extract_lane(vq, 0) + f32x4.extract_lane(vq, 1) + (f32x4.extract_lane(vq, 2) + f32x4.extract_lane(vq, 3));
    for (; i < dim; i++) {
      const d = load<f32>(src + (<usize>i << 2)) - mean;
      sq += d * d;
    }
    const inv: f32 = 1 / sqrt<f32>(sq / fdim + eps);
    const vinv = f32x4.splat(inv);
    i = 0;
    if (scaleLen == dim && (bias == 0 || biasLen == dim)) {
      for (; i + 4 <= dim; i += 4) {
        let y = f32x4.mul(f32x4.mul(f32x4.sub(v128.load(src + (<usize>i << 2)), vm), vinv), v128.load(scale + (<usize>i << 2)));
        if (bias != 0) y = f32x4.add(y, v128.load(bias + (<usize>i << 2)));
        v128.store(dst + (<usize>i << 2), y);
      }
    }
    for (; i < dim; i++) {
      let y = (load<f32>(src + (<usize>i << 2)) - mean) * inv * load<f32>(scale + (scaleLen == 1 ? 0 : <usize>i << 2));
      if (bias != 0) y += load<f32>(bias + (biasLen == 1 ? 0 : <usize>i << 2));
      store<f32>(dst + (<usize>i << 2), y);
    }
  }
}

// ---- dynamic activation MatMul helpers (exact: bit-identical with the JS backend) --------------------------------

/**
 * DynamicQuantizeLinear's element step: `dst = clamp(nearest(x / scale) + zp, 0, 255)` as uint8, NaN → zp, with the
 * division in float32 and ties to even (f32x4.nearest), as the JS backend. `scale` is non-zero.
 * |x / scale| ≤ 255·(1 + ε) for finite x of the range, so the float32 addition of zp is exact.
 */
export function quantizeU8(x: usize, n: i32, scale: f32, zp: i32, dst: usize): void {
  const vs = f32x4.splat(scale);
  const vz = f32x4.splat(<f32>zp);
  const lo = f32x4.splat(0);
  const hi = f32x4.splat(255);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    let a = f32x4.add(f32x4.nearest(f32x4.div(v128.load(x + (<usize>i << 2)), vs)), vz);
    let b = f32x4.add(f32x4.nearest(f32x4.div(v128.load(x + (<usize>i << 2), 16), vs)), vz);
    // NaN lanes (a != a) take the zero point; min/max then clamp ±Infinity to 0 / 255.
    a = f32x4.pmin(f32x4.pmax(v128.bitselect(a, vz, f32x4.eq(a, a)), lo), hi);
    b = f32x4.pmin(f32x4.pmax(v128.bitselect(b, vz, f32x4.eq(b, b)), lo), hi);
    // a, b are integers in [0, 255]: the low bits of (v + 2^23) are v (no slow float → int conversion needed).
    const magic = f32x4.splat(8388608);
    const w = i16x8.narrow_i32x4_u(
      i32x4.sub(f32x4.add(a, magic), i32x4.splat(0x4b000000)),
      i32x4.sub(f32x4.add(b, magic), i32x4.splat(0x4b000000)),
    );
    v128.store64_lane(dst + <usize>i, i8x16.narrow_i16x8_u(w, w), 0);
  }
  for (; i < n; i++) {
    let v = nearest<f32>(load<f32>(x + (<usize>i << 2)) / scale) + <f32>zp;
    if (v != v) v = <f32>zp;
    v = min(max(v, <f32>0), <f32>255);
    store<u8>(dst + <usize>i, <u8>(<i32>v));
  }
}

/**
 * `dst = f32(f32(f32(src) · scale) / divisor)` over `n` int32 values (int32 → float32 rounds to nearest even, like
 * Math.fround; a divisor of 1 changes nothing, x / 1 being exact).
 */
export function scaleI32ToF32(src: usize, n: i32, scale: f32, divisor: f32, dst: usize): void {
  const vs = f32x4.splat(scale);
  const vd = f32x4.splat(divisor);
  let i = 0;
  if (divisor == 1) {
    for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), f32x4.mul(f32x4.convert_i32x4_s(v128.load(src + (<usize>i << 2))), vs));
  } else {
    for (; i + 4 <= n; i += 4) {
      v128.store(dst + (<usize>i << 2), f32x4.div(f32x4.mul(f32x4.convert_i32x4_s(v128.load(src + (<usize>i << 2))), vs), vd));
    }
  }
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), (<f32>load<i32>(src + (<usize>i << 2)) * scale) / divisor);
}

// ---- strided copy (Transpose, Slice) -----------------------------------------------------------------------------

/**
 * Copies the strided view of `src` (`rank` dims: sizes at `shape`, element strides at `strides`, both i32; start
 * element `offset`) into `dst`, contiguous in row-major order. `coord` is scratch for `rank` i32 counters. Dims should
 * be merged beforehand (see the JS side); the two innermost run as plain loops, four floats at a time when the
 * innermost is contiguous.
 */
export function stridedCopyF32(src: usize, rank: i32, shape: usize, strides: usize, offset: i32, coord: usize, dst: usize): void {
  if (rank == 0) {
    store<f32>(dst, load<f32>(src + (<usize>offset << 2)));
    return;
  }
  let size: i32 = 1;
  for (let k = 0; k < rank; k++) size *= load<i32>(shape + (<usize>k << 2));
  if (size == 0) return;
  const inner = load<i32>(shape + (<usize>(rank - 1) << 2));
  const is = load<i32>(strides + (<usize>(rank - 1) << 2));
  const mid = rank >= 2 ? load<i32>(shape + (<usize>(rank - 2) << 2)) : 1;
  const ms = rank >= 2 ? load<i32>(strides + (<usize>(rank - 2) << 2)) : 0;
  const outer = rank >= 2 ? rank - 2 : 0;
  for (let k = 0; k < outer; k++) store<i32>(coord + (<usize>k << 2), 0);
  let at = offset;
  let o: usize = dst;
  for (let block = size / (inner * mid); block > 0; block--) {
    let a = at;
    for (let r = 0; r < mid; r++, a += ms) {
      const s = src + (<usize>a << 2);
      if (is == 1) {
        let i = 0;
        for (; i + 4 <= inner; i += 4) v128.store(o + (<usize>i << 2), v128.load(s + (<usize>i << 2)));
        for (; i < inner; i++) store<f32>(o + (<usize>i << 2), load<f32>(s + (<usize>i << 2)));
      } else {
        for (let i = 0; i < inner; i++) store<f32>(o + (<usize>i << 2), load<f32>(s + (<usize>(i * is) << 2)));
      }
      o += <usize>inner << 2;
    }
    for (let k = outer - 1; k >= 0; k--) {
      const c = coord + (<usize>k << 2);
      const n = load<i32>(c) + 1;
      const st = load<i32>(strides + (<usize>k << 2));
      at += st;
      if (n < load<i32>(shape + (<usize>k << 2))) {
        store<i32>(c, n);
        break;
      }
      at -= st * load<i32>(shape + (<usize>k << 2));
      store<i32>(c, 0);
    }
  }
}

// ---- binary arithmetic ---------------------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline function opV(op: i32, x: v128, y: v128): v128 {
  if (op == 0) return f32x4.add(x, y);
  if (op == 1) return f32x4.sub(x, y);
  if (op == 2) return f32x4.mul(x, y);
  return f32x4.div(x, y);
}

// @ts-ignore: decorator
@inline function opS(op: i32, x: f32, y: f32): f32 {
  if (op == 0) return x + y;
  if (op == 1) return x - y;
  if (op == 2) return x * y;
  return x / y;
}

/**
 * `out[i] = a[i mod na] ∘ b[i mod nb]` for `∘` = add, sub, mul, div (op 0–3) over `n` values, where `na` and `nb` are
 * `n`, or the length of a block that repeats along the output (a trailing-dims operand such as a bias or position
 * table; 1 for a scalar). float32 arithmetic, bit-identical with JS (a float64 result of two float32 operands rounds
 * to the same float32).
 */
export function binaryF32(op: i32, a: usize, na: i32, b: usize, nb: i32, n: i32, out: usize): void {
  const block = na < nb ? na : nb;
  const aRep = na < n;
  for (let base = 0; base < n; base += block) {
    const oa: i32 = aRep ? 0 : base;
    const ob: i32 = nb < n ? 0 : base;
    const pa = a + (<usize>oa << 2);
    const pb = b + (<usize>ob << 2);
    const po = out + (<usize>base << 2);
    let i = 0;
    if (block == 1 && n > 1) {
      // A scalar operand: splat it once over the whole output.
      const full = aRep ? b : a;
      const s = load<f32>(aRep ? a : b);
      const vs = f32x4.splat(s);
      for (; i + 4 <= n; i += 4) {
        const v = v128.load(full + (<usize>i << 2));
        v128.store(out + (<usize>i << 2), aRep ? opV(op, vs, v) : opV(op, v, vs));
      }
      for (; i < n; i++) {
        const v = load<f32>(full + (<usize>i << 2));
        store<f32>(out + (<usize>i << 2), aRep ? opS(op, s, v) : opS(op, v, s));
      }
      return;
    }
    for (; i + 4 <= block; i += 4) v128.store(po + (<usize>i << 2), opV(op, v128.load(pa + (<usize>i << 2)), v128.load(pb + (<usize>i << 2))));
    for (; i < block; i++) store<f32>(po + (<usize>i << 2), opS(op, load<f32>(pa + (<usize>i << 2)), load<f32>(pb + (<usize>i << 2))));
  }
}
