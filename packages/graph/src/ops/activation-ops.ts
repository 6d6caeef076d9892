// Activations missing from unary-ops.ts: Celu, Shrink, Swish, ThresholdedRelu.
import { DTypeError, isPackedDType, type Tensor } from '@qint/tensor';
import { onnxOp } from './define-op';
import { sameAs } from './infer-helpers';
import type { OpDefinition } from './op-definition';
import { fromNumbers, need } from './tensor-utils';
import { mapFloat } from './unary-ops';

/** Shrink takes any numeric type: floats through {@link mapFloat}, integers through numbers (then wrapped to the dtype). */
function mapAny(x: Tensor, f: (v: number) => number, what: string): Tensor {
  if (x.dtype === 'float32' || x.dtype === 'float16' || x.dtype === 'float64') return mapFloat(x, f, what);
  if (x.dtype === 'bool' || isPackedDType(x.dtype)) throw new DTypeError(`${what}: ${x.dtype} inputs are not supported`);
  const v = x.values();
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = f(v[i]);
  return fromNumbers(x.dtype, x.shape, out);
}

/** Celu (12), Shrink (9), Swish (24), ThresholdedRelu (10). */
export const activationOps: readonly OpDefinition[] = [
  onnxOp(
    'Celu',
    12,
    (ctx) => {
      const alpha = ctx.attrs.float('alpha', 1);
      if (alpha === 0) ctx.attrs.fail('attribute "alpha" must not be 0');
      return (inputs) => [mapFloat(need(inputs, 0, 'X'), (x) => Math.max(0, x) + Math.min(0, alpha * Math.expm1(x / alpha)), 'Celu')];
    },
    sameAs(0),
  ),
  onnxOp(
    'Shrink',
    9,
    (ctx) => {
      const lambd = ctx.attrs.float('lambd', 0.5);
      const bias = ctx.attrs.float('bias', 0);
      return (inputs) => [mapAny(need(inputs, 0, 'input'), (x) => (x < -lambd ? x + bias : x > lambd ? x - bias : 0), 'Shrink')];
    },
    sameAs(0),
  ),
  onnxOp(
    'Swish',
    24,
    (ctx) => {
      const alpha = ctx.attrs.float('alpha', 1);
      return (inputs) => [mapFloat(need(inputs, 0, 'X'), (x) => x / (1 + Math.exp(-alpha * x)), 'Swish')];
    },
    sameAs(0),
  ),
  onnxOp(
    'ThresholdedRelu',
    10,
    (ctx) => {
      const alpha = ctx.attrs.float('alpha', 1);
      return (inputs) => [mapFloat(need(inputs, 0, 'X'), (x) => (x > alpha ? x : 0), 'ThresholdedRelu')];
    },
    sameAs(0),
  ),
];
