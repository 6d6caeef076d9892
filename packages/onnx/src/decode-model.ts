import { inferShapes, pinOpVersions, sortNodes, type Attribute, type Dim, type Graph, type Model, type Node, type ValueInfo, type ValueType } from '@qint/graph';
import { QintError, type Tensor } from '@qint/tensor';
import { tensorFromProto } from './decode-tensor';
import type { DecodeModelOptions, ExternalDataOptions } from './external-data-options';
import { dtypeFromOnnx, onnxDataTypeName } from './onnx-data-type';
import { OnnxError } from './onnx-error';
import { decodeProto } from './proto/decode-proto';
import { int64ToNumber, int64ToSafeInteger } from './proto/int64';
import type {
  AttributeMessage,
  DimensionMessage,
  GraphMessage,
  ModelMessage,
  NodeMessage,
  StringStringEntryMessage,
  TypeMessage,
  ValueInfoMessage,
} from './proto/proto-messages';


const utf8 = new TextDecoder('utf-8');

function has(msg: object, field: string): boolean {
  return Object.prototype.hasOwnProperty.call(msg, field);
}

function list<T>(value: T[] | undefined, what: string): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OnnxError(`${what} must be a repeated field`);
  return value;
}

function str(value: unknown, what: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new OnnxError(`${what} must be a string, got ${typeof value}`);
  return value;
}

function bytesToString(value: unknown, what: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return utf8.decode(value);
  throw new OnnxError(`${what} must be bytes (UTF-8 text), got ${typeof value}`);
}

/** The ONNX default domain may be written as '' or 'ai.onnx'; the IR always uses ''. */
function normalizeDomain(domain: string): string {
  return domain === 'ai.onnx' ? '' : domain;
}

function optionalDoc(doc: unknown, what: string): { docString?: string } {
  const text = str(doc, what);
  return text === '' ? {} : { docString: text };
}

function decodeDim(dim: DimensionMessage, what: string): Dim {
  if (has(dim, 'dimValue') && dim.dimValue !== undefined) {
    const n = int64ToNumber(dim.dimValue, what);
    // Some exporters write -1 for "unknown"; anything else negative or non-integral is corrupt.
    if (n === -1) return undefined;
    if (!Number.isSafeInteger(n) || n < 0) throw new OnnxError(`${what} dim_value = ${n} must be a non-negative integer`);
    return n;
  }
  if (has(dim, 'dimParam') && dim.dimParam !== undefined) {
    const p = str(dim.dimParam, what);
    return p === '' ? undefined : p;
  }
  return undefined;
}

/** A tensor TypeProto's dtype and shape (unknown element type 0 is allowed: nothing declared). */
function decodeTensorType(
  tensorType: NonNullable<TypeMessage['tensorType']>,
  what: string,
  name: string,
  strict: boolean,
): { dtype?: ValueInfo['dtype']; shape?: Dim[] } {
  const info: { dtype?: ValueInfo['dtype']; shape?: Dim[] } = {};
  const elemType = tensorType.elemType ?? 0;
  const dtype = dtypeFromOnnx(elemType);
  if (dtype !== undefined) info.dtype = dtype;
  else if (strict && elemType !== 0) {
    throw new OnnxError(`${what} "${name}" has element type ${onnxDataTypeName(elemType)}, which qint cannot hold`);
  }
  if (tensorType.shape !== undefined && tensorType.shape !== null) {
    info.shape = list(tensorType.shape.dim, `${what} shape.dim`).map((d, i) => decodeDim(d, `${what} "${name}" shape.dim[${i}]`));
  }
  return info;
}

/** A sequence/optional TypeProto (nested to any depth), or undefined for a tensor type; maps and sparse tensors are refused. */
function decodeValueType(type: TypeMessage, what: string, name: string, strict: boolean, depth = 0): ValueType | undefined {
  if (depth > 16) throw new OnnxError(`${what} "${name}" nests sequence/optional types deeper than 16`);
  if (type.tensorType !== undefined && type.tensorType !== null) return { kind: 'tensor', ...decodeTensorType(type.tensorType, what, name, strict) };
  const inner = (t: { elemType?: TypeMessage } | undefined): ValueType | undefined =>
    t?.elemType === undefined || t.elemType === null ? undefined : decodeValueType(t.elemType, what, name, strict, depth + 1);
  if (type.sequenceType !== undefined && type.sequenceType !== null) {
    const elem = inner(type.sequenceType);
    return elem ? { kind: 'sequence', elem } : { kind: 'sequence' };
  }
  if (type.optionalType !== undefined && type.optionalType !== null) {
    const elem = inner(type.optionalType);
    return elem ? { kind: 'optional', elem } : { kind: 'optional' };
  }
  if (type.mapType || type.sparseTensorType) {
    if (!strict) return undefined;
    throw new OnnxError(`${what} "${name}" is ${type.mapType ? 'a map' : 'a sparse tensor'}; qint graphs take and return tensors, sequences and optionals only`);
  }
  return undefined; // an empty TypeProto (PyTorch writes `type {}` on If branch outputs): nothing declared
}

