// The optimizers of the ai.onnx.preview.training domain: Adagrad, Momentum, Adam. Each updates N tensors at once
// (inputs R, T, then N of each per-tensor operand; outputs grouped the same way), elementwise in float64, results in
// the dtypes of the operands they replace.
import { DTypeError, ShapeError, Tensor, formatShape, shapesEqual } from '@qint/tensor';
import type { OpBuildContext, OpDefinition, OpKernel, ShapeInferrer } from './op-definition';
import { fromFloats, need, readScalar } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';

/** The domain of the training operators. */
export const TRAINING_DOMAIN = 'ai.onnx.preview.training';

/** Elementwise update of one tensor: operand values at `i` → new values, one per output group. */
type Update = (operands: readonly ArrayLike<number>[], i: number, r: number, t: number, out: Float64Array[]) => void;

/**
 * Builds the kernel of an optimizer with `groups` per-tensor operands (X, G, then its state tensors) and `outputs`
 * output groups (X_new, then the new states, one tensor per X each).
 */
function optimizerKernel(ctx: OpBuildContext, groups: number, outputGroups: number, update: Update): OpKernel {
  const operands = ctx.node.inputs.length - 2;
  if (operands < groups || operands % groups !== 0) {
    ctx.attrs.fail(`expects R, T and ${groups} groups of equally many tensors, got ${ctx.node.inputs.length} inputs`);
  }
  const n = operands / groups;
  return (inputs) => {
    const r = readScalar(need(inputs, 0, 'R'), `${ctx.label} R`);
    const t = readScalar(need(inputs, 1, 'T'), `${ctx.label} T`);
    const results: Tensor[][] = Array.from({ length: outputGroups }, () => []);
    for (let k = 0; k < n; k++) {
      const ts = Array.from({ length: groups }, (_, g) => need(inputs, 2 + g * n + k, `operand ${2 + g * n + k}`));
      const x = ts[0];
      for (const o of ts) {
        if (o.dtype !== 'float32' && o.dtype !== 'float16' && o.dtype !== 'float64') throw new DTypeError(`${ctx.label}: operands must be float, got ${o.dtype}`);
        if (!shapesEqual(o.shape, x.shape)) throw new ShapeError(`${ctx.label}: operand ${formatShape(o.shape)} does not match X ${formatShape(x.shape)}`);
      }
      const values = ts.map((o) => o.values());
      const out = Array.from({ length: outputGroups }, () => new Float64Array(x.size));
      for (let i = 0; i < x.size; i++) update(values, i, r, t, out);
      // X_new has X's dtype; each new state the dtype of the state it replaces (operand group 2, 3, …).
      out.forEach((o, j) => results[j].push(fromFloats(ts[j === 0 ? 0 : j + 1].dtype, x.shape, o)));
    }
    return results.flat();
  };
}

/** Outputs mirror the operands: X_new like X, each state like the state it replaces. */
function optimizerInfer(groups: number, outputGroups: number): ShapeInferrer {
  return (ctx, inputs) => {
    const n = (ctx.node.inputs.length - 2) / groups;
    const out = [];
    for (let j = 0; j < outputGroups; j++) {
      for (let k = 0; k < n; k++) {
        const src = inputs[2 + (j === 0 ? 0 : j + 1) * n + k];
        out.push(src ? { dtype: src.dtype, shape: src.shape } : undefined);
      }
    }
    return out;
  };
}

function trainingOp(opType: string, build: (ctx: OpBuildContext) => OpKernel, infer: ShapeInferrer): OpDefinition {
  return { domain: TRAINING_DOMAIN, opType, sinceVersion: 1, build, infer };
}

/**
 * Adagrad: `r = R / (1 + T·decay_factor)`, `g = norm_coefficient·X + G`, `H' = H + g²`, `X' = X − r·g / (√H' + ε)`.
 * Momentum: `g = norm_coefficient·X + G`, `V' = α·V + (T > 0 ? β : 1)·g`, `X' = X − R·V'` (standard) or
 * `X − R·(g + α·V')` (nesterov). Adam: `V' = α·V + (1 − α)·g`, `H' = β·H + (1 − β)·g²`, step `R·√(1 − β^T)/(1 − α^T)`
 * when T > 0, `X' = (1 − norm_coefficient_post)·(X − step·V' / (√H' + ε))`.
 */
export const optimizerOps: readonly OpDefinition[] = [
  trainingOp(
    'Adagrad',
    (ctx) => {
      const decay = ctx.attrs.float('decay_factor', 0);
      const epsilon = ctx.attrs.float('epsilon', 1e-6);
      const norm = ctx.attrs.float('norm_coefficient', 0);
      return optimizerKernel(ctx, 3, 2, ([x, g, h], i, r, t, [xo, ho]) => {
        const rate = r / (1 + t * decay);
        const gr = norm * x[i] + g[i];
        const hn = h[i] + gr * gr;
        xo[i] = x[i] - (rate * gr) / (Math.sqrt(hn) + epsilon);
        ho[i] = hn;
      });
    },
    optimizerInfer(3, 2),
  ),
  trainingOp(
    'Momentum',
    (ctx) => {
      const alpha = ctx.attrs.float('alpha') ?? ctx.attrs.fail('attribute "alpha" is required');
      const beta = ctx.attrs.float('beta') ?? ctx.attrs.fail('attribute "beta" is required');
      const norm = ctx.attrs.float('norm_coefficient') ?? ctx.attrs.fail('attribute "norm_coefficient" is required');
      const mode = ctx.attrs.string('mode') ?? ctx.attrs.fail('attribute "mode" is required');
      if (mode !== 'standard' && mode !== 'nesterov') throw new UnsupportedVariant(`mode "${mode}" is not one of "standard", "nesterov"`);
      return optimizerKernel(ctx, 3, 2, ([x, g, v], i, r, t, [xo, vo]) => {
        const gr = norm * x[i] + g[i];
        const vn = alpha * v[i] + (t > 0 ? beta : 1) * gr;
        xo[i] = mode === 'standard' ? x[i] - r * vn : x[i] - r * (gr + alpha * vn);
        vo[i] = vn;
      });
    },
    optimizerInfer(3, 2),
  ),
  trainingOp(
    'Adam',
    (ctx) => {
      const alpha = ctx.attrs.float('alpha', 0.9);
      const beta = ctx.attrs.float('beta', 0.999);
      const epsilon = ctx.attrs.float('epsilon', 1e-6);
      const norm = ctx.attrs.float('norm_coefficient', 0);
      const post = ctx.attrs.float('norm_coefficient_post', 0);
      return optimizerKernel(ctx, 4, 3, ([x, g, v, h], i, r, t, [xo, vo, ho]) => {
        const gr = norm * x[i] + g[i];
        const vn = alpha * v[i] + (1 - alpha) * gr;
        const hn = beta * h[i] + (1 - beta) * gr * gr;
        const step = t > 0 ? (r * Math.sqrt(1 - beta ** t)) / (1 - alpha ** t) : r;
        xo[i] = (1 - post) * (x[i] - (step * vn) / (Math.sqrt(hn) + epsilon));
        vo[i] = vn;
        ho[i] = hn;
      });
    },
    optimizerInfer(4, 3),
  ),
];
