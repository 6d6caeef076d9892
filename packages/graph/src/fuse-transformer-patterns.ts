// Load-time rewrites of the chains that transformer encoders export node by node, as onnxruntime fuses them too
// (its DynamicQuantizeMatMul, Attention and Gelu fusions). Each fused kernel computes exactly what its chain computes,
// float32 rounding step by step (see the Fused* ops in ops/qint), so fusing never changes a result on the JS backend;
// what goes away is a node dispatch, an allocation and a full pass per link.
//
// 1. The dynamic activation MatMul `@qint/dynamic` (and onnxruntime's `quantize_dynamic`) emits for attention:
//      DynamicQuantizeLinear(A) → (Aq, sa, za);  DynamicQuantizeLinear(B) → (Bq, sb, zb)
//      MatMulInteger(Aq, Bq, za, zb) → Cast(to float) → Mul(·, Mul(sa, sb)) [→ Div(·, scalar constant)]
//    becomes ai.qint FusedDynamicMatMul(A, B[, divisor]).
// 2. Exact Gelu as PyTorch exports it: Div(x, c1) → Erf → Add(·, c2) → Mul(x, ·) → Mul(·, c3), with scalar constant
//    c1, c2, c3 (√2, 1 and 0.5 in practice; any values are computed faithfully) becomes ai.qint FusedGelu(x, c1, c2, c3).
// 3. The head split of attention: Slice → Reshape → Transpose (data movement only) becomes ai.qint
//    FusedSliceReshapeTranspose: one strided copy instead of two (exact: values are moved, never computed).
// 4. Then FusedDynamicMatMul → Softmax → FusedDynamicMatMul (attention) becomes ai.qint FusedDynamicAttention.
// A chain is only fused when none of its intermediate values is a graph output or used outside the chain.
import type { Tensor } from '@qint/tensor';
import { consumersOf, graphConstants, isOnnx, rewriteNodes } from './graph-rewrite';
import type { Graph, Node } from './ir';
import type { OpRegistry } from './op-registry';
import { QINT_DOMAIN } from './ops/qint/qint-domain';

/** Which rewrites {@link fuseTransformerPatterns} may apply (those whose fused op the registry resolves). */
export interface TransformerFusions {
  readonly dynamicMatMul: boolean;
  readonly gelu: boolean;
  readonly headSplit: boolean;
  readonly attention: boolean;
}

/** The fused ops each rewrite needs, so a custom registry without them simply disables the rewrite. */
export function availableFusions(registry: OpRegistry, qintOpset: number): TransformerFusions {
  return {
    dynamicMatMul: registry.resolve(QINT_DOMAIN, 'FusedDynamicMatMul', qintOpset) !== undefined,
    gelu: registry.resolve(QINT_DOMAIN, 'FusedGelu', qintOpset) !== undefined,
    headSplit: registry.resolve(QINT_DOMAIN, 'FusedSliceReshapeTranspose', qintOpset) !== undefined,
    attention: registry.resolve(QINT_DOMAIN, 'FusedDynamicAttention', qintOpset) !== undefined,
  };
}

/**
 * Fuses the dynamic activation MatMul and exact-Gelu chains (see the file comment).
 *
 * @param graph - a graph in topological order
 * @param fusions - which rewrites to apply
 * @returns a new graph (the input is not changed), or the same graph when nothing fuses, and the values fused away
 *   (each with the node that now computes past it)
 */
