import type { KernelBackend } from '@qint/kernels';
import type { Tensor } from '@qint/tensor';
import { createDefaultRegistry } from './default-registry';
import { DEFAULT_OPSETS, type Dim, type Graph, type Model, type ValueInfo } from './ir';
import { nodeOpset } from './pin-op-versions';
import type { OpRegistry } from './op-registry';
import { AttributeReader } from './ops/attribute-reader';
import type { InferredValue, OpBuildContext } from './ops/op-definition';
import { nodeLabel } from './node-label';

/**
 * Options of {@link inferShapes}.
 *
 * @example
 * ```ts
 * inferShapes(graph, { opsetImports: { '': 13 }, maxFoldElements: 0 }); // no constant folding
 * ```
 */
export interface InferShapesOptions {
  /** Op implementations (defaults to {@link createDefaultRegistry}). */
  readonly registry?: OpRegistry;
  /** Opsets when a bare graph is given (default `{ '': 21, 'com.microsoft': 1 }`). */
  readonly opsetImports?: Readonly<Record<string, number>>;
  /** Largest input (elements) a node may have to be evaluated on constant inputs (default 1,000,000). */
  readonly maxFoldElements?: number;
  /** Backend used when folding constants (default: the selected one). */
  readonly backend?: KernelBackend;
}

/**
 * Infers the dtype and shape of every value of a graph, as far as they can be known without running it.
 *
 * Sources, in order: initializers (exact), declared graph inputs, each op's shape rule (symbolic dims such as
 * `'batch'` carried through elementwise, conv, pooling, matmul, reshape-with-inferred-batch and the like), and
 * evaluation of nodes whose inputs are all constants (so `Shape → Gather → Concat → Reshape` chains over static
 * shapes resolve exactly). Declared `valueInfo` fills what inference leaves unknown. Never throws for an unknown or
 * failing op: its outputs are reported with whatever is declared.
 *
 * @param source - a {@link Model} or {@link Graph}
 * @param options - {@link InferShapesOptions}
 * @returns a map from value name to {@link ValueInfo} (inputs, initializers and every node output), in graph order
 * @example
 * ```ts
 * const infos = inferShapes(model);
 * infos.get('logits'); // { name: 'logits', dtype: 'float32', shape: ['batch', 10] }
 * ```
 */
export function inferShapes(source: Model | Graph, options: InferShapesOptions = {}): Map<string, ValueInfo> {
  const isModel = (source as Model).graph !== undefined && (source as Model).opsetImports !== undefined;
  const graph = isModel ? (source as Model).graph : (source as Graph);
  const opsets: Record<string, number> = {};
  for (const [k, v] of Object.entries(isModel ? (source as Model).opsetImports : (options.opsetImports ?? DEFAULT_OPSETS))) {
    opsets[k === 'ai.onnx' ? '' : k] = v;
  }
  const registry = options.registry ?? createDefaultRegistry();
  const maxFold = options.maxFoldElements ?? 1_000_000;
  const known = new Map<string, InferredValue>();
  const declared = new Map<string, ValueInfo>();
  for (const vi of graph.valueInfo) declared.set(vi.name, vi);
  for (const vi of graph.outputs) declared.set(vi.name, vi);

  const inputNames = new Set(graph.inputs.map((vi) => vi.name));
  for (const [name, t] of graph.initializers) {
    known.set(name, inputNames.has(name) ? { dtype: t.dtype, shape: t.shape } : { dtype: t.dtype, shape: t.shape, value: t });
  }
  for (const vi of graph.inputs) {
    const init = known.get(vi.name);
    known.set(vi.name, { dtype: vi.dtype ?? init?.dtype, shape: vi.shape ?? init?.shape });
  }

  graph.nodes.forEach((node, index) => {
    const domain = node.domain === 'ai.onnx' ? '' : node.domain;
    const opset = nodeOpset(node, opsets);
    const def = registry.resolve(domain, node.opType, opset);
    const inputs = node.inputs.map((n) => (n === '' ? undefined : known.get(n)));
    let outs: readonly (InferredValue | undefined)[] = [];
    if (def) {
      const label = nodeLabel(node, index);
      const ctx: OpBuildContext = {
        node,
        label,
        opset,
        attrs: new AttributeReader(node, label),
        ...(options.backend ? { backend: options.backend } : {}),
        constant: (i: number) => inputs[i]?.value,
      };
      const foldable =
        node.inputs.every((n, i) => n === '' || inputs[i]?.value !== undefined) &&
        inputs.reduce((s, v) => s + (v?.value?.size ?? 0), 0) <= maxFold;
      if (foldable) {
        try {
          const kernel = def.build(ctx);
          const values = kernel(inputs.map((v) => v?.value as Tensor | undefined));
          outs = values.map((t) => ({ dtype: t.dtype, shape: t.shape, value: t }));
        } catch {
          outs = [];
        }
      }
      if (outs.length === 0 && def.infer) {
        try {
          outs = def.infer(ctx, inputs);
        } catch {
          outs = [];
        }
      }
    }
    if (outs[0]?.value === undefined && node.outputs.length >= 1) {
      const dims = symbolicElements(node.opType, domain, node.attributes, inputs);
      if (dims) outs = [{ ...(outs[0] ?? {}), dims }, ...outs.slice(1)];
    }
    node.outputs.forEach((name, i) => {
      if (name === '') return;
      known.set(name, merge(outs[i], declared.get(name)));
    });
  });

  const result = new Map<string, ValueInfo>();
  const add = (name: string): void => {
    if (result.has(name)) return;
    const v = known.get(name) ?? merge(undefined, declared.get(name));
    const info: { name: string; dtype?: ValueInfo['dtype']; shape?: readonly Dim[] } = { name };
    if (v.dtype !== undefined) info.dtype = v.dtype;
    if (v.shape !== undefined) info.shape = v.shape.slice();
    result.set(name, info);
  };
  for (const vi of graph.inputs) add(vi.name);
  for (const name of graph.initializers.keys()) add(name);
  for (const node of graph.nodes) for (const o of node.outputs) if (o !== '') add(o);
  for (const vi of graph.outputs) add(vi.name);
  return result;
}

