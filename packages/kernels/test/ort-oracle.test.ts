// Integer ops the ONNX node tests do not cover (per-channel and depthwise QLinearConv, ConvInteger with int8 weights,
// strides/dilations/auto_pad, batched MatMulInteger, blocked (De)QuantizeLinear), checked two ways:
// - against exact integer arithmetic written plainly here (the reference on every CPU), and
// - against onnxruntime-node (dev-only), but only on data whose u8 × s8 products cannot saturate: onnxruntime's x86
//   kernels without AVX-512 VNNI add two u8·s8 products in int16 (vpmaddubsw), so every int8 operand here stays
//   within ±64 (2 · 255 · 64 = 32,640 ≤ 32,767), which each test asserts for its data.
import { Tensor, type DType } from '@qint/tensor';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import * as k from '../src/index';
import { oneNodeModel, type Attr } from './onnx-build';

function lcg(seed: number): (lo: number, hi: number) => number {
  let s = seed >>> 0;
  return (lo, hi) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + (s % (hi - lo + 1));
  };
}

const ORT_TYPES: Partial<Record<DType, ort.Tensor.Type>> = { float32: 'float32', uint8: 'uint8', int8: 'int8', int32: 'int32', int16: 'int16', uint16: 'uint16' };

async function runOrt(opType: string, inputs: (Tensor | undefined)[], expected: Tensor, attrs: Record<string, Attr> = {}, opset = 21): Promise<number[]> {
  const model = oneNodeModel(opType, inputs, { dtype: expected.dtype, shape: expected.shape }, attrs, opset);
  const session = await ort.InferenceSession.create(model);
  const x = inputs[0]!;
  const feeds = { in0: new ort.Tensor(ORT_TYPES[x.dtype]!, x.data as never, x.shape as number[]) };
  const result = await session.run(feeds);
  const out = result.out;
  expect(out.dims).toEqual(expected.shape);
  await session.release();
  return Array.from(out.data as ArrayLike<number>);
}

/** Random uint8 in [0, 255], or int8 in [−span, span − 1] (default the full range). */
function rand(dtype: 'uint8' | 'int8', shape: number[], rnd: (lo: number, hi: number) => number, span = 128): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.from(dtype, shape, Array.from({ length: n }, () => (dtype === 'uint8' ? rnd(0, 255) : rnd(-span, span - 1))));
}

/** The bound that keeps onnxruntime's int16 pair sums exact: 2 · max|u8| · max|s8| ≤ 32,767. */
function expectNoSaturation(u8: Tensor, s8: Tensor): void {
  const maxU = Math.max(...(u8.toArray() as number[]).map(Math.abs));
  const maxS = Math.max(...(s8.toArray() as number[]).map(Math.abs));
  expect(2 * maxU * maxS).toBeLessThanOrEqual(32767);
}

/**
 * ONNX ConvInteger written plainly: NCHW, int32 sums of (x − xz)(w − wz[m]) over the window, explicit pads
 * [top, left, bottom, right]; out-of-range taps read the zero point (contribute 0).
 */
function refConvInteger(x: Tensor, w: Tensor, xz: number, wz: number[], a: { group: number; strides: number[]; dilations: number[]; pads: number[] }): { shape: number[]; acc: number[] } {
  const [n, c, h, wd] = x.shape;
  const [m, cg, kh, kw] = w.shape;
  const xv = x.toArray() as number[];
  const wv = w.toArray() as number[];
  const [sh, sw] = a.strides;
  const [dh, dw] = a.dilations;
  const oh = Math.floor((h + a.pads[0] + a.pads[2] - dh * (kh - 1) - 1) / sh) + 1;
  const ow = Math.floor((wd + a.pads[1] + a.pads[3] - dw * (kw - 1) - 1) / sw) + 1;
  const acc: number[] = [];
  const mPerGroup = m / a.group;
  for (let b = 0; b < n; b++)
    for (let oc = 0; oc < m; oc++)
      for (let y = 0; y < oh; y++)
        for (let xo = 0; xo < ow; xo++) {
          let s = 0;
          const g = Math.floor(oc / mPerGroup);
          for (let ic = 0; ic < cg; ic++)
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const iy = y * sh - a.pads[0] + i * dh;
                const ix = xo * sw - a.pads[1] + j * dw;
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                const xi = xv[((b * c + g * cg + ic) * h + iy) * wd + ix];
                s += (xi - xz) * (wv[((oc * cg + ic) * kh + i) * kw + j] - wz[wz.length === 1 ? 0 : oc]);
              }
          acc.push(s);
        }
  return { shape: [n, m, oh, ow], acc };
}

