import type { Attribute, Dim, Graph, Model, Node, ValueInfo, ValueType } from '@qint/graph';
import { Tensor } from '@qint/tensor';
import { tensorToProto, type TensorProtoOut } from './encode-tensor';
import { dtypeToOnnx } from './onnx-data-type';
import { OnnxError } from './onnx-error';
import { convertOpsets } from './opset-conversion/convert-opsets';
import { onnxTypes } from './proto/onnx-schema';
import { toInt64Bits } from './proto/int64';
import { concatChunks, encodeModelChunks } from './encode-model-chunks';

const utf8 = new TextEncoder();

// AttributeProto.AttributeType numbers (wire format).
const ATTRIBUTE_TYPE_NUMBERS: Record<Attribute['type'], number> = {
  float: 1,
  int: 2,
  string: 3,
  tensor: 4,
  graph: 5,
  floats: 6,
  ints: 7,
  strings: 8,
  tensors: 9,
  type_proto: 13,
};

/** A message object for protobufjs's writer. */
export type Msg = Record<string, unknown>;

function withDoc(msg: Msg, doc: string | undefined): Msg {
  if (doc !== undefined && doc !== '') msg.docString = doc;
  return msg;
}

function attributeToProto(name: string, attr: Attribute, what: string): Msg {
  const at = `${what} attribute "${name}"`;
  const type = ATTRIBUTE_TYPE_NUMBERS[attr?.type];
  if (type === undefined) throw new OnnxError(`${at} has unknown type ${JSON.stringify((attr as { type?: unknown })?.type)}`);
  const msg: Msg = { name, type };
  switch (attr.type) {
    case 'float':
      msg.f = attr.value;
      break;
    case 'int':
      msg.i = toInt64Bits(attr.value, `${at} value`);
      break;
    case 'string':
      msg.s = utf8.encode(attr.value);
      break;
    case 'tensor':
      msg.t = tensorToProto(attr.value, '');
      break;
    case 'graph':
      msg.g = graphToProto(attr.value, `${at} graph`);
      break;
    case 'floats':
      msg.floats = [...attr.value];
      break;
    case 'ints':
      msg.ints = attr.value.map((v, i) => toInt64Bits(v, `${at} value[${i}]`));
      break;
    case 'strings':
      msg.strings = attr.value.map((s) => utf8.encode(s));
      break;
    case 'tensors':
      msg.tensors = attr.value.map((t) => tensorToProto(t, ''));
      break;
    case 'type_proto':
      msg.tp = valueTypeToProto(attr.value);
      break;
  }
  return msg;
}

function nodeToProto(node: Node, what: string): Msg {
  const at = `${what} (${node.opType})`;
  const msg: Msg = {
    input: [...node.inputs],
    output: [...node.outputs],
    opType: node.opType,
    attribute: Object.keys(node.attributes).map((k) => attributeToProto(k, node.attributes[k], at)),
  };
  if (node.name !== '') msg.name = node.name;
  if (node.domain !== '') msg.domain = node.domain;
  return withDoc(msg, node.docString);
}

function dimToProto(d: Dim): Msg {
  if (typeof d === 'number') return { dimValue: toInt64Bits(d, 'dim') };
  if (typeof d === 'string') return { dimParam: d };
  return {};
}

function valueTypeToProto(t: ValueType): Msg {
  if (t.kind === 'tensor') {
    const tensorType: Msg = t.dtype === undefined ? {} : { elemType: dtypeToOnnx(t.dtype) };
    if (t.shape !== undefined) tensorType.shape = { dim: t.shape.map(dimToProto) };
    return { tensorType };
  }
  const inner: Msg = t.elem === undefined ? {} : { elemType: valueTypeToProto(t.elem) };
  return t.kind === 'sequence' ? { sequenceType: inner } : { optionalType: inner };
}

function valueInfoToProto(v: ValueInfo, fallback: Tensor | undefined): Msg {
  if (v.type !== undefined && v.type.kind !== 'tensor') return withDoc({ name: v.name, type: valueTypeToProto(v.type) }, v.docString);
  const dtype = v.dtype ?? fallback?.dtype;
  const shape = v.shape ?? fallback?.shape;
  const msg: Msg = { name: v.name };
  if (dtype !== undefined || shape !== undefined) {
    // A shape without a dtype keeps elem_type unset (0): decoding gives back the same ValueInfo.
    const tensorType: Msg = dtype === undefined ? {} : { elemType: dtypeToOnnx(dtype) };
    if (shape !== undefined) tensorType.shape = { dim: shape.map(dimToProto) };
    msg.type = { tensorType };
  }
  return withDoc(msg, v.docString);
}

