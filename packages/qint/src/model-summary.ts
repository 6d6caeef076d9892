import { foldConstants, subgraphsOf, type Dim, type Graph, type Model, type ValueInfo } from '@qint/graph';
import type { Tensor } from '@qint/tensor';
import type { DType } from '@qint/tensor';

/** One named graph input or output. */
export interface ValueSummary {
  name: string;
  dtype: DType | 'unknown';
  /** Dims; symbolic ones by name, unknown ones as `'?'`. */
  shape: (number | string)[] | 'unknown';
}

/** One node that holds parameters (constant initializer inputs). */
export interface LayerSummary {
  /** The node's name; inside a subgraph, prefixed by its path (`Loop "/Loop".body > /rec/MatMul`). */
  name: string;
  opType: string;
  /** Number of parameter elements (int64 shape constants excluded). */
  parameters: number;
  /** Bytes of those parameters as stored. */
  bytes: number;
  /** Dtypes of the parameters as stored, e.g. `['float32']` or `['uint8', 'float32']` (packed sub-byte weights are uint8). */
  dtypes: DType[];
  /** Bits per weight value: 8/4/3/2 for quantized layers (whatever their packed storage dtype), 32 or 16 for float. */
  weightBits?: number;
  /** How the weights share scales: `'per-channel'`, `'per-tensor'`, `'per-block 32'`, or `'float'`. */
  scheme?: string;
}

const FLOAT_BITS: Partial<Record<DType, number>> = { float32: 32, float16: 16 };
const INT_BITS: Partial<Record<DType, number>> = { int8: 8, uint8: 8, int4: 4, uint4: 4, int2: 2, uint2: 2 };

/** The weight bits and scale scheme of a layer, from its op's attributes and inputs. */
function weightScheme(node: Model['graph']['nodes'][number], initializers: ReadonlyMap<string, Tensor>): { weightBits?: number; scheme?: string } {
  const int = (name: string): number | undefined => {
    const a = node.attributes[name];
    return a && a.type === 'int' ? a.value : undefined;
  };
  const w = node.inputs[1] ? initializers.get(node.inputs[1]) : undefined;
  const packedOp = node.domain === 'ai.qint' || node.opType === 'MatMulNBits';
  if (packedOp && int('bits') !== undefined) {
    const block = int('block_size') ?? 0;
    const scales = node.inputs[2] ? initializers.get(node.inputs[2]) : undefined;
    const n = int('N');
    const scheme = block > 0 ? `per-block ${block}` : scales && scales.size === 1 && n !== 1 ? 'per-tensor' : 'per-channel';
    return { weightBits: int('bits'), scheme };
  }
  if (!w) return {};
  if (node.domain === 'ai.qint' && node.opType === 'DynamicConv') {
    // int8/int4/int2 tensors, or a 3-bit stream stored as uint8 with the weight's shape in an attribute.
    const bits = w.dtype === 'uint8' && node.attributes.weight_shape ? 3 : INT_BITS[w.dtype];
    const scales = node.inputs[2] ? initializers.get(node.inputs[2]) : undefined;
    return { weightBits: bits, scheme: scales && scales.size === 1 ? 'per-tensor' : 'per-channel' };
  }
  if (FLOAT_BITS[w.dtype] !== undefined) return { weightBits: FLOAT_BITS[w.dtype], scheme: 'float' };
  if (INT_BITS[w.dtype] !== undefined) return { weightBits: INT_BITS[w.dtype] };
  return {};
}

/** What `qint inspect` shows: a model at a glance. */
export interface ModelSummary {
  producer: string;
  irVersion: number;
  opsets: Record<string, number>;
  inputs: ValueSummary[];
  outputs: ValueSummary[];
  /** Nodes of the main graph and of every If/Loop/Scan subgraph. */
  nodeCount: number;
  /** Node count per op type (subgraphs included) (`domain::Op` for non-ONNX domains). */
  ops: Record<string, number>;
  parameters: number;
  parameterBytes: number;
  /** Parameter bytes per dtype. */
  bytesByDType: Partial<Record<DType, number>>;
  layers: LayerSummary[];
}