function decodeValueInfo(v: ValueInfoMessage, what: string, strict: boolean): ValueInfo {
  if (typeof v !== 'object' || v === null) throw new OnnxError(`${what} must be a ValueInfoProto`);
  const name = str(v.name, `${what} name`);
  if (name === '') throw new OnnxError(`${what} has no name`);
  const info: { name: string; dtype?: ValueInfo['dtype']; shape?: Dim[]; type?: ValueType; docString?: string } = { name };
  const type = v.type;
  if (type !== undefined && type !== null) {
    if (type.tensorType !== undefined && type.tensorType !== null) Object.assign(info, decodeTensorType(type.tensorType, what, name, strict));
    else {
      const vt = decodeValueType(type, what, name, strict);
      if (vt !== undefined && vt.kind !== 'tensor') info.type = vt;
    }
  }
  Object.assign(info, optionalDoc(v.docString, `${what} doc_string`));
  return info;
}

const ATTRIBUTE_TYPES: Record<number, Attribute['type'] | 'graphs' | 'sparse_tensor' | 'sparse_tensors' | 'type_proto' | 'type_protos'> = {
  1: 'float',
  2: 'int',
  3: 'string',
  4: 'tensor',
  5: 'graph',
  6: 'floats',
  7: 'ints',
  8: 'strings',
  9: 'tensors',
  10: 'graphs',
  11: 'sparse_tensor',
  12: 'sparse_tensors',
  13: 'type_proto',
  14: 'type_protos',
};

/** IR version 1 models have no attribute type field: infer it from the value field that is present. */
function inferAttributeType(a: AttributeMessage): number {
  if (has(a, 'f')) return 1;
  if (has(a, 'i')) return 2;
  if (has(a, 's')) return 3;
  if (has(a, 't')) return 4;
  if (has(a, 'g')) return 5;
  if ((a.floats?.length ?? 0) > 0) return 6;
  if ((a.ints?.length ?? 0) > 0) return 7;
  if ((a.strings?.length ?? 0) > 0) return 8;
  if ((a.tensors?.length ?? 0) > 0) return 9;
  if ((a.graphs?.length ?? 0) > 0) return 10;
  return 0;
}

function decodeAttribute(a: AttributeMessage, what: string, options: ExternalDataOptions): [string, Attribute] {
  if (typeof a !== 'object' || a === null) throw new OnnxError(`${what} must be an AttributeProto`);
  const name = str(a.name, `${what} name`);
  if (name === '') throw new OnnxError(`${what} has no name`);
  const at = `${what} "${name}"`;
  if (str(a.refAttrName, `${at} ref_attr_name`) !== '') {
    throw new OnnxError(`${at} refers to a function attribute (ref_attr_name), which is only valid inside model-local functions`);
  }
  const typeNumber = a.type === undefined || a.type === null || a.type === 0 ? inferAttributeType(a) : a.type;
  const type = ATTRIBUTE_TYPES[typeNumber];
  switch (type) {
    case 'float':
      if (typeof (a.f ?? 0) !== 'number') throw new OnnxError(`${at} f must be a float`);
      return [name, { type, value: a.f ?? 0 }];
    case 'int':
      return [name, { type, value: int64ToNumber(a.i, `${at} i`) }];
    case 'string':
      return [name, { type, value: bytesToString(a.s, `${at} s`) }];
    case 'tensor':
      if (a.t === undefined || a.t === null) throw new OnnxError(`${at} is a TENSOR attribute without a tensor (t)`);
      return [name, { type, value: tensorFromProto(a.t, options, `${at} t`) }];
    case 'graph':
      if (a.g === undefined || a.g === null) throw new OnnxError(`${at} is a GRAPH attribute without a graph (g)`);
      return [name, { type, value: decodeGraph(a.g, options, `${at} g`) }];
    case 'floats':
      return [name, { type, value: list(a.floats, `${at} floats`).map((f, i) => {
        if (typeof f !== 'number') throw new OnnxError(`${at} floats[${i}] must be a float`);
        return f;
      }) }];
    case 'ints':
      return [name, { type, value: list(a.ints, `${at} ints`).map((v, i) => int64ToNumber(v, `${at} ints[${i}]`)) }];
    case 'strings':
      return [name, { type, value: list(a.strings, `${at} strings`).map((s, i) => bytesToString(s, `${at} strings[${i}]`)) }];
    case 'tensors':
      return [name, { type, value: list(a.tensors, `${at} tensors`).map((t, i) => tensorFromProto(t, options, `${at} tensors[${i}]`)) }];
    case 'type_proto': {
      const vt = a.tp ? decodeValueType(a.tp, at, name, true) : undefined;
      if (vt === undefined) throw new OnnxError(`${at} is a TYPE_PROTO attribute without a type (tp)`);
      return [name, { type: 'type_proto', value: vt }];
    }
    case undefined:
      throw new OnnxError(`${at} has unknown attribute type ${typeNumber}`);
    default:
      throw new OnnxError(`${at} has attribute type ${type.toUpperCase()}, which qint does not support`);
  }
}