/** Receives each top-level initializer's message before it is written (used to move data to an external file). */
type InitializerSink = (proto: TensorProtoOut) => void;

function graphToProto(graph: Graph, what: string, sink?: InitializerSink): Msg {
  if (typeof graph !== 'object' || graph === null || !Array.isArray(graph.nodes)) throw new OnnxError(`${what} must be a Graph`);
  const initializer = [...graph.initializers].map(([name, t]) => {
    if (!(t instanceof Tensor)) throw new OnnxError(`${what} initializer "${name}" must be a qint Tensor`);
    const proto = tensorToProto(t, name);
    sink?.(proto);
    return proto;
  });
  const msg: Msg = {
    node: graph.nodes.map((n, i) => nodeToProto(n, `${what} node[${i}]`)),
    name: graph.name,
    initializer,
    input: graph.inputs.map((v) => valueInfoToProto(v, graph.initializers.get(v.name))),
    output: graph.outputs.map((v) => valueInfoToProto(v, undefined)),
    valueInfo: graph.valueInfo.map((v) => valueInfoToProto(v, undefined)),
  };
  return withDoc(msg, graph.docString);
}

/**
 * Builds the ModelProto message of a model (as protobufjs's writer takes it).
 *
 * @param model - the model
 * @param sink - called with each main-graph initializer's message (may move its data elsewhere)
 * @returns the message object
 * @throws {@link OnnxError} when the model is malformed (e.g. an initializer that is not a Tensor)
 */
export function modelToProto(source: Model, sink?: InitializerSink): Msg {
  if (typeof source !== 'object' || source === null || typeof source.graph !== 'object') throw new OnnxError('model must be a qint Model with a graph');
  // Nodes pinned to an older schema than the model's opset selects (the opset was raised since import) are rewritten.
  const model = convertOpsets(source);
  const msg: Msg = {
    irVersion: toInt64Bits(model.irVersion, 'irVersion'),
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    graph: graphToProto(model.graph, 'graph', sink),
    opsetImport: Object.keys(model.opsetImports).map((domain) => ({
      domain,
      version: toInt64Bits(model.opsetImports[domain], `opsetImports["${domain}"]`),
    })),
    metadataProps: Object.keys(model.metadata).map((key) => ({ key, value: model.metadata[key] })),
  };
  if (model.domain !== undefined && model.domain !== '') msg.domain = model.domain;
  if (model.modelVersion !== undefined) msg.modelVersion = toInt64Bits(model.modelVersion, 'modelVersion');
  return withDoc(msg, model.docString);
}

/**
 * Serializes a model as an ONNX `ModelProto` (the bytes of a `.onnx` file). All tensors are written inline in
 * `raw_data` (little-endian); the result loads in onnxruntime and other ONNX tools.
 *
 * @param model - the model
 * @returns the protobuf bytes
 * @throws {@link OnnxError} when the model is malformed or larger than protobuf's 2 GiB message limit
 * @throws {@link OpsetConversionError} when a node pinned to an older operator version cannot be converted to the model's opset
 * @example
 * ```ts
 * writeFileSync('out.onnx', encodeModel(decodeModel(readFileSync('in.onnx'))));
 * ```
 */
export function encodeModel(model: Model): Uint8Array {
  // One writer: the file is the streamed chunks joined (see encode-model-chunks.ts).
  return concatChunks(encodeModelChunks(model));
}

/**
 * Writes a ModelProto message as protobuf bytes.
 *
 * @param message - from {@link modelToProto}
 * @returns the bytes
 * @throws {@link OnnxError} when protobufjs cannot encode it or the result exceeds 2 GiB
 */
export function serializeModel(message: Msg): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = onnxTypes().ModelProto.encode(message).finish();
  } catch (cause) {
    throw new OnnxError(`model could not be encoded: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  if (bytes.length > 2 ** 31 - 1) throw new OnnxError(`encoded model is ${bytes.length} bytes, beyond protobuf's 2 GiB limit`);
  return bytes;
}
