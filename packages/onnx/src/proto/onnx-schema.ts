// The subset of ONNX's protobuf schema (package `onnx`, proto2) that qint reads and writes, as a protobufjs reflection
// descriptor. Written from the wire-format facts (field numbers, scalar types, packing) of onnx.proto; fields qint does
// not use (training info, model-local functions, device configurations, ...) are left out, so the decoder skips them.
// A JSON descriptor (rather than .proto text parsed at run time) keeps protobufjs's parser out of the bundle.
import protobuf from 'protobufjs/light.js';

type FieldJson = { type: string; id: number; rule?: 'repeated'; options?: { packed: boolean } };
type MessageJson = { fields: Record<string, FieldJson>; oneofs?: Record<string, { oneof: string[] }>; nested?: Record<string, unknown> };

const opt = (type: string, id: number): FieldJson => ({ type, id });
const rep = (type: string, id: number): FieldJson => ({ type, id, rule: 'repeated' });
const packed = (type: string, id: number): FieldJson => ({ type, id, rule: 'repeated', options: { packed: true } });

const stringStringEntry: MessageJson = { fields: { key: opt('string', 1), value: opt('string', 2) } };

const tensorProto: MessageJson = {
  fields: {
    dims: rep('int64', 1),
    dataType: opt('int32', 2),
    segment: opt('Segment', 3),
    floatData: packed('float', 4),
    int32Data: packed('int32', 5),
    stringData: rep('bytes', 6),
    int64Data: packed('int64', 7),
    name: opt('string', 8),
    rawData: opt('bytes', 9),
    doubleData: packed('double', 10),
    uint64Data: packed('uint64', 11),
    docString: opt('string', 12),
    externalData: rep('StringStringEntryProto', 13),
    dataLocation: opt('int32', 14),
    metadataProps: rep('StringStringEntryProto', 16),
  },
  nested: {
    Segment: { fields: { begin: opt('int64', 1), end: opt('int64', 2) } },
  },
};

const sparseTensorProto: MessageJson = {
  fields: { values: opt('TensorProto', 1), indices: opt('TensorProto', 2), dims: rep('int64', 3) },
};

const tensorShapeProto: MessageJson = {
  fields: { dim: rep('Dimension', 1) },
  nested: {
    Dimension: {
      fields: { dimValue: opt('int64', 1), dimParam: opt('string', 2), denotation: opt('string', 3) },
      oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
    },
  },
};

const typeProto: MessageJson = {
  fields: {
    tensorType: opt('TensorTypeProto', 1),
    sequenceType: opt('SequenceTypeProto', 4),
    mapType: opt('MapTypeProto', 5),
    denotation: opt('string', 6),
    sparseTensorType: opt('TensorTypeProto', 8),
    optionalType: opt('SequenceTypeProto', 9),
  },
  oneofs: { value: { oneof: ['tensorType', 'sequenceType', 'mapType', 'sparseTensorType', 'optionalType'] } },
  nested: {
    // ONNX's nested TypeProto.Tensor / .Sequence / .Map (Optional has the Sequence layout: one elem_type = 1).
    TensorTypeProto: { fields: { elemType: opt('int32', 1), shape: opt('TensorShapeProto', 2) } },
    SequenceTypeProto: { fields: { elemType: opt('TypeProto', 1) } },
    MapTypeProto: { fields: { keyType: opt('int32', 1), valueType: opt('TypeProto', 2) } },
  },
};

const valueInfoProto: MessageJson = {
  fields: {
    name: opt('string', 1),
    type: opt('TypeProto', 2),
    docString: opt('string', 3),
    metadataProps: rep('StringStringEntryProto', 4),
  },
};

const attributeProto: MessageJson = {
  fields: {
    name: opt('string', 1),
    f: opt('float', 2),
    i: opt('int64', 3),
    s: opt('bytes', 4),
    t: opt('TensorProto', 5),
    g: opt('GraphProto', 6),
    floats: rep('float', 7),
    ints: rep('int64', 8),
    strings: rep('bytes', 9),
    tensors: rep('TensorProto', 10),
    graphs: rep('GraphProto', 11),
    docString: opt('string', 13),
    tp: opt('TypeProto', 14),
    typeProtos: rep('TypeProto', 15),
    type: opt('int32', 20),
    refAttrName: opt('string', 21),
    sparseTensor: opt('SparseTensorProto', 22),
    sparseTensors: rep('SparseTensorProto', 23),
  },
};

