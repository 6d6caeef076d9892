import { DTypeError, ShapeError, Tensor, ValueError } from '@qint/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conv } from './conv';
import { convInteger } from './conv-integer';
import { createJsBackend } from './js-backend';
import type { KernelBackend } from './kernel-backend';
import { qlinearConv } from './qlinear-conv';

interface Geo {
  n: number; c: number; h: number; w: number; m: number; kh: number; kw: number; group: number;
  sh: number; sw: number; dh: number; dw: number; pt: number; pl: number; pb: number; pr: number;
}

/**
 * Independent reference: the textbook definition, looping over every output position and every tap, checking
 * bounds per tap (padding reads as `padValue`), accumulating in float64.
 */
function naiveConv(g: Geo, x: number[], w: number[], xz: number, wz: (m: number) => number, bias?: (m: number) => number): { shape: number[]; out: number[] } {
  const oh = Math.floor((g.h + g.pt + g.pb - (g.kh - 1) * g.dh - 1) / g.sh) + 1;
  const ow = Math.floor((g.w + g.pl + g.pr - (g.kw - 1) * g.dw - 1) / g.sw) + 1;
  const cpg = g.c / g.group;
  const mpg = g.m / g.group;
  const out: number[] = [];
  for (let b = 0; b < g.n; b++)
    for (let m = 0; m < g.m; m++)
      for (let y = 0; y < oh; y++)
        for (let xo = 0; xo < ow; xo++) {
          let s = bias ? bias(m) : 0;
          const grp = Math.floor(m / mpg);
          for (let c = 0; c < cpg; c++)
            for (let i = 0; i < g.kh; i++)
              for (let j = 0; j < g.kw; j++) {
                const iy = y * g.sh - g.pt + i * g.dh;
                const ix = xo * g.sw - g.pl + j * g.dw;
                const xv = iy >= 0 && iy < g.h && ix >= 0 && ix < g.w ? x[((b * g.c + grp * cpg + c) * g.h + iy) * g.w + ix] : xz;
                s += (xv - xz) * (w[((m * cpg + c) * g.kh + i) * g.kw + j] - wz(m));
              }
          out.push(s);
        }
  return { shape: [g.n, g.m, oh, ow], out };
}

const geoArb = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }), cpg: fc.integer({ min: 1, max: 3 }), mpg: fc.integer({ min: 1, max: 3 }), group: fc.integer({ min: 1, max: 3 }),
    h: fc.integer({ min: 1, max: 7 }), w: fc.integer({ min: 1, max: 8 }), kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }),
    sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }), dh: fc.integer({ min: 1, max: 2 }), dw: fc.integer({ min: 1, max: 2 }),
    pt: fc.integer({ min: 0, max: 2 }), pl: fc.integer({ min: 0, max: 2 }), pb: fc.integer({ min: 0, max: 2 }), pr: fc.integer({ min: 0, max: 2 }),
    seed: fc.integer(),
  })
  .filter((g) => g.h + g.pt + g.pb >= (g.kh - 1) * g.dh + 1 && g.w + g.pl + g.pr >= (g.kw - 1) * g.dw + 1);

function lcg(seed: number): (lo: number, hi: number) => number {
  let s = seed >>> 0;
  return (lo, hi) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + (s % (hi - lo + 1));
  };
}

function toGeo(r: { n: number; cpg: number; mpg: number; group: number; h: number; w: number; kh: number; kw: number; sh: number; sw: number; dh: number; dw: number; pt: number; pl: number; pb: number; pr: number }): Geo {
  return { ...r, c: r.cpg * r.group, m: r.mpg * r.group };
}

const attrs = (g: Geo) => ({ group: g.group, strides: [g.sh, g.sw], dilations: [g.dh, g.dw], pads: [g.pt, g.pl, g.pb, g.pr] });

