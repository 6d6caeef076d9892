// Random generators (RandomUniform, RandomNormal, their *Like forms, Bernoulli) and Dropout in training mode, all
// seeded: NumPy's MT19937 stream (see mt19937.ts), so a node with a `seed` reproduces the ONNX reference's draws.
// A node with `seed` restarts its stream at every run (as the reference does); without one, it draws from one stream
// per node seeded with 0 at load, which advances from run to run (reproducible across sessions, not constant).
import { DTypeError, Tensor, type DType } from '@qint/tensor';
import { onnxOp } from './define-op';
import type { InferredValue, OpBuildContext, OpDefinition } from './op-definition';
import { Mt19937 } from './mt19937';
import { dtypeFromOnnx, fromFloats, need, readScalar } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';

/** Reads the float `seed` attribute (NumPy's `RandomState(int(seed))`) into a stream factory. */
function seededStream(ctx: OpBuildContext): () => Mt19937 {
  const a = ctx.node.attributes.seed;
  let seed: number | undefined;
  if (a !== undefined) seed = a.type === 'int' ? (a.value as number) : ctx.attrs.float('seed');
  if (seed === undefined || Number.isNaN(seed)) {
    const shared = new Mt19937(0);
    return () => shared;
  }
  const s = Math.trunc(seed);
  if (s < 0 || s > 0xffffffff) ctx.attrs.fail(`seed ${seed} must be in [0, 2³²)`);
  return () => new Mt19937(s);
}

function floatDType(ctx: OpBuildContext, fallback: DType | undefined): DType {
  const code = ctx.attrs.int('dtype');
  let dtype: DType | undefined = fallback;
  if (code !== undefined) {
    try {
      dtype = dtypeFromOnnx(code, 'dtype');
    } catch (e) {
      throw new UnsupportedVariant(e instanceof Error ? e.message : String(e));
    }
  }
  if (dtype === undefined) dtype = 'float32';
  if (dtype !== 'float32' && dtype !== 'float16' && dtype !== 'float64') throw new UnsupportedVariant(`dtype ${dtype} is not supported (float32, float16 or float64)`);
  return dtype;
}

function sample(rng: Mt19937, size: number, kind: 'uniform' | 'normal', a: number, b: number): Float64Array {
  const out = new Float64Array(size);
  // uniform: low a + (high − low)·U, as NumPy's rand(*shape) * (high − low) + low; normal: mean a + scale b·N(0, 1).
  if (kind === 'uniform') for (let i = 0; i < size; i++) out[i] = rng.nextDouble() * (b - a) + a;
  else for (let i = 0; i < size; i++) out[i] = rng.nextGaussian() * b + a;
  return out;
}

function randomOp(opType: 'RandomUniform' | 'RandomNormal' | 'RandomUniformLike' | 'RandomNormalLike'): OpDefinition {
  const like = opType.endsWith('Like');
  const kind = opType.startsWith('RandomUniform') ? 'uniform' : 'normal';
  const params = (ctx: OpBuildContext): [number, number] =>
    kind === 'uniform' ? [ctx.attrs.float('low', 0), ctx.attrs.float('high', 1)] : [ctx.attrs.float('mean', 0), ctx.attrs.float('scale', 1)];
  return onnxOp(
    opType,
    1,
    (ctx) => {
      const stream = seededStream(ctx);
      const [a, b] = params(ctx);
      if (like) {
        return (inputs) => {
          const x = need(inputs, 0, 'input');
          const dtype = floatDType(ctx, x.dtype === 'float32' || x.dtype === 'float16' || x.dtype === 'float64' ? x.dtype : undefined);
          return [fromFloats(dtype, x.shape, sample(stream(), x.size, kind, a, b))];
        };
      }
      const shape = ctx.attrs.ints('shape') ?? ctx.attrs.fail('attribute "shape" is required');
      if (shape.some((d) => !Number.isInteger(d) || d < 0)) ctx.attrs.fail(`attribute "shape" must hold sizes ≥ 0, got [${shape.join(', ')}]`);
      const dtype = floatDType(ctx, 'float32');
      const size = shape.reduce((p, d) => p * d, 1);
      return () => [fromFloats(dtype, shape, sample(stream(), size, kind, a, b))];
    },
    (ctx, inputs): (InferredValue | undefined)[] => {
      if (like) {
        const x = inputs[0];
        let dtype: DType | undefined;
        try {
          dtype = floatDType(ctx, x?.dtype === 'float32' || x?.dtype === 'float16' || x?.dtype === 'float64' ? x.dtype : undefined);
        } catch {
          dtype = undefined;
        }
        return [{ dtype, shape: x?.shape }];
      }
      let dtype: DType | undefined;
      try {
        dtype = floatDType(ctx, 'float32');
      } catch {
        dtype = undefined;
      }
      return [{ dtype, shape: ctx.attrs.ints('shape') }];
    },
  );
}