/** ONNX MatMulInteger with numpy broadcasting of the batch dims, written plainly. */
function refMatMulInteger(a: Tensor, b: Tensor, za: number, zb: number): number[] {
  const [m, k] = a.shape.slice(-2);
  const nn = b.shape[b.rank - 1];
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const rank = Math.max(batchA.length, batchB.length);
  const padA = [...new Array(rank - batchA.length).fill(1), ...batchA];
  const padB = [...new Array(rank - batchB.length).fill(1), ...batchB];
  const batch = padA.map((d, i) => Math.max(d, padB[i]));
  const av = a.toArray() as number[];
  const bv = b.toArray() as number[];
  const out: number[] = [];
  const total = batch.reduce((p, d) => p * d, 1);
  for (let t = 0; t < total; t++) {
    let rem = t;
    let offA = 0;
    let offB = 0;
    let strideA = 1;
    let strideB = 1;
    for (let i = rank - 1; i >= 0; i--) {
      const idx = rem % batch[i];
      rem = Math.floor(rem / batch[i]);
      offA += (padA[i] === 1 ? 0 : idx) * strideA;
      offB += (padB[i] === 1 ? 0 : idx) * strideB;
      strideA *= padA[i];
      strideB *= padB[i];
    }
    for (let r = 0; r < m; r++)
      for (let col = 0; col < nn; col++) {
        let s = 0;
        for (let q = 0; q < k; q++) s += (av[offA * m * k + r * k + q] - za) * (bv[offB * k * nn + q * nn + col] - zb);
        out.push(s);
      }
  }
  return out;
}

