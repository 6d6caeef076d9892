// The qint model IR. It mirrors ONNX's ModelProto/GraphProto closely (so import and export are mechanical) but holds
// decoded values: attributes as typed JS values, initializers as `Tensor`s, shapes as numbers or symbolic names.
import type { DType, QuantParams, Tensor } from '@qint/tensor';

/** The default ONNX operator domain (`ai.onnx`) is the empty string, as in ONNX. */
export const ONNX_DOMAIN = '';
/** The Microsoft contrib-op domain (QLinearAdd, MatMulNBits, DynamicQuantizeMatMul, ...). */
export const MS_DOMAIN = 'com.microsoft';
/** Opsets assumed for a bare graph (no model `opsetImports`): the session and shape inference agree on them. */
export const DEFAULT_OPSETS: Readonly<Record<string, number>> = { '': 21, [MS_DOMAIN]: 1 };

/** A node attribute, decoded. ONNX int64 attributes are numbers (huge sentinels like INT64_MAX become ≈9.22e18). */
export type Attribute =
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'tensor'; readonly value: Tensor }
  | { readonly type: 'graph'; readonly value: Graph }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly type: 'strings'; readonly value: readonly string[] }
  | { readonly type: 'tensors'; readonly value: readonly Tensor[] }
  /** ONNX TYPE_PROTO (e.g. Optional's and SequenceEmpty's `type`): a value type. */
  | { readonly type: 'type_proto'; readonly value: ValueType };

/** One dimension of a declared shape: a size, a symbolic name (`'batch'`), or unknown. */
export type Dim = number | string | undefined;

/**
 * The type of a value that is not a plain tensor: an ONNX sequence or optional, with its element type (a tensor's
 * dtype/shape, or another sequence/optional). Absent `elem`: not declared.
 */
export type ValueType =
  | { readonly kind: 'tensor'; readonly dtype?: DType; readonly shape?: readonly Dim[] }
  | { readonly kind: 'sequence'; readonly elem?: ValueType }
  | { readonly kind: 'optional'; readonly elem?: ValueType };

/** A named value's declared type: dtype and (possibly symbolic) shape; either may be unknown. */
export interface ValueInfo {
  readonly name: string;
  readonly dtype?: DType;
  readonly shape?: readonly Dim[];
  /**
   * Set only for values that are not dense tensors (`kind` `'sequence'` or `'optional'`); `dtype`/`shape` are then
   * unset. Absent: a tensor described by `dtype` and `shape`.
   */
  readonly type?: ValueType;
  readonly docString?: string;
}

/** One operator application. An empty string in `inputs` marks an omitted optional input, as in ONNX. */
export interface Node {
  readonly name: string;
  readonly opType: string;
  /** `''` for ai.onnx, `'com.microsoft'` for contrib ops, ... */
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, Attribute>>;
  /**
   * The operator version this node is pinned to: the since-version of the schema that applied under the model's opset
   * import when the node was read (for ai.onnx; for other domains, the domain's opset version). The executor and shape
   * inference pick the node's implementation by it, so raising a model's opset never changes what an existing node
   * means; ONNX export converts pinned nodes whose schema changed up to the exported opset. Absent on nodes created
   * after import (quantizer output): those follow the model's `opsetImports`.
   */
  readonly sinceVersion?: number;
  readonly docString?: string;
}

/** A computation graph: nodes in topological order (as ONNX requires), constant initializers, graph inputs and outputs. */
export interface Graph {
  readonly name: string;
  readonly nodes: readonly Node[];
  /** Constant tensors by name. A name may also appear in `inputs` (older exporters do that); the initializer is its default. */
  readonly initializers: ReadonlyMap<string, Tensor>;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  /** Declared types of intermediate values, when the producer recorded them. */
  readonly valueInfo: readonly ValueInfo[];
  /**
   * Quantization parameters attached to initializers, by initializer name (e.g. the per-block scales of a packed int4
   * weight). ONNX keeps scales as separate tensors instead; qint's own formats and quantizers use this.
   */
  readonly quantParams?: ReadonlyMap<string, QuantParams>;
  readonly docString?: string;
}

/** A whole model: the graph plus the opset versions it was written against and producer metadata. */
export interface Model {
  readonly irVersion: number;
  /** Operator set version per domain, e.g. `{ '': 13, 'com.microsoft': 1 }`. */
  readonly opsetImports: Readonly<Record<string, number>>;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly domain?: string;
  readonly modelVersion?: number;
  readonly docString?: string;
  /** ONNX `metadata_props`. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly graph: Graph;
}