/** Elements of a small integer value as possibly symbolic dims (a constant value counts as known elements). */
function elementsOf(v: InferredValue | undefined): readonly Dim[] | undefined {
  if (!v) return undefined;
  if (v.dims) return v.dims;
  if (v.value && v.value.size <= 64 && (v.value.dtype === 'int64' || v.value.dtype === 'int32')) return Array.from(v.value.values());
  return undefined;
}

/**
 * Follows shape arithmetic that only moves elements (Gather, Slice, Concat, Unsqueeze, Squeeze, Reshape, Cast,
 * Identity) so that `Shape(x)` elements — symbolic ones included — reach the `Reshape`/`Expand` that uses them.
 */
function symbolicElements(
  opType: string,
  domain: string,
  attributes: Graph['nodes'][number]['attributes'],
  inputs: readonly (InferredValue | undefined)[],
): readonly Dim[] | undefined {
  if (domain !== '') return undefined;
  const first = inputs[0];
  const intAttr = (name: string, fallback: number): number => {
    const a = attributes[name];
    return a && a.type === 'int' ? a.value : fallback;
  };
  switch (opType) {
    case 'Identity':
    case 'Unsqueeze':
    case 'Squeeze':
    case 'Reshape':
    case 'Cast':
      return first?.dims;
    case 'Gather': {
      const src = first?.dims;
      const idx = inputs[1]?.value;
      if (!src || !idx || intAttr('axis', 0) !== 0) return undefined;
      const out: Dim[] = [];
      for (const k of idx.values()) {
        const j = k < 0 ? k + src.length : k;
        if (j < 0 || j >= src.length) return undefined;
        out.push(src[j]);
      }
      return out;
    }
    case 'Concat': {
      if (intAttr('axis', 0) !== 0 && intAttr('axis', 0) !== -1) return undefined;
      const parts = inputs.filter((v) => v !== undefined).map(elementsOf);
      if (parts.some((p) => p === undefined) || !inputs.some((v) => v?.dims)) return undefined;
      return parts.flatMap((p) => p as Dim[]);
    }
    case 'Slice': {
      const src = first?.dims;
      const st = elementsOf(inputs[1]);
      const en = elementsOf(inputs[2]);
      if (!src || !st || !en || st.length !== 1 || typeof st[0] !== 'number' || typeof en[0] !== 'number') return undefined;
      if (inputs[4] && elementsOf(inputs[4])?.[0] !== 1) return undefined;
      const n = src.length;
      const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
      return src.slice(clamp(st[0]), clamp(en[0]));
    }
    default:
      return undefined;
  }
}

/** Inferred facts win; declared ones fill the gaps (unknown dtype, unknown shape, unknown dims). */
function merge(inferred: InferredValue | undefined, declared: ValueInfo | undefined): InferredValue {
  if (!declared) return inferred ?? {};
  if (!inferred) return { dtype: declared.dtype, shape: declared.shape };
  let shape = inferred.shape ?? declared.shape;
  if (inferred.shape && declared.shape && inferred.shape.length === declared.shape.length) {
    shape = inferred.shape.map((d, i) => (d === undefined ? declared.shape![i] : d));
  }
  return {
    dtype: inferred.dtype ?? declared.dtype,
    shape,
    ...(inferred.value ? { value: inferred.value } : {}),
    ...(inferred.dims ? { dims: inferred.dims } : {}),
  };
}