function describeValue(info: ValueInfo): ValueSummary {
  return {
    name: info.name,
    dtype: info.dtype ?? 'unknown',
    shape: info.shape ? info.shape.map((d: Dim) => (d === undefined ? '?' : d)) : 'unknown',
  };
}

/**
 * Summarizes a model: inputs, outputs, op counts, parameters and bytes per layer and per dtype.
 *
 * @param model - a decoded model (ONNX or `.qint`)
 * @returns the summary (plain JSON)
 * @example
 * ```ts
 * summarizeModel(model).parameterBytes; // 23992 for mnist-8
 * ```
 */
export function summarizeModel(model: Model): ModelSummary {
  // Parameters are counted on the folded view: weights held in Constant nodes or behind constant chains count too.
  const { graph } = foldConstants(model);
  // One-element values that folding made initializers (an exporter's scalar Constant: an epsilon, a threshold) are
  // literals, not parameters.
  const literals = new Set<Tensor>();
  for (const [name, t] of graph.initializers) if (t.size <= 1 && !model.graph.initializers.has(name)) literals.add(t);
  const initializerNames = new Set(graph.initializers.keys());
  const ops: Record<string, number> = {};
  const layers: LayerSummary[] = [];
  let nodeCount = 0;
  let parameters = 0;
  let parameterBytes = 0;
  const bytesByDType: Partial<Record<DType, number>> = {};
  const counted = new Set<Tensor>();
  // Subgraphs see the initializers of their enclosing graphs (outer-scope weights, as PyTorch exports If branches).
  const walk = (g: Graph, visible: ReadonlyMap<string, Tensor>, prefix: string): void => {
    const scope = new Map(visible);
    for (const [name, t] of g.initializers) scope.set(name, t);
    for (const t of g.initializers.values()) {
      if (t.dtype === 'int64' || counted.has(t) || literals.has(t)) continue;
      counted.add(t);
      parameters += t.size;
      parameterBytes += t.data.byteLength;
      bytesByDType[t.dtype] = (bytesByDType[t.dtype] ?? 0) + t.data.byteLength;
    }
    g.nodes.forEach((node, index) => {
      let params = 0;
      let bytes = 0;
      const dtypes = new Set<DType>();
      for (const input of node.inputs) {
        const t = input ? scope.get(input) : undefined;
        if (!t || t.dtype === 'int64' || literals.has(t)) continue;
        params += t.size;
        bytes += t.data.byteLength;
        dtypes.add(t.dtype);
      }
      if (params > 0) layers.push({ name: `${prefix}${node.name || `${node.opType}#${layers.length}`}`, opType: node.opType, parameters: params, bytes, dtypes: [...dtypes], ...weightScheme(node, scope) });
      for (const [attr, sub] of subgraphsOf(node)) walk(sub, scope, `${prefix}${node.opType} "${node.name || `#${index}`}".${attr} > `);
    });
  };
  walk(graph, new Map(), '');
  // Ops and node counts are those of the file, before folding.
  const count = (g: Graph): void => {
    for (const node of g.nodes) {
      nodeCount++;
      const key = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}::${node.opType}` : node.opType;
      ops[key] = (ops[key] ?? 0) + 1;
      for (const [, sub] of subgraphsOf(node)) count(sub);
    }
  };
  count(model.graph);
  return {
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' ') || 'unknown',
    irVersion: model.irVersion,
    opsets: { ...model.opsetImports },
    inputs: graph.inputs.filter((i) => !initializerNames.has(i.name)).map(describeValue),
    outputs: graph.outputs.map(describeValue),
    nodeCount,
    ops,
    parameters,
    parameterBytes,
    bytesByDType,
    layers,
  };
}

/** Formats a byte count for people: `23.4 KB`, `2.3 MB` (1 KB = 1000 bytes). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} KB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}