export function fuseTransformerPatterns(graph: Graph, fusions: TransformerFusions): { graph: Graph; fusedAway: Map<string, string> } {
  const fusedAway = new Map<string, string>();
  if (!fusions.dynamicMatMul && !fusions.gelu && !fusions.headSplit) return { graph, fusedAway };
  const producer = new Map<string, Node>();
  for (const node of graph.nodes) for (const out of node.outputs) if (out) producer.set(out, node);
  const consumers = consumersOf(graph.nodes);
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  // Constant scalars: initializers that no feed can override, and Constant nodes with a tensor value.
  const constant = graphConstants(graph);
  const scalarConstant = (name: string | undefined): Tensor | undefined => {
    if (!name) return undefined;
    let t = constant(name);
    const p = producer.get(name);
    if (!t && isOnnx(p, 'Constant') && p.attributes.value?.type === 'tensor') t = p.attributes.value.value;
    return t && t.dtype === 'float32' && t.size === 1 ? t : undefined;
  };
  /** Every value the chain produces, except its final output, is consumed only inside the chain. */
  const closed = (chain: readonly Node[], final: string): boolean => {
    const members = new Set(chain);
    for (const node of chain) {
      for (const out of node.outputs) {
        if (!out || out === final) continue;
        if (graphOutputs.has(out)) return false;
        for (const user of consumers.get(out) ?? []) if (!members.has(user)) return false;
      }
    }
    return true;
  };
  const sole = (value: string | undefined): Node | undefined => {
    const users = value ? consumers.get(value) : undefined;
    return users && users.length === 1 ? users[0] : undefined;
  };
  const other = (node: Node, value: string): string | undefined =>
    node.inputs.length === 2 ? (node.inputs[0] === value ? node.inputs[1] : node.inputs[1] === value ? node.inputs[0] : undefined) : undefined;

  const removed = new Set<Node>();
  const replaced = new Map<Node, Node>();
  const claim = (chain: readonly Node[], last: Node, fused: Node): void => {
    for (const n of chain) {
      if (n !== last) removed.add(n);
      for (const out of n.outputs) if (out && out !== fused.outputs[0]) fusedAway.set(out, fused.name);
    }
    replaced.set(last, fused);
  };
  const free = (chain: readonly Node[]): boolean => chain.every((n) => !removed.has(n) && !replaced.has(n));

  for (const node of graph.nodes) {
    if (fusions.dynamicMatMul && isOnnx(node, 'MatMulInteger') && node.inputs.length === 4 && node.outputs.length === 1) {
      const dA = producer.get(node.inputs[0]);
      const dB = producer.get(node.inputs[1]);
      if (!isOnnx(dA, 'DynamicQuantizeLinear') || !isOnnx(dB, 'DynamicQuantizeLinear') || dA === dB) continue;
      if (dA.outputs[0] !== node.inputs[0] || dA.outputs[2] !== node.inputs[2] || dB.outputs[0] !== node.inputs[1] || dB.outputs[2] !== node.inputs[3]) continue;
      const cast = sole(node.outputs[0]);
      if (!isOnnx(cast, 'Cast') || cast.attributes.to?.type !== 'int' || cast.attributes.to.value !== 1) continue;
      const mul = sole(cast.outputs[0]);
      if (!isOnnx(mul, 'Mul')) continue;
      const scaleName = other(mul, cast.outputs[0]);
      const scaleMul = scaleName ? producer.get(scaleName) : undefined;
      if (!isOnnx(scaleMul, 'Mul') || scaleMul.inputs.length !== 2) continue;
      const [s0, s1] = scaleMul.inputs;
      if (!((s0 === dA.outputs[1] && s1 === dB.outputs[1]) || (s0 === dB.outputs[1] && s1 === dA.outputs[1]))) continue;
      const chain = [dA, dB, node, cast, scaleMul, mul];
      if (!free(chain) || !closed(chain, mul.outputs[0])) continue;
      // Attention divides the scores by √d right after: a Div by a scalar constant joins the chain.
      const div = graphOutputs.has(mul.outputs[0]) ? undefined : sole(mul.outputs[0]);
      const divides = isOnnx(div, 'Div') && div.inputs.length === 2 && div.inputs[0] === mul.outputs[0] && scalarConstant(div.inputs[1]) !== undefined;
      if (divides) chain.push(div);
      const last = chain[chain.length - 1];
      // Operand order of the scale product does not matter: float multiplication is commutative.
      const fused: Node = {
        name: last.name || node.name,
        opType: 'FusedDynamicMatMul',
        domain: QINT_DOMAIN,
        inputs: [dA.inputs[0], dB.inputs[0], ...(divides ? [div.inputs[1]] : [])],
        outputs: [last.outputs[0]],
        attributes: {},
      };
      claim(chain, last, fused);
      continue;
    }
    if (fusions.headSplit && isOnnx(node, 'Slice') && node.inputs.length >= 3 && node.attributes.starts === undefined) {
      const rs = sole(node.outputs[0]);
      if (!isOnnx(rs, 'Reshape') || rs.inputs[0] !== node.outputs[0] || rs.inputs.length !== 2 || rs.attributes.shape !== undefined) continue;
      const tr = sole(rs.outputs[0]);
      if (!isOnnx(tr, 'Transpose')) continue;
      const chain = [node, rs, tr];
      if (!free(chain) || !closed(chain, tr.outputs[0])) continue;
      const sliceInputs = [0, 1, 2, 3, 4].map((i) => node.inputs[i] ?? '');
      const attributes: Node['attributes'] = { ...(tr.attributes.perm ? { perm: tr.attributes.perm } : {}), ...(rs.attributes.allowzero ? { allowzero: rs.attributes.allowzero } : {}) };
      const fused: Node = {
        name: tr.name || node.name,
        opType: 'FusedSliceReshapeTranspose',
        domain: QINT_DOMAIN,
        inputs: [...sliceInputs, rs.inputs[1]],
        outputs: [tr.outputs[0]],
        attributes,
      };
      claim(chain, tr, fused);
      continue;
    }
    if (fusions.gelu && isOnnx(node, 'Div') && node.inputs.length === 2 && scalarConstant(node.inputs[1])) {
      const x = node.inputs[0];
      const erf = sole(node.outputs[0]);
      if (!isOnnx(erf, 'Erf')) continue;
      const add = sole(erf.outputs[0]);
      if (!isOnnx(add, 'Add')) continue;
      const c2 = other(add, erf.outputs[0]);
      if (!scalarConstant(c2)) continue;
      const mulX = sole(add.outputs[0]);
      if (!isOnnx(mulX, 'Mul') || other(mulX, add.outputs[0]) !== x) continue;
      const mulC = sole(mulX.outputs[0]);
      if (!isOnnx(mulC, 'Mul')) continue;
      const c3 = other(mulC, mulX.outputs[0]);
      if (!scalarConstant(c3)) continue;
      const chain = [node, erf, add, mulX, mulC];
      if (!free(chain) || !closed(chain, mulC.outputs[0])) continue;
      const fused: Node = {
        name: mulC.name || node.name,
        opType: 'FusedGelu',
        domain: QINT_DOMAIN,
        inputs: [x, node.inputs[1], c2!, c3!],
        outputs: [mulC.outputs[0]],
        attributes: {},
      };
      claim(chain, mulC, fused);
    }
  }
  if (replaced.size === 0) return { graph, fusedAway };
  const fused = rewriteNodes(graph, removed, replaced);
  if (!fusions.attention) return { graph: fused, fusedAway };
  const attention = fuseAttention(fused, graphOutputs);
  // Values fused away in the first pass now sit inside the attention node when their fused node was absorbed.
  for (const [k, v] of fusedAway) {
    const into = attention.absorbed.get(v);
    if (into !== undefined) fusedAway.set(k, into);
  }
  for (const [k, v] of attention.fusedAway) fusedAway.set(k, v);
  return { graph: attention.graph, fusedAway };
}

