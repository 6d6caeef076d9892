// Elementwise ops of one input: activations, math functions, Clip, Cast, Identity, Dropout.
import {
  DTypeError,
  Tensor,
  float16ToFloat32Array,
  float32ToFloat16Array,
  isPackedDType,
  type DType,
} from '@qint/tensor';
import { erf, roundHalfToEven } from '@qint/kernels';
import { castTensor } from './cast-op';
import { onnxOp } from './define-op';
import { sameAs, sameShapeAs } from './infer-helpers';
import type { OpBuildContext, OpDefinition, OpKernel } from './op-definition';
import { fromNumbers, need, readScalar } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';

type Fn = (x: number) => number;

/**
 * Maps a float tensor elementwise (float32 storage; float16 goes through float32; float64 in double precision).
 * @throws {@link DTypeError} for non-float inputs
 */
export function mapFloat(x: Tensor, f: Fn, what: string, loop?: (src: Float32Array, dst: Float32Array) => void): Tensor {
  if (x.dtype === 'float32') {
    const d = x.data as Float32Array;
    const out = new Float32Array(d.length);
    if (loop) loop(d, out);
    else for (let i = 0; i < d.length; i++) out[i] = f(d[i]);
    return Tensor.from('float32', x.shape, out);
  }
  if (x.dtype === 'float16') {
    const d = float16ToFloat32Array(x.data as Uint16Array);
    for (let i = 0; i < d.length; i++) d[i] = f(d[i]);
    return Tensor.from('float16', x.shape, float32ToFloat16Array(d));
  }
  if (x.dtype === 'float64') {
    // Double precision throughout: the functions compute in double, nothing is rounded to float32.
    const d = x.data as Float64Array;
    const out = new Float64Array(d.length);
    for (let i = 0; i < d.length; i++) out[i] = f(d[i]);
    return Tensor.from('float64', x.shape, out);
  }
  throw new DTypeError(`${what}: input must be float32, float16 or float64, got ${x.dtype}`);
}

/** Maps any numeric tensor elementwise, keeping its dtype (int64 through numbers; fine for the small shape tensors it sees). */
function mapNumeric(x: Tensor, f: Fn, what: string, loop?: (src: Float32Array, dst: Float32Array) => void): Tensor {
  if (x.dtype === 'float32' || x.dtype === 'float16' || x.dtype === 'float64') return mapFloat(x, f, what, loop);
  if (x.dtype === 'bool' || isPackedDType(x.dtype)) throw new DTypeError(`${what}: ${x.dtype} inputs are not supported`);
  const v = x.values();
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = f(v[i]);
  return fromNumbers(x.dtype, x.shape, out);
}

type Loop = (src: Float32Array, dst: Float32Array) => void;

function floatOp(opType: string, since: number, make: (ctx: OpBuildContext) => Fn, loop?: (ctx: OpBuildContext) => Loop | undefined): OpDefinition {
  return onnxOp(opType, since, (ctx) => {
    const f = make(ctx);
    const l = loop?.(ctx);
    return (inputs) => [mapFloat(need(inputs, 0, 'X'), f, opType, l)];
  }, sameAs(0));
}

function numericOp(opType: string, since: number, f: Fn, loop?: Loop): OpDefinition {
  return onnxOp(opType, since, () => (inputs) => [mapNumeric(need(inputs, 0, 'X'), f, opType, loop)], sameAs(0));
}

// Dedicated loops for the activations that run on whole feature maps: a shared loop calling `f` per element is
// megamorphic in V8 and ~5× slower.
const reluLoop: Loop = (s, d) => {
  for (let i = 0; i < s.length; i++) {
    const v = s[i];
    d[i] = v <= 0 ? 0 : v; // NaN stays NaN (IEEE, onnxruntime); −0 gives +0
  }
};
const leakyLoop =
  (alpha: number): Loop =>
  (s, d) => {
    for (let i = 0; i < s.length; i++) {
      const v = s[i];
      d[i] = v >= 0 ? v : alpha * v;
    }
  };
