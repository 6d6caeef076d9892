// ai.qint::FusedSliceReshapeTranspose — how exported attention splits heads: Slice(qkv) → Reshape([B, T, H, d]) →
// Transpose. Only created by the load-time fusion of fuse-transformer-patterns.ts. The three ops move data only, so
// they compose into one strided view of the input: one copy instead of two, and no intermediate tensors.
import { resolveReshape } from '@qint/tensor';
import type { OpDefinition } from '../op-definition';
import { reshape } from '../shape-ops';
import { materialize, reshapeView, sliceTensor, sliceView, transposeTensor } from '../strided-copy-f32';
import { need, readInts, readSliceInputs } from '../tensor-utils';
import { QINT_DOMAIN } from './qint-domain';

/** Reshape's target resolved (0 and −1, as Reshape resolves them), or undefined when it does not fit (Reshape then reports it). */
function resolveTarget(shape: readonly number[], target: readonly number[], allowZero: boolean): number[] | undefined {
  try {
    return resolveReshape(shape, target, allowZero);
  } catch {
    return undefined;
  }
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