describe('convInteger', () => {
  it('equals the textbook definition exactly (groups, strides, dilations, pads, per-channel zero points; property)', () => {
    fc.assert(
      fc.property(geoArb, fc.constantFrom('uint8', 'int8'), fc.constantFrom('uint8', 'int8'), fc.boolean(), (r, dx, dw, perChannel) => {
        const g = toGeo(r);
        const rnd = lcg(r.seed);
        const rx = dx === 'uint8' ? [0, 255] : [-128, 127];
        const rw = dw === 'uint8' ? [0, 255] : [-128, 127];
        const x = Array.from({ length: g.n * g.c * g.h * g.w }, () => rnd(rx[0], rx[1]));
        const w = Array.from({ length: g.m * r.cpg * g.kh * g.kw }, () => rnd(rw[0], rw[1]));
        const xz = rnd(rx[0], rx[1]);
        const wz = Array.from({ length: perChannel ? g.m : 1 }, () => rnd(rw[0], rw[1]));
        const y = convInteger(
          Tensor.from(dx, [g.n, g.c, g.h, g.w], x), Tensor.from(dw, [g.m, r.cpg, g.kh, g.kw], w),
          Tensor.scalar(dx, xz), perChannel ? Tensor.from(dw, [g.m], wz) : Tensor.from(dw, [1], wz),
          { ...attrs(g), backend: createJsBackend() },
        );
        const ref = naiveConv(g, x, w, xz, (m) => wz[perChannel ? m : 0]);
        expect(y.shape).toEqual(ref.shape);
        expect(y.toArray()).toEqual(ref.out);
      }),
      { seed: 1234, numRuns: 120 },
    );
  });

  it('stays exact when the column buffer is tiled over output positions (large K·H·W, stride 1 and 2)', () => {
    for (const [sh, sw] of [[1, 1], [2, 1]]) {
      const g: Geo = { n: 2, c: 64, h: 40, w: 37, m: 6, kh: 3, kw: 3, group: 1, sh, sw, dh: 1, dw: 2, pt: 1, pl: 2, pb: 1, pr: 1 };
      const rnd = lcg(sh * 31 + sw);
      const x = Array.from({ length: g.n * g.c * g.h * g.w }, () => rnd(0, 255));
      const w = Array.from({ length: g.m * g.c * g.kh * g.kw }, () => rnd(-128, 127));
      const y = convInteger(Tensor.from('uint8', [g.n, g.c, g.h, g.w], x), Tensor.from('int8', [g.m, g.c, g.kh, g.kw], w), Tensor.scalar('uint8', 131), undefined, attrs(g));
      const ref = naiveConv(g, x, w, 131, () => 0);
      expect(y.shape).toEqual(ref.shape);
      expect(y.toArray()).toEqual(ref.out);
      const yf = conv(Tensor.from('float32', [g.n, g.c, g.h, g.w], x), Tensor.from('float32', [g.m, g.c, g.kh, g.kw], w), undefined, attrs(g));
      const reff = naiveConv(g, x, w, 0, () => 0);
      yf.toArray().forEach((v, i) => expect(Math.abs(v - reff.out[i])).toBeLessThanOrEqual(1e-6 * 576 * 255 * 128));
    }
  });

  it('does depthwise, 1-D and auto_pad convolutions', () => {
    // Depthwise 3×3, 2 channels, SAME_UPPER: each output is the sum of the 3×3 neighbourhood times the channel's weight.
    const x = Tensor.from('uint8', [1, 2, 2, 2], [1, 2, 3, 4, 10, 20, 30, 40]);
    const w = Tensor.from('int8', [2, 1, 3, 3], [...new Array(9).fill(1), ...new Array(9).fill(-1)]);
    const y = convInteger(x, w, undefined, undefined, { group: 2, autoPad: 'SAME_UPPER' });
    expect(y.shape).toEqual([1, 2, 2, 2]);
    expect(y.toArray()).toEqual([10, 10, 10, 10, -100, -100, -100, -100]);
    // 1-D: [N, C, L] with a 2-tap kernel and stride 2.
    const y1 = convInteger(Tensor.from('uint8', [1, 1, 5], [1, 2, 3, 4, 5]), Tensor.from('uint8', [1, 1, 2], [1, 10]), undefined, undefined, { strides: [2] });
    expect(y1.shape).toEqual([1, 1, 2]);
    expect(y1.toArray()).toEqual([21, 43]);
    // SAME_LOWER puts the odd padding at the start, SAME_UPPER at the end.
    const xs = Tensor.from('uint8', [1, 1, 1, 4], [1, 2, 3, 4]);
    const ws = Tensor.from('uint8', [1, 1, 1, 2], [1, 100]);
    expect(convInteger(xs, ws, undefined, undefined, { autoPad: 'SAME_UPPER' }).toArray()).toEqual([201, 302, 403, 4]);
    expect(convInteger(xs, ws, undefined, undefined, { autoPad: 'SAME_LOWER' }).toArray()).toEqual([100, 201, 302, 403]);
    expect(convInteger(xs, ws, undefined, undefined, { autoPad: 'VALID' }).toArray()).toEqual([201, 302, 403]);
  });

  it('gives 0-sized outputs for empty batches and rejects bad shapes, dtypes and attributes', () => {
    expect(convInteger(Tensor.zeros('uint8', [0, 1, 3, 3]), Tensor.zeros('uint8', [2, 1, 2, 2])).shape).toEqual([0, 2, 2, 2]);
    const x = Tensor.zeros('uint8', [1, 4, 3, 3]);
    expect(() => convInteger(x, Tensor.zeros('uint8', [2, 3, 1, 1]))).toThrow(/input channels per group/);
    expect(() => convInteger(x, Tensor.zeros('uint8', [3, 2, 1, 1]), undefined, undefined, { group: 2 })).toThrow(/not divisible by group/);
    expect(() => convInteger(x, Tensor.zeros('uint8', [1, 4, 5, 5]))).toThrow(/does not fit/);
    expect(() => convInteger(x, Tensor.zeros('float32', [1, 4, 1, 1]))).toThrow(DTypeError);
    expect(() => convInteger(x, Tensor.zeros('uint8', [2, 4, 1, 1]), undefined, Tensor.zeros('uint8', [3]))).toThrow(/"w_zero_point" has shape \[3\]/);
    expect(() => convInteger(x, Tensor.zeros('uint8', [2, 4, 1, 1]), Tensor.zeros('uint8', [2]))).toThrow(/"x_zero_point"/);
    expect(() => convInteger(x, Tensor.zeros('uint8', [2, 4, 1, 1]), undefined, undefined, { strides: [0, 1] })).toThrow(ValueError);
    expect(() => convInteger(x, Tensor.zeros('uint8', [2, 4, 1, 1]), undefined, undefined, { autoPad: 'SAME' as never })).toThrow(/auto_pad/);
    expect(() => convInteger(Tensor.zeros('uint8', [4, 3, 3]), Tensor.zeros('uint8', [2, 4, 1, 1]))).toThrow(ShapeError);
  });

  it('enforces the int32-safe K = C/group·kH·kW', () => {
    // 3673 · 3 · 3 = 33057 > 33025.
    const x = Tensor.zeros('uint8', [1, 3673, 3, 3]);
    const w = Tensor.zeros('uint8', [1, 3673, 3, 3]);
    expect(() => convInteger(x, w)).toThrow(/K = 33057 may overflow/);
  });
});

