// com.microsoft elementwise ops of optimized transformer exports: Gelu (erf), BiasGelu (A + bias, then Gelu),
// FastGelu (tanh approximation, optional bias), QuickGelu (x · sigmoid(alpha · x)) and BiasAdd (X + bias + skip).
// Computed in double precision per element, rounded once to float32 (float16 in and out computed in float32).
import { erf } from '@qint/kernels';
import { ShapeError, type Tensor } from '@qint/tensor';
import { msOp } from './define-op';
import type { InferredValue, OpBuildContext, OpDefinition } from './op-definition';
import { fromFloats, need, readFloat16or32 } from './tensor-utils';

const floats = readFloat16or32;

/** `x + bias` with bias broadcast over the last dim (its length must equal the last dim of x). */
function withBias(x: Tensor, bias: Tensor | undefined, what: string): Float32Array {
  const xd = floats(x, 'X');
  if (!bias) return xd;
  const n = x.shape[x.rank - 1];
  if (bias.size !== n || bias.rank !== 1) throw new ShapeError(`${what} must be 1-D with ${n} values (the last dim of the input), got [${bias.shape.join(', ')}]`);
  const b = floats(bias, what);
  const out = new Float32Array(xd.length);
  for (let i = 0; i < xd.length; i++) out[i] = xd[i] + b[i % n];
  return out;
}

function map(x: Tensor, src: Float32Array, fn: (v: number) => number): Tensor {
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = fn(src[i]);
  return fromFloats(x.dtype, x.shape, out);
}

const gelu = (v: number): number => 0.5 * v * (1 + erf(v * Math.SQRT1_2));
const SQRT_2_OVER_PI = 0.7978845608028654;
const fastGelu = (v: number): number => 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));

const same = (_ctx: OpBuildContext, inputs: readonly (InferredValue | undefined)[]): InferredValue[] => [{ dtype: inputs[0]?.dtype, ...(inputs[0]?.shape ? { shape: inputs[0].shape } : {}) }];

/** BiasAdd: `X [N, S, C] + bias [C] + skip [N, S, C]`. */
function biasAdd(inputs: readonly (Tensor | undefined)[]): Tensor {
  const x = need(inputs, 0, 'X');
  const skip = need(inputs, 2, 'skip');
  if (x.rank !== 3) throw new ShapeError(`X must be 3-D [N, S, C], got [${x.shape.join(', ')}]`);
  if (skip.shape.join() !== x.shape.join()) throw new ShapeError(`skip [${skip.shape.join(', ')}] must have X's shape [${x.shape.join(', ')}]`);
  const xb = withBias(x, need(inputs, 1, 'bias'), 'bias');
  const s = floats(skip, 'skip');
  const out = new Float32Array(xb.length);
  for (let i = 0; i < xb.length; i++) out[i] = xb[i] + s[i];
  return fromFloats(x.dtype, x.shape, out);
}

/** The com.microsoft activation ops. */
export const msActivationOps: readonly OpDefinition[] = [
  msOp('Gelu', 1, () => (inputs) => { const x = need(inputs, 0, 'X'); return [map(x, floats(x, 'X'), gelu)]; }, same),
  msOp('BiasGelu', 1, () => (inputs) => { const x = need(inputs, 0, 'A'); return [map(x, withBias(x, need(inputs, 1, 'B'), 'B'), gelu)]; }, same),
  msOp('FastGelu', 1, () => (inputs) => { const x = need(inputs, 0, 'X'); return [map(x, withBias(x, inputs[1], 'bias'), fastGelu)]; }, same),
  msOp(
    'QuickGelu',
    1,
    (ctx) => {
      const alpha = ctx.attrs.float('alpha', 1.702);
      return (inputs) => { const x = need(inputs, 0, 'X'); return [map(x, floats(x, 'X'), (v) => v / (1 + Math.exp(-alpha * v)))]; };
    },
    same,
  ),
  msOp('BiasAdd', 1, () => (inputs) => [biasAdd(inputs)], same),
];
