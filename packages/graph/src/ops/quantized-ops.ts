// The ONNX quantization ops, dispatched to @qint/kernels: QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear,
// MatMulInteger, QLinearMatMul, ConvInteger, QLinearConv.
import {
  convInteger,
  dequantizeLinear,
  dynamicQuantizeLinear,
  matMulInteger,
  qlinearConv,
  qlinearMatMul,
  quantizeLinear,
} from '@qint/kernels';
import { DTypeError, isQuantDType, type DType, type MinifloatDType, type QuantDType } from '@qint/tensor';
import { onnxOp } from './define-op';
import { dequantizeMinifloat, isMinifloatQuant, quantizeToMinifloat } from './float8-quantize';
import { convAttributes, convInfer } from './linear-ops';
import type { OpDefinition, ShapeInferrer } from './op-definition';
import { dtypeFromOnnx, need } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';

const quantizeInfer: ShapeInferrer = (ctx, inputs) => {
  let dtype: DType | undefined = inputs[2]?.dtype;
  if (!dtype) {
    const code = ctx.attrs.int('output_dtype', 0);
    try {
      dtype = code ? dtypeFromOnnx(code, 'output_dtype') : 'uint8';
    } catch {
      dtype = undefined;
    }
  }
  return [{ dtype, shape: inputs[0]?.shape }];
};

/** All standard quantization op definitions. */
export const quantizedOps: readonly OpDefinition[] = [
  onnxOp(
    'QuantizeLinear',
    10,
    (ctx) => {
      const code = ctx.attrs.int('output_dtype', 0);
      let outputDtype: QuantDType | undefined;
      let minifloatOut: MinifloatDType | undefined;
      if (code !== 0) {
        let d: DType;
        try {
          d = dtypeFromOnnx(code, 'output_dtype');
        } catch (e) {
          throw new UnsupportedVariant(e instanceof Error ? e.message : String(e));
        }
        if (isMinifloatQuant(d)) minifloatOut = d;
        else if (!isQuantDType(d)) throw new UnsupportedVariant(`output_dtype ${d} is not a supported quantized type`);
        else outputDtype = d;
      }
      const saturate = ctx.attrs.int('saturate', 1) !== 0;
      const options = {
        axis: ctx.attrs.int('axis', 1),
        blockSize: ctx.attrs.int('block_size', 0),
        ...(outputDtype ? { outputDtype } : {}),
        ...(ctx.backend ? { backend: ctx.backend } : {}),
      };
      return (inputs) => {
        const zp = inputs[2];
        const to = zp && isMinifloatQuant(zp.dtype) ? zp.dtype : minifloatOut;
        if (to) return [quantizeToMinifloat(need(inputs, 0, 'x'), need(inputs, 1, 'y_scale'), zp, to, saturate, options)];
        if (!saturate) throw new DTypeError('QuantizeLinear: saturate = 0 applies to float8 outputs only');
        return [quantizeLinear(need(inputs, 0, 'x'), need(inputs, 1, 'y_scale'), zp, options)];
      };
    },
    quantizeInfer,
  ),
  onnxOp(
    'DequantizeLinear',
    10,
    (ctx) => {
      const options = { axis: ctx.attrs.int('axis', 1), blockSize: ctx.attrs.int('block_size', 0), ...(ctx.backend ? { backend: ctx.backend } : {}) };
      return (inputs) => {
        const x = need(inputs, 0, 'x');
        if (isMinifloatQuant(x.dtype)) return [dequantizeMinifloat(x, need(inputs, 1, 'x_scale'), inputs[2], options)];
        return [dequantizeLinear(x, need(inputs, 1, 'x_scale'), inputs[2], options)];
      };
    },
    (_ctx, inputs) => [{ dtype: inputs[1]?.dtype ?? 'float32', shape: inputs[0]?.shape }],
  ),
  onnxOp(
    'DynamicQuantizeLinear',
    11,
    () => (inputs) => dynamicQuantizeLinear(need(inputs, 0, 'x')),
    (_ctx, inputs) => [
      { dtype: 'uint8', shape: inputs[0]?.shape },
      { dtype: 'float32', shape: [] },
      { dtype: 'uint8', shape: [] },
    ],
  ),
  onnxOp(
    'MatMulInteger',
    10,
    (ctx) => {
      const opts = ctx.backend ? { backend: ctx.backend } : undefined;
      return (inputs) => [matMulInteger(need(inputs, 0, 'A'), need(inputs, 1, 'B'), inputs[2], inputs[3], opts)];
    },
    (_ctx, inputs) => {
      const r = linearShape(inputs[0]?.shape, inputs[1]?.shape);
      return [{ dtype: 'int32', shape: r }];
    },
  ),
  onnxOp(
    'QLinearMatMul',
    10,
    (ctx) => {
      const opts = ctx.backend ? { backend: ctx.backend } : undefined;
      return (inputs) => [
        qlinearMatMul(
          need(inputs, 0, 'a'),
          need(inputs, 1, 'a_scale'),
          inputs[2],
          need(inputs, 3, 'b'),
          need(inputs, 4, 'b_scale'),
          inputs[5],
          need(inputs, 6, 'y_scale'),
          inputs[7],
          opts,
        ),
      ];
    },
    (_ctx, inputs) => [{ dtype: inputs[7]?.dtype ?? inputs[0]?.dtype, shape: linearShape(inputs[0]?.shape, inputs[3]?.shape) }],
  ),
  onnxOp(
    'ConvInteger',
    10,
    (ctx) => {
      const options = { ...convAttributes(ctx), ...(ctx.backend ? { backend: ctx.backend } : {}) };
      return (inputs) => [convInteger(need(inputs, 0, 'x'), need(inputs, 1, 'w'), inputs[2], inputs[3], options)];
    },
    convInfer(0, 1, 'int32'),
  ),
  onnxOp(
    'QLinearConv',
    10,
    (ctx) => {
      const options = { ...convAttributes(ctx), ...(ctx.backend ? { backend: ctx.backend } : {}) };
      return (inputs) => [
        qlinearConv(
          need(inputs, 0, 'x'),
          need(inputs, 1, 'x_scale'),
          inputs[2],
          need(inputs, 3, 'w'),
          need(inputs, 4, 'w_scale'),
          inputs[5],
          need(inputs, 6, 'y_scale'),
          inputs[7],
          inputs[8],
          options,
        ),
      ];
    },
    (ctx, inputs) => {
      const r = convInfer(0, 3)(ctx, inputs)[0];
      return [{ dtype: inputs[7]?.dtype ?? inputs[0]?.dtype, shape: r?.shape }];
    },
  ),
];

/** NumPy matmul output shape of possibly symbolic operands (rank ≥ 2 each, or 1-D). */
export function linearShape(
  a: readonly (number | string | undefined)[] | undefined,
  b: readonly (number | string | undefined)[] | undefined,
): (number | string | undefined)[] | undefined {
  if (!a || !b) return undefined;
  const as = a.length === 1 ? [1, a[0]] : a;
  const bs = b.length === 1 ? [b[0], 1] : b;
  const ba = as.slice(0, -2);
  const bb = bs.slice(0, -2);
  const rank = Math.max(ba.length, bb.length);
  const out: (number | string | undefined)[] = [];
  for (let i = 0; i < rank; i++) {
    const da = ba[ba.length - rank + i] ?? 1;
    const db = bb[bb.length - rank + i] ?? 1;
    out.push(da === 1 ? db : db === 1 ? da : typeof da === 'number' ? da : db);
  }
  if (a.length > 1) out.push(as[as.length - 2]);
  if (b.length > 1) out.push(bs[bs.length - 1]);
  return out;
}