const sigmoidLoop: Loop = (s, d) => {
  for (let i = 0; i < s.length; i++) {
    const v = s[i];
    if (v >= 0) d[i] = 1 / (1 + Math.exp(-v));
    else {
      const e = Math.exp(v);
      d[i] = e / (1 + e);
    }
  }
};
const hardSwishLoop: Loop = (s, d) => {
  for (let i = 0; i < s.length; i++) {
    const v = s[i];
    const g = v / 6 + 0.5;
    d[i] = v * (g < 0 ? 0 : g > 1 ? 1 : g);
  }
};
const tanhLoop: Loop = (s, d) => {
  for (let i = 0; i < s.length; i++) d[i] = Math.tanh(s[i]);
};

const sigmoid: Fn = (x) => {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
};

const softplus: Fn = (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const SQRT1_2 = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

function gelu(approximate: string): Fn {
  if (approximate === 'tanh') return (x) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
  if (approximate !== 'none') throw new UnsupportedVariant(`approximate "${approximate}" is not one of "none", "tanh"`);
  return (x) => 0.5 * x * (1 + erf(x * SQRT1_2));
}

// Erf and exact Gelu run on whole hidden layers of transformers: give them their own loops, where V8 inlines erf.
const erfLoop: Loop = (s, d) => {
  for (let i = 0; i < s.length; i++) d[i] = erf(s[i]);
};
const geluErfLoop: Loop = (s, d) => {
  for (let i = 0; i < s.length; i++) {
    const x = s[i];
    d[i] = 0.5 * x * (1 + erf(x * SQRT1_2));
  }
};

/** Clip with bounds from attributes (opset < 11) or optional scalar inputs (opset ≥ 11). */
function clipKernel(ctx: OpBuildContext): OpKernel {
  const attrMin = ctx.opset < 11 ? ctx.attrs.float('min', -Infinity) : undefined;
  const attrMax = ctx.opset < 11 ? ctx.attrs.float('max', Infinity) : undefined;
  return (inputs) => {
    const x = need(inputs, 0, 'input');
    const lo = attrMin ?? (inputs[1] ? readScalar(inputs[1], 'Clip input min') : -Infinity);
    const hi = attrMax ?? (inputs[2] ? readScalar(inputs[2], 'Clip input max') : Infinity);
    if (x.dtype === 'float32') {
      const d = x.data as Float32Array;
      const out = new Float32Array(d.length);
      const l = Math.fround(lo);
      const h = Math.fround(hi);
      for (let i = 0; i < d.length; i++) {
        // max(x, min) then min(·, max): with min > max every element becomes max, as ONNX specifies.
        const v = d[i] < l ? l : d[i];
        out[i] = v > h ? h : v;
      }
      return [Tensor.from('float32', x.shape, out)];
    }
    return [mapNumeric(x, (v) => Math.min(v < lo ? lo : v, hi), 'Clip')];
  };
}

/** Cast with C-style conversions: floats to ints truncate toward zero, anything to bool is `x != 0` (see cast-op.ts). */
export function cast(x: Tensor, to: DType): Tensor {
  return castTensor(x, to);
}

function dropoutKernel(ctx: OpBuildContext): OpKernel {
  // Inference only: a constant training_mode = true (opset 12+) would need random masks.
  const training = ctx.opset >= 12 ? ctx.constant(2) : undefined;
  if (training && training.size === 1 && training.values()[0] !== 0) throw new UnsupportedVariant('training_mode = true is not supported (inference only)');
  if (ctx.opset < 7 && ctx.attrs.int('is_test', 0) === 0 && ctx.attrs.has('is_test')) throw new UnsupportedVariant('is_test = 0 (training) is not supported');
  return (inputs) => {
    const x = need(inputs, 0, 'data');
    const mask = Tensor.from('bool', x.shape, new Uint8Array(x.size).fill(1));
    return [x, mask];
  };
}

/** All one-input elementwise op definitions. */
export const unaryOps: readonly OpDefinition[] = [
  numericOp('Relu', 6, (x) => (x <= 0 ? 0 : x), reluLoop),
  floatOp(
    'LeakyRelu',
    6,
    (ctx) => {
      const alpha = ctx.attrs.float('alpha', 0.01);
      return (x) => (x >= 0 ? x : alpha * x);
    },
    (ctx) => leakyLoop(ctx.attrs.float('alpha', 0.01)),
  ),
  floatOp('Elu', 6, (ctx) => {
    const alpha = ctx.attrs.float('alpha', 1);
    return (x) => (x >= 0 ? x : alpha * (Math.exp(x) - 1));
  }),
  floatOp('Selu', 6, (ctx) => {
    const alpha = ctx.attrs.float('alpha', 1.67326319217681884765625);
    const gamma = ctx.attrs.float('gamma', 1.05070102214813232421875);
    return (x) => (x > 0 ? gamma * x : gamma * (alpha * Math.exp(x) - alpha));
  }),
  floatOp('Sigmoid', 6, () => sigmoid, () => sigmoidLoop),
  floatOp('HardSigmoid', 6, (ctx) => {
    const alpha = ctx.attrs.float('alpha', 0.2);
    const beta = ctx.attrs.float('beta', 0.5);
    return (x) => Math.max(0, Math.min(1, alpha * x + beta));
  }),
  floatOp('HardSwish', 14, () => (x) => x * Math.max(0, Math.min(1, x / 6 + 0.5)), () => hardSwishLoop),
  floatOp('Tanh', 6, () => Math.tanh, () => tanhLoop),
  floatOp('Erf', 9, () => erf, () => erfLoop),
  floatOp(
    'Gelu',
    20,
    (ctx) => gelu(ctx.attrs.string('approximate', 'none')),
    (ctx) => (ctx.attrs.string('approximate', 'none') === 'none' ? geluErfLoop : undefined),
  ),
  floatOp('Exp', 6, () => Math.exp),
  floatOp('Log', 6, () => Math.log),
  floatOp('Sqrt', 6, () => Math.sqrt),
  floatOp('Reciprocal', 6, () => (x) => 1 / x),
  floatOp('Floor', 6, () => Math.floor),
  floatOp('Ceil', 6, () => Math.ceil),
  floatOp('Round', 11, () => roundHalfToEven),
  floatOp('Sin', 7, () => Math.sin),
  floatOp('Cos', 7, () => Math.cos),
  floatOp('Softplus', 1, () => softplus),
  floatOp('Softsign', 1, () => (x) => x / (1 + Math.abs(x))),
  floatOp('Mish', 18, () => (x) => x * Math.tanh(softplus(x))),
  numericOp('Neg', 6, (x) => -x),
  numericOp('Abs', 6, Math.abs),
  numericOp('Sign', 9, (x) => (x > 0 ? 1 : x < 0 ? -1 : x === x ? 0 : NaN)), // Sign(NaN) = NaN, as onnxruntime
  onnxOp('IsNaN', 9, () => (inputs) => {
    const v = need(inputs, 0, 'X').values();
    const out = new Uint8Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = v[i] !== v[i] ? 1 : 0;
    return [Tensor.from('bool', inputs[0]!.shape, out)];
  }, sameShapeAs(0, 'bool')),
  onnxOp('Not', 1, () => (inputs) => {
    const x = need(inputs, 0, 'X');
    if (x.dtype !== 'bool') throw new DTypeError(`Not: input X must be bool, got ${x.dtype}`);
    const d = x.data as Uint8Array;
    const out = new Uint8Array(d.length);
    for (let i = 0; i < d.length; i++) out[i] = d[i] ? 0 : 1;
    return [Tensor.from('bool', x.shape, out)];
  }, sameAs(0)),
  onnxOp('Clip', 6, clipKernel, sameAs(0)),
  onnxOp('Clip', 11, clipKernel, sameAs(0)),
  onnxOp('Identity', 1, () => (inputs) => [need(inputs, 0, 'input')], sameAs(0)),
  onnxOp('Dropout', 1, dropoutKernel, (_ctx, inputs) => [
    inputs[0] ? { dtype: inputs[0].dtype, shape: inputs[0].shape } : undefined,
    { dtype: 'bool', shape: inputs[0]?.shape },
  ]),
];