describe('conv (float32)', () => {
  it('matches the textbook definition within float32 rounding (property)', () => {
    fc.assert(
      fc.property(geoArb, fc.boolean(), (r, withBias) => {
        const g = toGeo(r);
        const rnd = lcg(r.seed);
        const x = Array.from({ length: g.n * g.c * g.h * g.w }, () => Math.fround(rnd(-1000, 1000) / 256));
        const w = Array.from({ length: g.m * r.cpg * g.kh * g.kw }, () => Math.fround(rnd(-1000, 1000) / 512));
        const bias = Array.from({ length: g.m }, () => Math.fround(rnd(-100, 100) / 8));
        const y = conv(Tensor.from('float32', [g.n, g.c, g.h, g.w], x), Tensor.from('float32', [g.m, r.cpg, g.kh, g.kw], w),
          withBias ? Tensor.from('float32', [g.m], bias) : undefined, attrs(g));
        const ref = naiveConv(g, x, w, 0, () => 0, withBias ? (m) => bias[m] : undefined);
        expect(y.shape).toEqual(ref.shape);
        y.toArray().forEach((v, i) => expect(Math.abs(v - ref.out[i])).toBeLessThanOrEqual(1e-3 + 1e-5 * Math.abs(ref.out[i])));
      }),
      { seed: 99, numRuns: 80 },
    );
  });

  it('handles a 1×1 kernel and rejects a bias of the wrong shape', () => {
    const x = Tensor.from('float32', [1, 2, 1, 2], [1, 2, 3, 4]);
    const w = Tensor.from('float32', [1, 2, 1, 1], [0.5, 2]);
    expect(conv(x, w, Tensor.from('float32', [1], [1])).toArray()).toEqual([7.5, 10]);
    expect(() => conv(x, w, Tensor.from('float32', [2], [1, 1]))).toThrow(/"B" has shape \[2\]/);
  });
});

