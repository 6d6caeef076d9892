// Runs the op functions of @qint/kernels on the ONNX backend node test cases (the inputs, attributes and expected
// outputs come from the ONNX files). The full model-level runner lives in @qint/onnx; this checks that each op
// function, called directly, gives exactly ONNX's numbers on every backend given.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Tensor, QuantDType } from '@qint/tensor';
import * as k from '../src/index';
import { loadNodeCase, ONNX_NODE_DIR, type OnnxNodeCase } from './onnx-case';

const ONNX_TYPE_NAMES: Record<number, QuantDType> = { 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 21: 'uint4', 22: 'int4', 25: 'uint2', 26: 'int2' };

/** Cases whose element types qint has no dtype for. */
const SKIPPED: Record<string, string> = {
  test_dequantizelinear_e4m3fn: 'float8 e4m3fn input: no float8 dtype in qint',
  test_dequantizelinear_e4m3fn_float16: 'float8 e4m3fn input: no float8 dtype in qint',
  test_dequantizelinear_e4m3fn_zero_point: 'float8 e4m3fn input: no float8 dtype in qint',
  test_dequantizelinear_e5m2: 'float8 e5m2 input: no float8 dtype in qint',
  test_dequantizelinear_float4e2m1: 'float4 e2m1 input: no float4 dtype in qint',
  test_quantizelinear_e4m3fn: 'float8 e4m3fn output: no float8 dtype in qint',
  test_quantizelinear_e5m2: 'float8 e5m2 output: no float8 dtype in qint',
  test_quantizelinear_float4e2m1: 'float4 e2m1 output: no float4 dtype in qint',
};

type Runner = (c: OnnxNodeCase, inputs: (Tensor | undefined)[], opts: k.OpOptions) => Tensor[] | undefined;

const num = (c: OnnxNodeCase, name: string): number | undefined => c.attributes[name] as number | undefined;
const ints = (c: OnnxNodeCase, name: string): number[] | undefined => c.attributes[name] as number[] | undefined;

export const RUNNERS: Record<string, Runner> = {
  QuantizeLinear: (c, [x, s, z], opts) => [
    k.quantizeLinear(x!, s!, z, {
      ...opts,
      axis: num(c, 'axis'),
      blockSize: num(c, 'block_size'),
      outputDtype: num(c, 'output_dtype') ? ONNX_TYPE_NAMES[num(c, 'output_dtype')!] : undefined,
    }),
  ],
  DequantizeLinear: (c, [x, s, z], opts) => [k.dequantizeLinear(x!, s!, z, { ...opts, axis: num(c, 'axis'), blockSize: num(c, 'block_size') })],
  MatMulInteger: (_c, [a, b, za, zb], opts) => [k.matMulInteger(a!, b!, za, zb, opts)],
  DynamicQuantizeLinear: (_c, [x], opts) => k.dynamicQuantizeLinear(x!, opts),
  QLinearMatMul: (_c, [a, as, az, b, bs, bz, ys, yz], opts) => [k.qlinearMatMul(a!, as!, az, b!, bs!, bz, ys!, yz, opts)],
  ConvInteger: (c, [x, w, xz, wz], opts) => [k.convInteger(x!, w!, xz, wz, { ...opts, ...convAttrs(c) })],
  QLinearConv: (c, [x, xs, xz, w, ws, wz, ys, yz, b], opts) => [k.qlinearConv(x!, xs!, xz, w!, ws!, wz, ys!, yz, b, { ...opts, ...convAttrs(c) })],
  Conv: (c, [x, w, b], opts) => [k.conv(x!, w!, b, { ...opts, ...convAttrs(c) })],
  Gemm: (c, [a, b, cc], opts) =>
    [k.gemm(a!, b!, cc, { ...opts, alpha: num(c, 'alpha'), beta: num(c, 'beta'), transA: num(c, 'transA'), transB: num(c, 'transB') })],
  MatMul: (_c, [a, b], opts) => [k.matMul(a!, b!, opts)],
};

function convAttrs(c: OnnxNodeCase): k.ConvAttributes {
  return {
    autoPad: c.attributes.auto_pad as k.ConvAttributes['autoPad'],
    dilations: ints(c, 'dilations'),
    group: num(c, 'group'),
    kernelShape: ints(c, 'kernel_shape'),
    pads: ints(c, 'pads'),
    strides: ints(c, 'strides'),
  };
}

function expectSame(actual: Tensor, expected: Tensor, float: boolean): void {
  expect(actual.dtype).toBe(expected.dtype);
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.toArray();
  const e = expected.toArray();
  if (!float) {
    expect(a).toEqual(e);
    return;
  }
  // Float ops (Gemm, MatMul, Conv): ONNX's reference is numpy float32 with its own summation order.
  for (let i = 0; i < e.length; i++) expect(Math.abs(a[i] - e[i])).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(e[i]));
}

const cases = readdirSync(ONNX_NODE_DIR)
  .map((d) => loadNodeCase(`${ONNX_NODE_DIR}/${d}`))
  .filter((c) => RUNNERS[c.opType]);

const backends: [string, k.KernelBackend][] = [['js', k.createJsBackend()]];

describe.each(backends)('ONNX node cases on the %s backend', (_name, backend) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    if (SKIPPED[name]) {
      expect(c.inputs.some((t) => t && !t.tensor) || c.outputs.some((t) => !t.tensor)).toBe(true);
      return;
    }
    const inputs = c.inputs.map((t) => t?.tensor);
    const outputs = RUNNERS[c.opType](c, inputs, { backend })!;
    expect(outputs.length).toBe(c.outputs.length);
    const float = ['Gemm', 'MatMul', 'Conv'].includes(c.opType);
    outputs.forEach((o, i) => expectSame(o, c.outputs[i].tensor!, float));
  });
});
