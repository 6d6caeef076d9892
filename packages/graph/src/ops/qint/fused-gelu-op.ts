// ai.qint::FusedGelu — exact Gelu as PyTorch exports it (Div → Erf → Add → Mul → Mul) as one node. Only created by the
// load-time fusion of fuse-transformer-patterns.ts. It runs the backends' float32 erf (bit-identical on JS and WASM),
// where the unfused Erf op computes erf in double precision: the two agree within 1e-6·(1 + |x|).
import { DTypeError, Tensor } from '@qint/tensor';
import { geluErfF32 } from '@qint/kernels';
import { allocateF32, overwrite } from '../../buffer-pool';
import { sameAs } from '../infer-helpers';
import type { OpDefinition } from '../op-definition';
import { need, readScalar } from '../tensor-utils';
import { QINT_DOMAIN } from './qint-domain';

const fround = Math.fround;

/**
 * `FusedGelu(x, c1, c2, c3) = f32(f32(x · f32(f32(erf(f32(x / c1))) + c2)) · c3)` elementwise, float32 — what
 * `Mul(Mul(x, Add(Erf(Div(x, c1)), c2)), c3)` computes, with the backend's float32 erf (the `geluErfF32` primitive;
 * within 1e-6·(1 + |x|) of the chain, the same bits on every backend).
 *
 * @example
 * ```ts
 * createDefaultRegistry().resolve('ai.qint', 'FusedGelu', 1) === fusedGeluOp; // true
 * ```
 */
export const fusedGeluOp: OpDefinition = {
  domain: QINT_DOMAIN,
  opType: 'FusedGelu',
  sinceVersion: 1,
  build(ctx) {
    const options = ctx.backend ? { backend: ctx.backend } : undefined;
    return (inputs, donated) => {
      const x = need(inputs, 0, 'x');
      if (x.dtype !== 'float32') throw new DTypeError(`FusedGelu: input x must be float32, got ${x.dtype}`);
      const c1 = fround(readScalar(need(inputs, 1, 'divisor'), 'FusedGelu divisor'));
      const c2 = fround(readScalar(need(inputs, 2, 'addend'), 'FusedGelu addend'));
      const c3 = fround(readScalar(need(inputs, 3, 'scale'), 'FusedGelu scale'));
      // In place when x dies here (elementwise: each value is read before it is replaced).
      const out = donated && (donated & 1) !== 0 ? overwrite(x.data as Float32Array) : allocateF32(x.size);
      geluErfF32({ x: x.data as Float32Array, divisor: c1, addend: c2, scale: c3, out }, options);
      return [Tensor.from('float32', x.shape, out)];
    };
  },
  infer: sameAs(0),
};