describe('conv epilogue and output allocator', () => {
  // 1×1 conv of one channel with weight 1 and bias 0 is the identity: the epilogue alone shapes the output.
  const x = Tensor.from('float32', [2, 1, 1, 4], [-2, -0, NaN, 3, 0.1, 5, -7, 1e30]);
  const w = Tensor.from('float32', [2, 1, 1, 1], [1, -0.5]);

  it('applies Relu (v <= 0 ? 0 : v: -0 gives +0, NaN stays NaN), then the per-channel float64 affine rounded once (hand-checked)', () => {
    const y = conv(x, w, undefined, { relu: true });
    // channel 0 = x, channel 1 = −x/2, then Relu.
    expect(Array.from(y.data as Float32Array).map((v) => (Object.is(v, -0) ? '-0' : v))).toEqual([0, 0, NaN, 3, 1, 0, NaN, 0, Math.fround(0.1), 5, 0, Math.fround(1e30), 0, 0, 3.5, 0]);
    const k = new Float64Array([1 / 3, -2]);
    const t = new Float64Array([0.1, 0.7]);
    const z = conv(x, w, undefined, { relu: true, postScale: k, postShift: t });
    const expected = Array.from(y.data as Float32Array).map((v, i) => Math.fround(v * k[Math.floor(i / 4) % 2] + t[Math.floor(i / 4) % 2]));
    expect(Array.from(z.data as Float32Array)).toEqual(expected);
    // Float64 then one rounding: 3 · (1/3) + 0.1 is 1.1 rounded once, not f32(f32(1) + f32(0.1)) summed in float32.
    expect((z.data as Float32Array)[3]).toBe(Math.fround(3 * (1 / 3) + 0.1));
  });

  it('max-pools after the epilogue with the MaxPool rule (first tap wins ties and NaN; hand-checked)', () => {
    // Identity conv (channel 0) of [-2, -0, NaN, 3 | 0.1, 5, -7, 1e30], pooled 1×2 stride 2: [max(-2, 0), max(NaN, 3)].
    const y = conv(x, w, undefined, { pool: [1, 2, 1, 2] });
    expect(y.shape).toEqual([2, 2, 1, 2]);
    const v = Array.from(y.data as Float32Array);
    expect(Object.is(v[0], 0)).toBe(true); // the conv sum 0 + (−0)·1 is +0
    expect(Number.isNaN(v[1])).toBe(true);
    // channel 1 = −x/2 = [1, 0, NaN, −1.5]: [1, NaN]; image 2: channel 0 [5, 1e30], channel 1 [−0.05 vs −2.5 → −0.05, 3.5].
    expect(v[2]).toBe(1);
    expect(Number.isNaN(v[3])).toBe(true);
    expect(v.slice(4)).toEqual([5, Math.fround(1e30), Math.fround(-0.05), 3.5]);
    expect(() => conv(x, w, undefined, { pool: [2, 2, 2, 2] })).toThrow(/fused pool window 2×2 does not fit the conv output \[2,2,1,4\]/);
  });

  it('applies the epilogue and pool itself around a backend that does not declare convF32Epilogue', () => {
    const js = createJsBackend();
    // A backend written before the epilogue fields: it only convolves (and would ignore relu/post*/pool).
    const legacy: KernelBackend = {
      specificationVersion: 'v1',
      name: 'legacy',
      convF32: (a) => js.convF32({ ...a, relu: undefined, postScale: undefined, postShift: undefined, pool: undefined }),
    };
    const b = Tensor.from('float32', [2], [0.25, -1]);
    const opts = { relu: true, postScale: new Float64Array([1.5, -2]), postShift: new Float64Array([0.5, 0.125]), pool: [1, 2, 1, 2] as const };
    const want = conv(x, w, b, { ...opts, backend: js });
    const got = conv(x, w, b, { ...opts, backend: legacy });
    expect(got.shape).toEqual(want.shape);
    expect(Array.from(got.data as Float32Array).map(String)).toEqual(Array.from(want.data as Float32Array).map(String));
    // Hand-checked: channel 0 = x + 0.25, channel 1 = −x/2 − 1; Relu; ×[1.5, −2] + [0.5, 0.125]; max of column pairs.
    // Image 1, channel 0: [−1.75, 0.25, NaN, 3.25] → [0, 0.25, NaN, 3.25] → [0.5, 0.875, NaN, 5.375] → [0.875, NaN]
    // (a NaN tap makes the window NaN); channel 1 (NaN in its second pair too) is 0 after the Relu everywhere but −(−7)/2 − 1 = 2.5 in image 2, which maps to −4.875 and loses its pair.
    expect(Array.from(got.data as Float32Array)).toEqual([0.875, NaN, 0.125, NaN, 8.375, Math.fround(Math.fround(1e30) * 1.5 + 0.5), 0.125, 0.125]);
    // The fields really change the result (so the legacy path is not trivially equal).
    expect(Array.from(conv(x, w, b, { backend: legacy }).data as Float32Array)).not.toEqual(Array.from(want.data as Float32Array));
  });

  it('writes every element of an allocated (stale) buffer and rejects one of the wrong length or unpaired post lists', () => {
    const stale = new Float32Array(16).fill(123);
    const y = conv(x, w, Tensor.from('float32', [2], [1, 2]), { allocate: () => stale });
    expect(y.data).toBe(stale);
    expect(Array.from(stale)).toEqual(Array.from(conv(x, w, Tensor.from('float32', [2], [1, 2])).data as Float32Array));
    expect(() => conv(x, w, undefined, { allocate: () => new Float32Array(15) })).toThrow(/allocate returned 15 elements; expected 16/);
    expect(() => conv(x, w, undefined, { postScale: new Float64Array(2) })).toThrow(/postScale and options.postShift must come together/);
  });
});