/** Bernoulli: 1 with probability `p` (the input), as `U < p` with U from the node's stream; output dtype `dtype` or p's. */
function bernoulliOp(): OpDefinition {
  return onnxOp(
    'Bernoulli',
    15,
    (ctx) => {
      const stream = seededStream(ctx);
      const code = ctx.attrs.int('dtype');
      let dtype: DType | undefined;
      if (code !== undefined) {
        try {
          dtype = dtypeFromOnnx(code, 'dtype');
        } catch (e) {
          throw new UnsupportedVariant(e instanceof Error ? e.message : String(e));
        }
      }
      return (inputs) => {
        const p = need(inputs, 0, 'input');
        if (p.dtype !== 'float32' && p.dtype !== 'float16' && p.dtype !== 'float64') throw new DTypeError(`${ctx.label}: input must be float32, float16 or float64, got ${p.dtype}`);
        const probs = p.values();
        const rng = stream();
        const out = new Float64Array(probs.length);
        for (let i = 0; i < probs.length; i++) out[i] = rng.nextDouble() < probs[i] ? 1 : 0;
        return [fromFloats(dtype ?? p.dtype, p.shape, out)];
      };
    },
    (ctx, inputs) => {
      const code = ctx.attrs.int('dtype');
      let dtype = inputs[0]?.dtype;
      if (code !== undefined) {
        try {
          dtype = dtypeFromOnnx(code, 'dtype');
        } catch {
          dtype = undefined;
        }
      }
      return [{ dtype, shape: inputs[0]?.shape }];
    },
  );
}

/**
 * Dropout since opset 12 (ratio and training_mode as inputs). Inference (training_mode absent or false, or ratio 0):
 * `y = x`, mask all true. Training: `mask = U ≥ ratio`, `y = mask · x / (1 − ratio)`, U from the node's stream — with
 * `seed`, NumPy's `np.random.seed(seed); np.random.uniform(0, 1, x.shape)`, as the ONNX reference.
 */
function dropoutOp(): OpDefinition {
  return onnxOp(
    'Dropout',
    12,
    (ctx) => {
      const stream = seededStream(ctx);
      return (inputs) => {
        const x = need(inputs, 0, 'data');
        const ratio = inputs[1] ? readScalar(inputs[1], `${ctx.label} ratio`) : 0.5;
        const training = inputs[2] ? readScalar(inputs[2], `${ctx.label} training_mode`) !== 0 : false;
        if (!training || ratio === 0) return [x, Tensor.from('bool', x.shape, new Uint8Array(x.size).fill(1))];
        if (!(ratio >= 0 && ratio < 1)) throw new DTypeError(`${ctx.label}: ratio must be in [0, 1), got ${ratio}`);
        if (x.dtype !== 'float32' && x.dtype !== 'float16' && x.dtype !== 'float64') throw new DTypeError(`${ctx.label}: training mode needs a float input, got ${x.dtype}`);
        const rng = stream();
        const v = x.values();
        // In the input's precision, as NumPy's `mask * x * scale`.
        const scale = x.dtype === 'float64' ? 1 / (1 - ratio) : Math.fround(1 / (1 - ratio));
        const y = x.dtype === 'float64' ? new Float64Array(v.length) : new Float32Array(v.length);
        const mask = new Uint8Array(v.length);
        for (let i = 0; i < v.length; i++) {
          const keep = rng.nextDouble() >= ratio;
          mask[i] = keep ? 1 : 0;
          y[i] = keep ? v[i] * scale : 0;
        }
        return [fromFloats(x.dtype, x.shape, y), Tensor.from('bool', x.shape, mask)];
      };
    },
    (_ctx, inputs) => [inputs[0] ? { dtype: inputs[0].dtype, shape: inputs[0].shape } : undefined, { dtype: 'bool', shape: inputs[0]?.shape }],
  );
}

/** RandomUniform, RandomNormal, RandomUniformLike, RandomNormalLike (1), Bernoulli (15), Dropout (12, training mode). */
export const randomOps: readonly OpDefinition[] = [
  randomOp('RandomUniform'),
  randomOp('RandomNormal'),
  randomOp('RandomUniformLike'),
  randomOp('RandomNormalLike'),
  bernoulliOp(),
  dropoutOp(),
];
