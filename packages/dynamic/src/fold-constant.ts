import type { Graph, Node } from '@qint/graph';
import { ShapeError, type Tensor } from '@qint/tensor';
import { isOnnx } from './node-utils';

/** Ops through which a constant weight may be reached; each is evaluated here on constants only. */
const FOLDABLE = new Set(['Identity', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Flatten', 'Constant', 'Cast']);

/** A constant resolved through foldable ops, with the nodes that were folded (candidates for removal). */
export interface FoldedConstant {
  tensor: Tensor;
  folded: Node[];
}

function ints(t: Tensor): number[] {
  return Array.from(t.values(), (v) => Number(v));
}

/** Tensor.reshape (ONNX semantics: −1 inferred, 0 copies a dim unless allowZero); undefined when it cannot. */
function reshapeTo(t: Tensor, spec: readonly number[], allowZero: boolean): Tensor | undefined {
  try {
    return t.reshape(spec, { allowZero });
  } catch (e) {
    if (e instanceof ShapeError) return undefined;
    throw e;
  }
}

function axesOf(node: Node, inputs: (Tensor | undefined)[]): number[] | undefined {
  const attr = node.attributes.axes;
  if (attr && attr.type === 'ints') return attr.value.slice();
  return inputs[1] ? ints(inputs[1]) : undefined;
}

/** Evaluates one foldable node on constant inputs; undefined when it cannot (unknown variant). */
function evaluate(node: Node, inputs: (Tensor | undefined)[]): Tensor | undefined {
  const x = inputs[0];
  switch (node.opType) {
    case 'Constant': {
      const v = node.attributes.value;
      return v && v.type === 'tensor' ? v.value : undefined;
    }
    case 'Identity':
      return x;
    case 'Cast': {
      // A half-precision weight widened to float32 (bfloat16/float16 storage exports): the half tensor itself, which
      // the quantizer widens exactly, so that sizes are reported against the stored bytes. Other casts do not fold.
      const to = node.attributes.to;
      return x && to?.type === 'int' && to.value === 1 && (x.dtype === 'float16' || x.dtype === 'bfloat16' || x.dtype === 'float32') ? x : undefined;
    }
    case 'Reshape': {
      if (!x || !inputs[1]) return undefined;
      const az = node.attributes.allowzero;
      return reshapeTo(x, ints(inputs[1]), az?.type === 'int' && az.value === 1);
    }
    case 'Transpose': {
      if (!x) return undefined;
      const perm = node.attributes.perm;
      return x.transpose(perm && perm.type === 'ints' ? perm.value : undefined);
    }
    case 'Flatten': {
      if (!x) return undefined;
      const a = node.attributes.axis;
      let axis = a && a.type === 'int' ? a.value : 1;
      if (axis < 0) axis += x.rank;
      const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
      return reshapeTo(x, [outer, x.size / (outer || 1)], true);
    }
    case 'Squeeze': {
      if (!x) return undefined;
      const axes = axesOf(node, inputs)?.map((v) => (v < 0 ? v + x.rank : v));
      return reshapeTo(x, x.shape.filter((d, i) => (axes ? !axes.includes(i) : d !== 1)), true);
    }
    case 'Unsqueeze': {
      if (!x) return undefined;
      const axes = axesOf(node, inputs);
      if (!axes) return undefined;
      const rank = x.rank + axes.length;
      const norm = axes.map((v) => (v < 0 ? v + rank : v));
      const out: number[] = [];
      let j = 0;
      for (let i = 0; i < rank; i++) out.push(norm.includes(i) ? 1 : x.shape[j++]);
      return reshapeTo(x, out, true);
    }
    default:
      return undefined;
  }
}

/**
 * Resolves a value to a constant when it is an initializer or the output of
 * Identity/Reshape/Transpose/Squeeze/Unsqueeze/Flatten/Constant applied to such constants — e.g. mnist-8's MatMul
 * weight `Reshape(initializer [16,4,4,10], [256,10])`. The graph is not modified. Initializers that older exporters
 * also list as graph inputs (mnist-8 does) count as constants, as in onnxruntime's quantization tool.
 *
 * @param graph - the float graph
 * @param name - the value name
 * @param producers - value name → producing node
 * @returns the constant and the folded nodes, or undefined when the value is not constant
 * @example
 * ```ts
 * const producers = new Map(graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
 * foldConstant(graph, 'Parameter193_reshape1', producers)?.tensor.shape; // [256, 10] for mnist-8
 * ```
 */
export function foldConstant(graph: Graph, name: string, producers: ReadonlyMap<string, Node>): FoldedConstant | undefined {
  const visit = (value: string, depth: number): FoldedConstant | undefined => {
    if (value === '') return undefined;
    const init = graph.initializers.get(value);
    if (init) return { tensor: init, folded: [] };
    const node = producers.get(value);
    if (!node || !FOLDABLE.has(node.opType) || depth > 16 || !isOnnx(node)) return undefined;
    const folded: Node[] = [];
    const inputs: (Tensor | undefined)[] = [];
    for (const input of node.inputs) {
      if (input === '') {
        inputs.push(undefined);
        continue;
      }
      const r = visit(input, depth + 1);
      if (!r) return undefined;
      inputs.push(r.tensor);
      folded.push(...r.folded);
    }
    const tensor = evaluate(node, inputs);
    return tensor ? { tensor, folded: [...folded, node] } : undefined;
  };
  return visit(name, 0);
}