describe('qlinearConv', () => {
  it('requantizes acc + bias per output channel with ties to even and saturation (hand-checked)', () => {
    // 1×1 conv, 1 input channel, 2 output channels: acc = (x − 2)·(w − wz).
    const x = Tensor.from('uint8', [1, 1, 1, 4], [2, 3, 4, 200]);
    const w = Tensor.from('int8', [2, 1, 1, 1], [3, -1]);
    const y = qlinearConv(
      x, Tensor.scalar('float32', 0.5), Tensor.scalar('uint8', 2),
      w, Tensor.from('float32', [2], [1, 0.25]), Tensor.from('int8', [2], [2, 0]),
      Tensor.scalar('float32', 1), Tensor.scalar('uint8', 10), Tensor.from('int32', [2], [1, -2]),
    );
    // Channel 0: multiplier 0.5, acc = (x − 2)·1 + 1 = [1, 2, 3, 199] → 0.5, 1, 1.5, 99.5 → 0, 1, 2, 100 (+10).
    // Channel 1: multiplier 0.125, acc = −(x − 2) − 2 = [−2, −3, −4, −200] → −0.25, −0.375, −0.5, −25 → 0, 0, 0 (−0.5 → −0), −25 (+10).
    expect(y.toArray()).toEqual([10, 11, 12, 110, 10, 10, 10, 0]);
    expect(y.dtype).toBe('uint8');
  });

  it('rejects per-channel scales of the wrong length and bias of the wrong dtype', () => {
    const x = Tensor.zeros('uint8', [1, 1, 2, 2]);
    const w = Tensor.zeros('uint8', [2, 1, 1, 1]);
    const s = Tensor.scalar('float32', 1);
    const z = Tensor.scalar('uint8', 0);
    expect(() => qlinearConv(x, s, z, w, Tensor.from('float32', [3], [1, 1, 1]), z, s, z)).toThrow(/"w_scale" has shape \[3\]/);
    expect(() => qlinearConv(x, s, z, w, s, z, s, z, Tensor.from('float32', [2], [0, 0]))).toThrow(/"B" must be int32/);
    expect(() => qlinearConv(x, Tensor.scalar('float32', 0), z, w, s, z, s, z)).toThrow(/"x_scale"/);
  });
});
