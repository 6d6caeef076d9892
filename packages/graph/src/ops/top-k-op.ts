// TopK (opsets 1, 10, 11): the k largest (or smallest) elements along an axis, with their int64 indices.
import { DTypeError, Tensor, ValueError, normalizeAxis } from '@qint/tensor';
import { onnxOp } from './define-op';
import type { OpBuildContext, OpDefinition } from './op-definition';
import { need, prod, readInts } from './tensor-utils';

/**
 * TopK along `axis`: values and indices, ordered from the most extreme; equal values keep the lower index first (the
 * ONNX rule). NaN counts as larger than every number, as in onnxruntime.
 *
 * @param x - the input
 * @param k - how many elements to keep (0 ≤ k ≤ dim)
 * @param axisAttr - the axis (negative counts from the end)
 * @param largest - largest (true) or smallest elements
 * @returns `[values, indices]`
 * @throws {@link ValueError} when k is negative or larger than the axis
 * @throws {@link DTypeError} for float16, bool and packed sub-byte inputs
 */
export function topK(x: Tensor, k: number, axisAttr: number, largest: boolean): [Tensor, Tensor] {
  if (x.dtype === 'float16' || x.dtype === 'bool' || x.dtype.length <= 5 && /4|2/.test(x.dtype)) {
    throw new DTypeError(`TopK: input X of dtype ${x.dtype} is not supported (numbers of 8 bits or more)`);
  }
  const axis = normalizeAxis(axisAttr, x.rank, 'axis');
  const dim = x.shape[axis];
  if (!Number.isInteger(k) || k < 0 || k > dim) throw new ValueError(`TopK: k = ${k} must be between 0 and the size of axis ${axis} (${dim})`);
  const outer = prod(x.shape, 0, axis);
  const inner = prod(x.shape, axis + 1);
  const v = x.data as ArrayLike<number | bigint>;
  const shape = x.shape.map((d, i) => (i === axis ? k : d));
  const values = Tensor.zeros(x.dtype, shape);
  const out = values.data as { [i: number]: number | bigint };
  const indices = new BigInt64Array(outer * k * inner);
  const order = new Array<number>(dim);
  const nan = (a: number | bigint): boolean => a !== a;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * dim * inner + i;
      for (let j = 0; j < dim; j++) order[j] = j;
      order.sort((p, q) => {
        const a = v[base + p * inner];
        const b = v[base + q * inner];
        if (a === b || (nan(a) && nan(b))) return p - q;
        const aFirst = nan(a) ? largest : nan(b) ? !largest : largest ? a > b : a < b;
        return aFirst ? -1 : 1;
      });
      for (let j = 0; j < k; j++) {
        const at = (o * k + j) * inner + i;
        out[at] = v[base + order[j] * inner];
        indices[at] = BigInt(order[j]);
      }
    }
  }
  return [values, Tensor.from('int64', shape, indices)];
}

function topKOp(since: 1 | 10 | 11): OpDefinition {
  const kOf = (ctx: OpBuildContext, inputs: readonly (Tensor | undefined)[]): number => {
    if (since === 1) return ctx.attrs.int('k') ?? ctx.attrs.fail('attribute "k" is required');
    const k = readInts(need(inputs, 1, 'K'), 'K');
    if (k.length !== 1) throw new ValueError(`TopK: input K must hold one value, got ${k.length}`);
    return k[0];
  };
  return onnxOp(
    'TopK',
    since,
    (ctx) => {
      const axis = ctx.attrs.int('axis', -1);
      const largest = since < 11 || ctx.attrs.int('largest', 1) === 1;
      return (inputs) => topK(need(inputs, 0, 'X'), kOf(ctx, inputs), axis, largest);
    },
    (ctx, inputs) => {
      const x = inputs[0];
      if (!x?.shape) return [{ dtype: x?.dtype }, { dtype: 'int64' }];
      const a = ctx.attrs.int('axis', -1);
      const axis = a < 0 ? a + x.shape.length : a;
      let k: number | undefined;
      try {
        k = since === 1 ? ctx.attrs.int('k') : inputs[1]?.value ? readInts(inputs[1].value, 'K')[0] : undefined;
      } catch {
        k = undefined;
      }
      const shape = x.shape.map((d, i) => (i === axis ? k : d));
      return [{ dtype: x.dtype, shape }, { dtype: 'int64', shape }];
    },
  );
}

/** TopK at opsets 1 (k attribute), 10 (k input) and 11 (largest, sorted). */
export const topKOps: readonly OpDefinition[] = [topKOp(1), topKOp(10), topKOp(11)];
