// Ops of the ai.onnx.ml domain: Binarizer (a threshold), ArrayFeatureExtractor (a gather along the last axis) and
// TreeEnsemble (opset 5: decision trees summed, averaged, or min/max per target).
import { DTypeError, ShapeError, Tensor, ValueError, allocateData, formatShape, isPackedDType } from '@qint/tensor';
import type { OpBuildContext, OpDefinition, OpKernel, ShapeInferrer } from './op-definition';
import { fromFloats, fromNumbers, need, readInts } from './tensor-utils';
import { UnsupportedVariant } from './unsupported-variant';

/** The domain of the classic-ML operators. */
export const ML_DOMAIN = 'ai.onnx.ml';

/** Binarizer: `1` where `x > threshold`, else `0`, in x's dtype. */
export function binarize(x: Tensor, threshold: number, label: string): Tensor {
  if (x.dtype === 'bool' || x.dtype === 'uint64' || isPackedDType(x.dtype)) throw new DTypeError(`${label}: input X must be a float or integer tensor, got ${x.dtype}`);
  const v = x.values();
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = Number(v[i]) > threshold ? 1 : 0;
  return fromNumbers(x.dtype, x.shape, out);
}

/**
 * ArrayFeatureExtractor: `x[..., indices]` with the indices flattened; the output is `[...x.shape[:-1], n]`
 * (`[1, n]` for a 1-D x).
 *
 * @throws {@link ValueError} for an index outside the last axis
 */
export function arrayFeatureExtractor(x: Tensor, indices: Tensor, label: string): Tensor {
  if (isPackedDType(x.dtype)) throw new DTypeError(`${label}: packed ${x.dtype} inputs are not supported`);
  const idx = readInts(indices, `${label} Y`);
  const last = x.rank === 0 ? 1 : x.shape[x.rank - 1];
  for (const i of idx) if (i < 0 || i >= last) throw new ValueError(`${label}: index ${i} is outside the last axis of size ${last}`);
  const rows = last === 0 ? 0 : x.size / last;
  const src = x.data as unknown as ArrayLike<unknown>;
  const out = allocateData(x.dtype, rows * idx.length) as unknown as { [i: number]: unknown };
  for (let r = 0; r < rows; r++) for (let j = 0; j < idx.length; j++) out[r * idx.length + j] = src[r * last + idx[j]];
  const shape = x.rank <= 1 ? [1, idx.length] : [...x.shape.slice(0, -1), idx.length];
  return Tensor.from(x.dtype, shape, out as never);
}

/** A tree node: its test (mode, split or member set, feature) and where each branch goes. */
interface TreeNode {
  readonly test: (x: number) => boolean;
  readonly feature: number;
  readonly next: readonly [{ leaf: boolean; id: number }, { leaf: boolean; id: number }];
}

/**
 * TreeEnsemble (ai.onnx.ml 5): every tree of `tree_roots` walks X's row to a leaf (`weight`, `target`); per row the
 * leaf weights are aggregated per target (SUM 1, AVERAGE 0, MIN 2, MAX 3) into `[N, n_targets]`. Node modes: LEQ 0,
 * LT 1, GTE 2, GT 3, EQ 4, NEQ 5, MEMBER 6 (sets from `membership_values`, NaN-separated); a NaN feature goes to the
 * true branch when `nodes_missing_value_tracks_true`. Only `post_transform` NONE.
 */
