// onnxruntime-node as an independent oracle (dev-only) for the cases the ONNX node tests do not cover: per-channel
// and depthwise QLinearConv, ConvInteger with int8 weights, strides/dilations/auto_pad, batched MatMulInteger,
// blocked and sub-byte (De)QuantizeLinear.
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

function rand(dtype: 'uint8' | 'int8', shape: number[], rnd: (lo: number, hi: number) => number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.from(dtype, shape, Array.from({ length: n }, () => (dtype === 'uint8' ? rnd(0, 255) : rnd(-128, 127))));
}

describe('onnxruntime-node oracle', () => {
  it('QLinearConv: per-channel int8 weights, depthwise, strides, dilations, SAME_UPPER, bias (≤ 1 step at float ties, mostly exact)', async () => {
    const configs: { c: number; m: number; group: number; attrs: k.ConvAttributes }[] = [
      { c: 8, m: 8, group: 8, attrs: { pads: [1, 1, 1, 1] } },
      { c: 6, m: 9, group: 3, attrs: { strides: [2, 1], dilations: [1, 2], pads: [0, 2, 1, 1] } },
      { c: 4, m: 5, group: 1, attrs: { autoPad: 'SAME_UPPER', strides: [2, 2] } },
    ];
    let seed = 1;
    for (const cfg of configs) {
      const rnd = lcg(seed++);
      const x = rand('uint8', [2, cfg.c, 9, 8], rnd);
      const w = rand('int8', [cfg.m, cfg.c / cfg.group, 3, 3], rnd);
      const xs = Tensor.scalar('float32', 0.02);
      const xz = Tensor.scalar('uint8', 120);
      const ws = Tensor.from('float32', [cfg.m], Array.from({ length: cfg.m }, () => rnd(1, 100) / 4000));
      const wz = Tensor.from('int8', [cfg.m], new Array(cfg.m).fill(0));
      const ys = Tensor.scalar('float32', 0.05);
      const yz = Tensor.scalar('uint8', 128);
      const bias = Tensor.from('int32', [cfg.m], Array.from({ length: cfg.m }, () => rnd(0, 2000) - 1000));
      const ours = k.qlinearConv(x, xs, xz, w, ws, wz, ys, yz, bias, { ...cfg.attrs, group: cfg.group });
      const attrs: Record<string, Attr> = { group: cfg.group, kernel_shape: [3, 3] };
      if (cfg.attrs.pads) attrs.pads = cfg.attrs.pads;
      if (cfg.attrs.strides) attrs.strides = cfg.attrs.strides;
      if (cfg.attrs.dilations) attrs.dilations = cfg.attrs.dilations;
      if (cfg.attrs.autoPad) attrs.auto_pad = cfg.attrs.autoPad;
      const theirs = await runOrt('QLinearConv', [x, xs, xz, w, ws, wz, ys, yz, bias], ours, attrs);
      const a = ours.toArray();
      let exact = 0;
      a.forEach((v, i) => {
        expect(Math.abs(v - theirs[i])).toBeLessThanOrEqual(1);
        if (v === theirs[i]) exact++;
      });
      expect(exact / a.length).toBeGreaterThan(0.99);
    }
  });

  it('ConvInteger u8 × s8 with per-tensor zero points: exact', async () => {
    const rnd = lcg(99);
    const x = rand('uint8', [1, 4, 7, 6], rnd);
    const w = rand('int8', [6, 2, 2, 3], rnd);
    const xz = Tensor.scalar('uint8', 17);
    const wz = Tensor.scalar('int8', -3);
    const attrs = { group: 2, strides: [1, 2], dilations: [2, 1], pads: [1, 0, 0, 1] };
    const ours = k.convInteger(x, w, xz, wz, attrs);
    const theirs = await runOrt('ConvInteger', [x, w, xz, wz], ours, { ...attrs, kernel_shape: [2, 3] }, 10);
    expect(ours.toArray()).toEqual(theirs);
  });

  it('MatMulInteger batched with broadcasting, u8 × s8 and s8 × u8: exact', async () => {
    const rnd = lcg(5);
    for (const [da, db] of [['uint8', 'int8'], ['int8', 'uint8']] as const) {
      const a = rand(da, [3, 1, 5, 7], rnd);
      const b = rand(db, [2, 7, 4], rnd);
      const za = Tensor.scalar(da, da === 'uint8' ? 200 : -7);
      const zb = Tensor.scalar(db, db === 'uint8' ? 3 : 5);
      const ours = k.matMulInteger(a, b, za, zb);
      expect(ours.shape).toEqual([3, 2, 5, 4]);
      expect(ours.toArray()).toEqual(await runOrt('MatMulInteger', [a, b, za, zb], ours, {}, 10));
    }
  });

  it('QuantizeLinear / DequantizeLinear blocked (opset 21) and int16: exact', async () => {
    const rnd = lcg(11);
    const x = Tensor.from('float32', [3, 10], Array.from({ length: 30 }, () => (rnd(0, 20000) - 10000) / 137));
    const s = Tensor.from('float32', [3, 3], Array.from({ length: 9 }, () => rnd(1, 100) / 50));
    const z = Tensor.from('int8', [3, 3], Array.from({ length: 9 }, () => rnd(-5, 5)));
    const q = k.quantizeLinear(x, s, z, { axis: 1, blockSize: 4 });
    expect(q.toArray()).toEqual(await runOrt('QuantizeLinear', [x, s, z], q, { axis: 1, block_size: 4 }));
    const dq = k.dequantizeLinear(q, s, z, { axis: 1, blockSize: 4 });
    expect(dq.toArray()).toEqual(await runOrt('DequantizeLinear', [q, s, z], dq, { axis: 1, block_size: 4 }));
    const s16 = Tensor.scalar('float32', 0.001);
    const z16 = Tensor.scalar('int16', -200);
    const q16 = k.quantizeLinear(x, s16, z16);
    expect(q16.toArray()).toEqual(await runOrt('QuantizeLinear', [x, s16, z16], q16));
  });

  it('DynamicQuantizeLinear: exact', async () => {
    const rnd = lcg(23);
    const x = Tensor.from('float32', [4, 33], Array.from({ length: 132 }, () => (rnd(0, 20000) - 7000) / 311));
    const [y, scale, zp] = k.dynamicQuantizeLinear(x);
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