/** round half to even, as ONNX requantization does. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

describe('integer kernels against exact arithmetic (every CPU) and onnxruntime-node (non-saturating data only)', () => {
  it('QLinearConv: per-channel int8 weights, depthwise, strides, dilations, SAME_UPPER, bias', async () => {
    const configs: { c: number; m: number; group: number; attrs: k.ConvAttributes; pads: number[] }[] = [
      { c: 8, m: 8, group: 8, attrs: { pads: [1, 1, 1, 1] }, pads: [1, 1, 1, 1] },
      { c: 6, m: 9, group: 3, attrs: { strides: [2, 1], dilations: [1, 2], pads: [0, 2, 1, 1] }, pads: [0, 2, 1, 1] },
      // SAME_UPPER, stride 2 on 9×8 with a 3×3 kernel: out 5×4, total pad 2 (rows) and 1 (cols), the extra at the end.
      { c: 4, m: 5, group: 1, attrs: { autoPad: 'SAME_UPPER', strides: [2, 2] }, pads: [1, 0, 1, 1] },
    ];
    let seed = 1;
    for (const cfg of configs) {
      const rnd = lcg(seed++);
      const x = rand('uint8', [2, cfg.c, 9, 8], rnd);
      const strides = cfg.attrs.strides ?? [1, 1];
      const dilations = cfg.attrs.dilations ?? [1, 1];
      for (const span of [128, 64]) {
        const w = rand('int8', [cfg.m, cfg.c / cfg.group, 3, 3], rnd, span);
        const xs = Tensor.scalar('float32', 0.02);
        const xz = Tensor.scalar('uint8', 120);
        const wsv = Array.from({ length: cfg.m }, () => rnd(1, 100) / 4000);
        const ws = Tensor.from('float32', [cfg.m], wsv);
        const wz = Tensor.from('int8', [cfg.m], new Array(cfg.m).fill(0));
        const ys = Tensor.scalar('float32', 0.05);
        const yz = Tensor.scalar('uint8', 128);
        const biasv = Array.from({ length: cfg.m }, () => rnd(0, 2000) - 1000);
        const bias = Tensor.from('int32', [cfg.m], biasv);
        const ref = refConvInteger(x, w, 120, [0], { group: cfg.group, strides, dilations, pads: cfg.pads });
        // The int32 accumulator is exact.
        const acc = k.convInteger(x, w, xz, wz, { ...cfg.attrs, group: cfg.group });
        expect(acc.shape).toEqual(ref.shape);
        expect(acc.toArray()).toEqual(ref.acc);
        // Requantized: within one step of the float64 formula, and equal to it except at near-ties.
        const ours = k.qlinearConv(x, xs, xz, w, ws, wz, ys, yz, bias, { ...cfg.attrs, group: cfg.group });
        const plane = ref.shape[2] * ref.shape[3];
        const exactRef = ref.acc.map((v, i) => {
          const oc = Math.floor(i / plane) % cfg.m;
          return Math.max(0, Math.min(255, roundHalfEven(((v + biasv[oc]) * 0.02 * wsv[oc]) / 0.05) + 128));
        });
        const a = ours.toArray() as number[];
        let exact = 0;
        a.forEach((v, i) => {
          expect(Math.abs(v - exactRef[i])).toBeLessThanOrEqual(1);
          if (v === exactRef[i]) exact++;
        });
        expect(exact / a.length).toBeGreaterThan(0.99);
        if (span !== 64) continue;
        // onnxruntime as a second oracle on weights within ±64 (cannot saturate, asserted).
        expectNoSaturation(x, w);
        const attrs: Record<string, Attr> = { group: cfg.group, kernel_shape: [3, 3] };
        if (cfg.attrs.pads) attrs.pads = cfg.attrs.pads;
        if (cfg.attrs.strides) attrs.strides = cfg.attrs.strides;
        if (cfg.attrs.dilations) attrs.dilations = cfg.attrs.dilations;
        if (cfg.attrs.autoPad) attrs.auto_pad = cfg.attrs.autoPad;
        const theirs = await runOrt('QLinearConv', [x, xs, xz, w, ws, wz, ys, yz, bias], ours, attrs);
        let same = 0;
        a.forEach((v, i) => {
          expect(Math.abs(v - theirs[i])).toBeLessThanOrEqual(1);
          if (v === theirs[i]) same++;
        });
        expect(same / a.length).toBeGreaterThan(0.99);
      }
    }
  });

  it('ConvInteger u8 × s8 with per-tensor zero points: exact', async () => {
    const rnd = lcg(99);
    const x = rand('uint8', [1, 4, 7, 6], rnd);
    const attrs = { group: 2, strides: [1, 2], dilations: [2, 1], pads: [1, 0, 0, 1] };
    for (const span of [128, 64]) {
      const w = rand('int8', [6, 2, 2, 3], rnd, span);
      const xz = Tensor.scalar('uint8', 17);
      const wz = Tensor.scalar('int8', -3);
      const ours = k.convInteger(x, w, xz, wz, attrs);
      const ref = refConvInteger(x, w, 17, [-3], attrs);
      expect(ours.shape).toEqual(ref.shape);
      expect(ours.toArray()).toEqual(ref.acc);
      if (span !== 64) continue;
      expectNoSaturation(x, w);
      expect(ours.toArray()).toEqual(await runOrt('ConvInteger', [x, w, xz, wz], ours, { ...attrs, kernel_shape: [2, 3] }, 10));
    }
  });

  it('MatMulInteger batched with broadcasting, u8 × s8 and s8 × u8: exact', async () => {
    const rnd = lcg(5);
    for (const [da, db] of [['uint8', 'int8'], ['int8', 'uint8']] as const) {
      for (const span of [128, 64]) {
        const a = rand(da, [3, 1, 5, 7], rnd, span);
        const b = rand(db, [2, 7, 4], rnd, span);
        const zav = da === 'uint8' ? 200 : -7;
        const zbv = db === 'uint8' ? 3 : 5;
        const ours = k.matMulInteger(a, b, Tensor.scalar(da, zav), Tensor.scalar(db, zbv));
        expect(ours.shape).toEqual([3, 2, 5, 4]);
        expect(ours.toArray()).toEqual(refMatMulInteger(a, b, zav, zbv));
        if (span !== 64) continue;
        if (da === 'uint8') expectNoSaturation(a, b);
        else expectNoSaturation(b, a);
        expect(ours.toArray()).toEqual(await runOrt('MatMulInteger', [a, b, Tensor.scalar(da, zav), Tensor.scalar(db, zbv)], ours, {}, 10));
      }
    }
  });

  it('QuantizeLinear / DequantizeLinear blocked (opset 21) and int16: exact', async () => {
    const rnd = lcg(11);
    const x = Tensor.from('float32', [3, 10], Array.from({ length: 30 }, () => (rnd(0, 20000) - 10000) / 137));
    const sv = Array.from({ length: 9 }, () => rnd(1, 100) / 50);
    const zv = Array.from({ length: 9 }, () => rnd(-5, 5));
    const s = Tensor.from('float32', [3, 3], sv);
    const z = Tensor.from('int8', [3, 3], zv);
    const q = k.quantizeLinear(x, s, z, { axis: 1, blockSize: 4 });
    // Plain: block j of row r uses s[r, floor(j / 4)]; the division is float32 as ONNX specifies.
    const xv = x.toArray() as number[];
    const qRef = xv.map((v, i) => {
      const g = Math.floor(i / 10) * 3 + Math.floor((i % 10) / 4);
      return Math.max(-128, Math.min(127, roundHalfEven(Math.fround(v / Math.fround(sv[g]))) + zv[g]));
    });
    expect(q.toArray()).toEqual(qRef);
    expect(q.toArray()).toEqual(await runOrt('QuantizeLinear', [x, s, z], q, { axis: 1, block_size: 4 }));
    const dq = k.dequantizeLinear(q, s, z, { axis: 1, blockSize: 4 });
    expect(dq.toArray()).toEqual(qRef.map((v, i) => {
      const g = Math.floor(i / 10) * 3 + Math.floor((i % 10) / 4);
      return Math.fround((v - zv[g]) * Math.fround(sv[g]));
    }));
    expect(dq.toArray()).toEqual(await runOrt('DequantizeLinear', [q, s, z], dq, { axis: 1, block_size: 4 }));
    const s16 = Tensor.scalar('float32', 0.001);
    const z16 = Tensor.scalar('int16', -200);
    const q16 = k.quantizeLinear(x, s16, z16);
    expect(q16.toArray()).toEqual(xv.map((v) => Math.max(-32768, Math.min(32767, roundHalfEven(Math.fround(v / Math.fround(0.001))) - 200))));
    expect(q16.toArray()).toEqual(await runOrt('QuantizeLinear', [x, s16, z16], q16));
  });

  it('DynamicQuantizeLinear: exact', async () => {
    const rnd = lcg(23);
    const x = Tensor.from('float32', [4, 33], Array.from({ length: 132 }, () => (rnd(0, 20000) - 7000) / 311));
    const [y, scale, zp] = k.dynamicQuantizeLinear(x);
    // ONNX: scale = (max(0, max x) − min(0, min x)) / 255 in float32, zp = saturate(round(0 − min / scale)).
    const xv = x.toArray() as number[];
    const lo = Math.min(0, ...xv);
    const hi = Math.max(0, ...xv);
    const sRef = Math.fround(Math.fround(hi - lo) / 255);
    const zRef = Math.max(0, Math.min(255, roundHalfEven(Math.fround(-lo / sRef))));
    expect(scale.toArray()).toEqual([sRef]);
    expect(zp.toArray()).toEqual([zRef]);
    expect(y.toArray()).toEqual(xv.map((v) => Math.max(0, Math.min(255, roundHalfEven(Math.fround(v / sRef)) + zRef))));
    const model = oneNodeModel('DynamicQuantizeLinear', [x], { dtype: 'uint8', shape: x.shape }, {}, 11, [
      { dtype: 'float32', shape: [] },
      { dtype: 'uint8', shape: [] },
    ]);
    const session = await ort.InferenceSession.create(model);
    const out = await session.run({ in0: new ort.Tensor('float32', x.data as Float32Array, [4, 33]) });
    expect(Array.from(out.out.data as Uint8Array)).toEqual(y.toArray());
    expect(Array.from(out.out1.data as Float32Array)).toEqual(scale.toArray());
    expect(Array.from(out.out2.data as Uint8Array)).toEqual(zp.toArray());
    await session.release();
  });
});