function treeEnsembleKernel(ctx: OpBuildContext): OpKernel {
  const a = ctx.attrs;
  const ints = (name: string) => a.ints(name) ?? a.fail(`attribute "${name}" is required`);
  const floats = (name: string): readonly number[] => {
    const t = a.tensor(name) ?? a.fail(`attribute "${name}" is required`);
    return Array.from(t.values() as ArrayLike<number>);
  };
  if (a.int('post_transform', 0) !== 0) throw new UnsupportedVariant(`post_transform ${a.int('post_transform', 0)} is not supported (only NONE)`);
  const aggregate = a.int('aggregate_function', 1);
  if (aggregate < 0 || aggregate > 3) throw new UnsupportedVariant(`aggregate_function ${aggregate} is not one of 0–3`);
  const nTargets = a.int('n_targets') ?? a.fail('attribute "n_targets" is required');
  const splits = floats('nodes_splits');
  const modes = floats('nodes_modes');
  const features = ints('nodes_featureids');
  const trueIds = ints('nodes_truenodeids');
  const falseIds = ints('nodes_falsenodeids');
  const trueLeafs = ints('nodes_trueleafs');
  const falseLeafs = ints('nodes_falseleafs');
  const missingTrue = a.ints('nodes_missing_value_tracks_true') ?? [];
  const leafTargets = ints('leaf_targetids');
  const leafWeights = floats('leaf_weights');
  const roots = ints('tree_roots');
  const members = a.tensor('membership_values') ? floats('membership_values') : [];
  let memberAt = 0;
  const nodes: TreeNode[] = modes.map((mode, i) => {
    const split = splits[i];
    const nanTrue = missingTrue[i] === 1;
    let cmp: (x: number) => boolean;
    if (mode === 0) cmp = (x) => x <= split;
    else if (mode === 1) cmp = (x) => x < split;
    else if (mode === 2) cmp = (x) => x >= split;
    else if (mode === 3) cmp = (x) => x > split;
    else if (mode === 4) cmp = (x) => x === split;
    else if (mode === 5) cmp = (x) => x !== split;
    else if (mode === 6) {
      const set = new Set<number>();
      while (memberAt < members.length && !Number.isNaN(members[memberAt])) set.add(members[memberAt++]);
      if (memberAt >= members.length) a.fail(`membership_values has no NaN-terminated set for node ${i}`);
      memberAt++;
      cmp = (x) => set.has(x);
    } else throw new UnsupportedVariant(`node mode ${mode} is not one of 0–6`);
    const test = (x: number) => cmp(x) || (nanTrue && Number.isNaN(x));
    return { test, feature: features[i], next: [{ leaf: trueLeafs[i] === 1, id: trueIds[i] }, { leaf: falseLeafs[i] === 1, id: falseIds[i] }] };
  });
  for (const [i, t] of leafTargets.entries()) if (t < 0 || t >= nTargets) a.fail(`leaf_targetids[${i}] = ${t} is outside [0, ${nTargets})`);
  return (inputs) => {
    const x = need(inputs, 0, 'X');
    if (x.rank !== 2) throw new ShapeError(`${ctx.label}: X must be [N, features], got ${formatShape(x.shape)}`);
    const [n, f] = x.shape;
    const v = x.values() as ArrayLike<number>;
    const init = aggregate === 2 ? Infinity : aggregate === 3 ? -Infinity : 0;
    const out = new Float64Array(n * nTargets).fill(init);
    for (let r = 0; r < n; r++) {
      for (const root of roots) {
        // A root whose two branches are the same leaf is a one-leaf tree.
        const rootNode = nodes[root];
        let at = { leaf: rootNode.next[0].leaf && rootNode.next[1].leaf && rootNode.next[0].id === rootNode.next[1].id, id: root };
        for (let steps = 0; !at.leaf; steps++) {
          const node = nodes[at.id];
          if (node === undefined || steps > nodes.length) throw new ValueError(`${ctx.label}: tree from root ${root} reaches node ${at.id}, which does not exist or loops`);
          if (node.feature < 0 || node.feature >= f) throw new ValueError(`${ctx.label}: feature ${node.feature} is outside X's ${f} features`);
          at = node.next[node.test(v[r * f + node.feature]) ? 0 : 1];
        }
        const w = leafWeights[at.id];
        const k = r * nTargets + leafTargets[at.id];
        if (aggregate === 1) out[k] += w;
        else if (aggregate === 0) out[k] += w / roots.length;
        else if (aggregate === 2) out[k] = Math.min(out[k], w);
        else out[k] = Math.max(out[k], w);
      }
    }
    return [fromFloats(x.dtype, [n, nTargets], out)];
  };
}

const sameAsX: ShapeInferrer = (_ctx, inputs) => [inputs[0] ? { dtype: inputs[0].dtype, shape: inputs[0].shape } : undefined];

/** Binarizer (1), ArrayFeatureExtractor (1) and TreeEnsemble (5) of ai.onnx.ml. */
export const mlOps: readonly OpDefinition[] = [
  {
    domain: ML_DOMAIN,
    opType: 'Binarizer',
    sinceVersion: 1,
    build: (ctx) => {
      const threshold = ctx.attrs.float('threshold', 0);
      return (inputs) => [binarize(need(inputs, 0, 'X'), threshold, ctx.label)];
    },
    infer: sameAsX,
  },
  {
    domain: ML_DOMAIN,
    opType: 'ArrayFeatureExtractor',
    sinceVersion: 1,
    build: (ctx) => (inputs) => [arrayFeatureExtractor(need(inputs, 0, 'X'), need(inputs, 1, 'Y'), ctx.label)],
    infer: (_ctx, inputs) => [{ dtype: inputs[0]?.dtype }],
  },
  {
    domain: ML_DOMAIN,
    opType: 'TreeEnsemble',
    sinceVersion: 5,
    build: treeEnsembleKernel,
    infer: (ctx, inputs) => [{ dtype: inputs[0]?.dtype, shape: inputs[0]?.shape ? [inputs[0].shape[0], ctx.attrs.int('n_targets')] : undefined }],
  },
];