const nodeProto: MessageJson = {
  fields: {
    input: rep('string', 1),
    output: rep('string', 2),
    name: opt('string', 3),
    opType: opt('string', 4),
    attribute: rep('AttributeProto', 5),
    docString: opt('string', 6),
    domain: opt('string', 7),
    overload: opt('string', 8),
    metadataProps: rep('StringStringEntryProto', 9),
  },
};

const graphProto: MessageJson = {
  fields: {
    node: rep('NodeProto', 1),
    name: opt('string', 2),
    initializer: rep('TensorProto', 5),
    docString: opt('string', 10),
    input: rep('ValueInfoProto', 11),
    output: rep('ValueInfoProto', 12),
    valueInfo: rep('ValueInfoProto', 13),
    sparseInitializer: rep('SparseTensorProto', 15),
    metadataProps: rep('StringStringEntryProto', 16),
  },
};

// Test data of sequence and optional inputs/outputs (`input_0.pb` of a SequenceProto or OptionalProto).
const sequenceProto: MessageJson = {
  fields: {
    name: opt('string', 1),
    elemType: opt('int32', 2),
    tensorValues: rep('TensorProto', 3),
    sequenceValues: rep('SequenceProto', 5),
    optionalValues: rep('OptionalProto', 7),
  },
};

const optionalProto: MessageJson = {
  fields: {
    name: opt('string', 1),
    elemType: opt('int32', 2),
    tensorValue: opt('TensorProto', 3),
    sequenceValue: opt('SequenceProto', 5),
    optionalValue: opt('OptionalProto', 7),
  },
};

const operatorSetIdProto: MessageJson = { fields: { domain: opt('string', 1), version: opt('int64', 2) } };

const modelProto: MessageJson = {
  fields: {
    irVersion: opt('int64', 1),
    producerName: opt('string', 2),
    producerVersion: opt('string', 3),
    domain: opt('string', 4),
    modelVersion: opt('int64', 5),
    docString: opt('string', 6),
    graph: opt('GraphProto', 7),
    opsetImport: rep('OperatorSetIdProto', 8),
    metadataProps: rep('StringStringEntryProto', 14),
    // Model-local functions (25) and training info (20) are not read: a node calling a local function fails later as
    // an unsupported op, which names it.
  },
};

const messages: Record<string, MessageJson> = {
  StringStringEntryProto: stringStringEntry,
  TensorProto: tensorProto,
  SparseTensorProto: sparseTensorProto,
  TensorShapeProto: tensorShapeProto,
  TypeProto: typeProto,
  ValueInfoProto: valueInfoProto,
  AttributeProto: attributeProto,
  NodeProto: nodeProto,
  GraphProto: graphProto,
  OperatorSetIdProto: operatorSetIdProto,
  SequenceProto: sequenceProto,
  OptionalProto: optionalProto,
  ModelProto: modelProto,
};

/**
 * The descriptor, exported for tests. Every message is marked proto2 (protobufjs assumes proto3 for JSON types):
 * ONNX is a proto2 schema, so unpacked repeated scalars unless `[packed = true]`, and explicit presence — a field
 * set to its default (an attribute `i = 0`, an empty `raw_data`) is still written.
 */
export const ONNX_SCHEMA_JSON = {
  nested: {
    onnx: {
      nested: Object.fromEntries(Object.entries(messages).map(([name, m]) => [name, { ...m, edition: 'proto2' }])),
    },
  },
};

/** The protobufjs message types of the ONNX schema. */
export interface OnnxTypes {
  readonly ModelProto: protobuf.Type;
  readonly GraphProto: protobuf.Type;
  readonly TensorProto: protobuf.Type;
  readonly SequenceProto: protobuf.Type;
  readonly OptionalProto: protobuf.Type;
}

let cached: OnnxTypes | undefined;

/**
 * Builds (once) and returns the protobufjs types of the ONNX schema. Lazy so that importing the package costs nothing.
 *
 * @returns the message types
 */
export function onnxTypes(): OnnxTypes {
  if (cached === undefined) {
    const root = protobuf.Root.fromJSON(ONNX_SCHEMA_JSON as unknown as protobuf.INamespace);
    root.resolveAll();
    cached = {
      ModelProto: root.lookupType('onnx.ModelProto'),
      GraphProto: root.lookupType('onnx.GraphProto'),
      TensorProto: root.lookupType('onnx.TensorProto'),
      SequenceProto: root.lookupType('onnx.SequenceProto'),
      OptionalProto: root.lookupType('onnx.OptionalProto'),
    };
  }
  return cached;
}