function decodeNode(n: NodeMessage, what: string, options: ExternalDataOptions): Node {
  if (typeof n !== 'object' || n === null) throw new OnnxError(`${what} must be a NodeProto`);
  const opType = str(n.opType, `${what} op_type`);
  if (opType === '') throw new OnnxError(`${what} has no op_type`);
  const name = str(n.name, `${what} name`);
  const at = `${what} (${opType}${name === '' ? '' : ` "${name}"`})`;
  // A null-prototype record: attribute names come from the file and must not reach Object.prototype.
  const attributes: Record<string, Attribute> = Object.create(null) as Record<string, Attribute>;
  list(n.attribute, `${at} attribute`).forEach((a, i) => {
    const [key, value] = decodeAttribute(a, `${at} attribute[${i}]`, options);
    if (Object.prototype.hasOwnProperty.call(attributes, key)) throw new OnnxError(`${at} has attribute "${key}" twice`);
    attributes[key] = value;
  });
  return {
    name,
    opType,
    domain: normalizeDomain(str(n.domain, `${at} domain`)),
    inputs: list(n.input, `${at} input`).map((s, i) => str(s, `${at} input[${i}]`)),
    outputs: list(n.output, `${at} output`).map((s, i) => str(s, `${at} output[${i}]`)),
    attributes,
    ...optionalDoc(n.docString, `${at} doc_string`),
  };
}

/**
 * Converts a decoded GraphProto into the IR (also used for subgraphs in attributes).
 *
 * @param g - the decoded message
 * @param options - external data sources
 * @param what - the graph's path for error messages
 * @returns the graph
 * @throws {@link OnnxError} for anything wrong in it
 */
export function decodeGraph(g: GraphMessage, options: ExternalDataOptions, what: string): Graph {
  if (typeof g !== 'object' || g === null) throw new OnnxError(`${what} must be a GraphProto`);
  if (list(g.sparseInitializer, `${what} sparse_initializer`).length > 0) {
    throw new OnnxError(`${what} has sparse_initializer entries, which qint does not support (densify them before import)`);
  }
  const initializers = new Map<string, Tensor>();
  list(g.initializer, `${what} initializer`).forEach((t, i) => {
    const name = str(t?.name, `${what} initializer[${i}] name`);
    if (name === '') throw new OnnxError(`${what} initializer[${i}] has no name`);
    if (initializers.has(name)) throw new OnnxError(`${what} initializer[${i}] "${name}" repeats an earlier initializer's name`);
    initializers.set(name, tensorFromProto(t, options, `${what} initializer[${i}] "${name}"`));
  });
  return {
    name: str(g.name, `${what} name`),
    nodes: list(g.node, `${what} node`).map((n, i) => decodeNode(n, `${what} node[${i}]`, options)),
    initializers,
    inputs: list(g.input, `${what} input`).map((v, i) => decodeValueInfo(v, `${what} input[${i}]`, true)),
    outputs: list(g.output, `${what} output`).map((v, i) => decodeValueInfo(v, `${what} output[${i}]`, true)),
    valueInfo: list(g.valueInfo, `${what} value_info`).map((v, i) => decodeValueInfo(v, `${what} value_info[${i}]`, false)),
    ...optionalDoc(g.docString, `${what} doc_string`),
  };
}

function decodeMetadata(entries: StringStringEntryMessage[] | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  list(entries, what).forEach((e, i) => {
    out[str(e?.key, `${what}[${i}] key`)] = str(e?.value, `${what}[${i}] value`);
  });
  return out;
}

/**
 * Converts a decoded ModelProto message into the IR.
 *
 * @param msg - the decoded message
 * @param options - external data sources
 * @returns the model
 * @throws {@link OnnxError} for anything wrong in it
 */
