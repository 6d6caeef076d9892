// ai.qint::FusedSliceReshapeTranspose — how exported attention splits heads: Slice(qkv) → Reshape([B, T, H, d]) →
// Transpose. Only created by the load-time fusion of fuse-transformer-patterns.ts. The three ops move data only, so
// they compose into one strided view of the input: one copy instead of two, and no intermediate tensors.
import { Tensor } from '@qint/tensor';
import type { OpDefinition } from '../op-definition';
import { reshape } from '../shape-ops';
import { materialize, reshapeView, sliceTensor, sliceView, transposeTensor } from '../strided-copy-f32';
import { need, readInts, readSliceInputs } from '../tensor-utils';
import { QINT_DOMAIN } from './qint-domain';

/** Reshape's target with 0 (copy the dim, unless allowzero) and one −1 resolved, or undefined when it does not fit. */
function resolveTarget(shape: readonly number[], target: readonly number[], allowZero: boolean): number[] | undefined {
  const size = shape.reduce((p, d) => p * d, 1);
  const out = target.map((d, i) => (d === 0 && !allowZero ? shape[i] : d));
  const infer = out.indexOf(-1);
  if (out.some((d, i) => d === undefined || (d < 0 && i !== infer)) || out.lastIndexOf(-1) !== infer) return undefined;
  const known = out.reduce((p, d, i) => (i === infer ? p : p * d), 1);
  if (infer >= 0) {
    if (known === 0 || size % known !== 0) return undefined;
    out[infer] = size / known;
  } else if (known !== size) return undefined;
  return out;
}

/**
 * `FusedSliceReshapeTranspose(data, starts, ends, axes, steps, shape)` with attributes `perm` and `allowzero`: exactly
 * `Transpose(Reshape(Slice(data, starts, ends, axes, steps), shape), perm)`, copying once. Anything the view
 * arithmetic does not cover (non-float32 data, a reshape that needs a copy, invalid arguments) runs the three ops one
 * after the other, with their errors.
 *
 * @example
 * ```ts
 * createDefaultRegistry().resolve('ai.qint', 'FusedSliceReshapeTranspose', 1) === fusedSliceReshapeTransposeOp; // true
 * ```
 */
export const fusedSliceReshapeTransposeOp: OpDefinition = {
  domain: QINT_DOMAIN,
  opType: 'FusedSliceReshapeTranspose',
  sinceVersion: 1,
  build(ctx) {
    const perm = ctx.attrs.ints('perm');
    const allowZero = ctx.attrs.int('allowzero', 0) === 1;
    const options = ctx.backend ? { backend: ctx.backend } : undefined;
    return (inputs) => {
      const x = need(inputs, 0, 'data');
      const { starts, ends, axes, steps } = readSliceInputs(inputs);
      const target = readInts(need(inputs, 5, 'shape'), 'Reshape shape');
      const sliced = x.dtype === 'float32' ? sliceView(x.shape, starts, ends, axes, steps) : undefined;
      const newShape = sliced ? resolveTarget(sliced.shape, target, allowZero) : undefined;
      const reshaped = sliced && newShape ? reshapeView(sliced, newShape) : undefined;
      const rank = newShape?.length ?? 0;
      const p = perm ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
      const isPerm = p.length === rank && p.every((a, i) => Number.isInteger(a) && a >= 0 && a < rank && p.indexOf(a) === i);
      if (!reshaped || !isPerm) {
        return [transposeTensor(reshape(sliceTensor(x, starts, ends, axes, steps, options), target, allowZero), perm, options)];
      }
      const view = { shape: p.map((a) => reshaped.shape[a]), strides: p.map((a) => reshaped.strides[a]), offset: reshaped.offset };
      return [materialize(x, view, options)];
    };
  },
};