/**
 * 4. FusedDynamicMatMul(Q, Kᵀ[, d]) → Softmax(axis −1) → FusedDynamicMatMul(·, V) becomes ai.qint
 *    FusedDynamicAttention(Q, Kᵀ, V[, d]) (a second pass over the graph the first rewrites produced).
 */
function fuseAttention(
  graph: Graph,
  graphOutputs: ReadonlySet<string>,
): { graph: Graph; fusedAway: Map<string, string>; absorbed: Map<string, string> } {
  const fusedAway = new Map<string, string>();
  /** Names of the nodes merged into an attention node → that node's name. */
  const absorbed = new Map<string, string>();
  const consumers = consumersOf(graph.nodes);
  const sole = (value: string): Node | undefined => {
    const users = consumers.get(value);
    return users && users.length === 1 && !graphOutputs.has(value) ? users[0] : undefined;
  };
  const isQint = (n: Node | undefined, opType: string): n is Node => n !== undefined && n.opType === opType && n.domain === QINT_DOMAIN;
  const removed = new Set<Node>();
  const replaced = new Map<Node, Node>();
  for (const node of graph.nodes) {
    if (!isQint(node, 'FusedDynamicMatMul') || removed.has(node)) continue;
    const softmax = sole(node.outputs[0]);
    if (!isOnnx(softmax, 'Softmax') || softmax.attributes.axis?.type !== 'int' || softmax.attributes.axis.value !== -1) continue;
    const values = sole(softmax.outputs[0]);
    if (!isQint(values, 'FusedDynamicMatMul') || values.inputs.length !== 2 || values.inputs[0] !== softmax.outputs[0]) continue;
    const fused: Node = {
      name: values.name,
      opType: 'FusedDynamicAttention',
      domain: QINT_DOMAIN,
      inputs: [node.inputs[0], node.inputs[1], values.inputs[1], ...(node.inputs[2] ? [node.inputs[2]] : [])],
      outputs: [values.outputs[0]],
      attributes: {},
    };
    removed.add(node);
    removed.add(softmax);
    replaced.set(values, fused);
    absorbed.set(node.name, values.name);
    absorbed.set(values.name, values.name);
    fusedAway.set(node.outputs[0], values.name);
    fusedAway.set(softmax.outputs[0], values.name);
  }
  if (replaced.size === 0) return { graph, fusedAway, absorbed };
  return { graph: rewriteNodes(graph, removed, replaced), fusedAway, absorbed };
}