export function modelFromProto(msg: ModelMessage, options: ExternalDataOptions = {}): Model {
  if (typeof msg !== 'object' || msg === null) throw new OnnxError('model must be a ModelProto');
  if (msg.graph === undefined || msg.graph === null || !has(msg, 'graph')) throw new OnnxError('model has no graph (ModelProto.graph)');
  const opsetImports: Record<string, number> = Object.create(null) as Record<string, number>;
  list(msg.opsetImport, 'opset_import').forEach((o, i) => {
    const domain = normalizeDomain(str(o?.domain, `opset_import[${i}] domain`));
    const version = int64ToSafeInteger(o?.version, `opset_import[${i}] version`);
    if (version < 0) throw new OnnxError(`opset_import[${i}] version ${version} is negative`);
    opsetImports[domain] = Math.max(opsetImports[domain] ?? 0, version);
  });
  const irVersion = int64ToSafeInteger(msg.irVersion, 'ir_version');
  const domain = str(msg.domain, 'domain');
  const model: {
    -readonly [K in keyof Model]: Model[K];
  } = {
    irVersion,
    opsetImports,
    producerName: str(msg.producerName, 'producer_name'),
    producerVersion: str(msg.producerVersion, 'producer_version'),
    metadata: decodeMetadata(msg.metadataProps, 'metadata_props'),
    graph: decodeGraph(msg.graph, options, 'graph'),
  };
  if (domain !== '') model.domain = domain;
  if (has(msg, 'modelVersion') && msg.modelVersion !== undefined) model.modelVersion = int64ToSafeInteger(msg.modelVersion, 'model_version');
  Object.assign(model, optionalDoc(msg.docString, 'doc_string'));
  // onnxruntime accepts nodes out of topological order; so does qint, sorting them (stable; a cycle is a GraphError).
  model.graph = sortNodes(model.graph);
  // Each node keeps the semantics of the opset it was written for, whatever later raises the model's opset.
  const pinned = pinOpVersions(model);
  return withInferredOutputTypes(pinned);
}

/**
 * Graph outputs declared without a type (`type {}`) or without a dtype get the dtype (and shape, when it has none)
 * that shape inference finds, as onnxruntime infers them. Only the main graph: subgraph outputs stay as declared.
 */
function withInferredOutputTypes(model: Model): Model {
  const outputs = model.graph.outputs;
  if (outputs.every((o) => o.dtype !== undefined || o.type !== undefined)) return model;
  const inferred = inferShapes(model, { maxFoldElements: 0 });
  const filled = outputs.map((o) => {
    if (o.dtype !== undefined || o.type !== undefined) return o;
    const info = inferred.get(o.name);
    if (info?.dtype === undefined) return o;
    return { ...o, dtype: info.dtype, ...(o.shape === undefined && info.shape !== undefined ? { shape: info.shape } : {}) };
  });
  return { ...model, graph: { ...model.graph, outputs: filled } };
}

/**
 * Decodes an ONNX model (`ModelProto` bytes, e.g. a `.onnx` file) into qint's model IR. Initializers become Tensors,
 * attributes typed values, shapes numbers or symbolic names. Tensors stored as external data are read from
 * `options.baseDir` (Node) or `options.externalData` (in memory), only from inside the model's folder.
 *
 * @param bytes - the serialized model (a Uint8Array, e.g. a Node Buffer, or an ArrayBuffer)
 * @param options - `baseDir`: the model's folder, needed when it uses external data; `externalData`: files in memory
 * @returns the model
 * @throws {@link OnnxError} for corrupt or truncated protobuf, missing or malformed fields (the message names the field),
 *   tensors of a data type qint cannot hold, and unsafe or inconsistent external data
 * @example
 * ```ts
 * const model = decodeModel(readFileSync('mnist-8/model.onnx'), { baseDir: 'mnist-8' });
 * model.graph.nodes.length; // 12
 * ```
 */
export function decodeModel(bytes: Uint8Array | ArrayBuffer, options: DecodeModelOptions = {}): Model {
  const msg = decodeProto<ModelMessage>('ModelProto', bytes, 'model');
  try {
    return modelFromProto(msg, options);
  } catch (e) {
    // Another qint error (e.g. a ShapeError from building a tensor) is still a problem of the input: report it as one.
    // Anything else is a bug and propagates unchanged, so that fuzzing finds it.
    if (e instanceof QintError && !(e instanceof OnnxError)) throw new OnnxError(`model could not be decoded: ${e.message}`, { cause: e });
    throw e;
  }
}
