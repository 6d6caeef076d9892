// TypeScript views of the messages the ONNX schema decodes to (camelCase field names, as in onnx-schema.ts).
// int64 fields arrive as `Long` objects from protobufjs, or as numbers/bigints when a caller builds messages by hand.
// Every field is optional: proto2 messages may omit anything, and untrusted input often does.

/** A 64-bit integer as protobufjs decodes it (a `Long`), or a plain number / bigint. */
export type Int64Like = number | bigint | { low: number; high: number; unsigned?: boolean; toString(): string };

/** `StringStringEntryProto`. */
export interface StringStringEntryMessage {
  key?: string;
  value?: string;
}

/** `TensorProto`, decoded. The fields qint reads; see the ONNX specification for their meaning. */
export interface TensorProto {
  dims?: Int64Like[];
  dataType?: number;
  segment?: { begin?: Int64Like; end?: Int64Like };
  floatData?: number[];
  int32Data?: number[];
  stringData?: Uint8Array[];
  int64Data?: Int64Like[];
  name?: string;
  rawData?: Uint8Array;
  doubleData?: number[];
  uint64Data?: Int64Like[];
  docString?: string;
  externalData?: StringStringEntryMessage[];
  dataLocation?: number;
}

/** `SparseTensorProto`. */
export interface SparseTensorMessage {
  values?: TensorProto;
  indices?: TensorProto;
  dims?: Int64Like[];
}

/** `TensorShapeProto.Dimension`. */
export interface DimensionMessage {
  dimValue?: Int64Like;
  dimParam?: string;
}

/** `TypeProto` (tensor, sequence and optional are read). */
export interface TypeMessage {
  tensorType?: { elemType?: number; shape?: { dim?: DimensionMessage[] } };
  sequenceType?: { elemType?: TypeMessage };
  mapType?: unknown;
  sparseTensorType?: unknown;
  optionalType?: { elemType?: TypeMessage };
}

/** `ValueInfoProto`. */
export interface ValueInfoMessage {
  name?: string;
  type?: TypeMessage;
  docString?: string;
}

/** `AttributeProto`. */
export interface AttributeMessage {
  name?: string;
  f?: number;
  i?: Int64Like;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphMessage;
  floats?: number[];
  ints?: Int64Like[];
  strings?: Uint8Array[];
  tensors?: TensorProto[];
  graphs?: GraphMessage[];
  docString?: string;
  tp?: TypeMessage;
  typeProtos?: unknown[];
  type?: number;
  refAttrName?: string;
  sparseTensor?: SparseTensorMessage;
  sparseTensors?: SparseTensorMessage[];
}

/** `NodeProto`. */
export interface NodeMessage {
  input?: string[];
  output?: string[];
  name?: string;
  opType?: string;
  attribute?: AttributeMessage[];
  docString?: string;
  domain?: string;
}

/** `GraphProto`. */
export interface GraphMessage {
  node?: NodeMessage[];
  name?: string;
  initializer?: TensorProto[];
  docString?: string;
  input?: ValueInfoMessage[];
  output?: ValueInfoMessage[];
  valueInfo?: ValueInfoMessage[];
  sparseInitializer?: SparseTensorMessage[];
}

/** `OperatorSetIdProto`. */
export interface OperatorSetIdMessage {
  domain?: string;
  version?: Int64Like;
}

/** `ModelProto`. */
export interface ModelMessage {
  irVersion?: Int64Like;
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: Int64Like;
  docString?: string;
  graph?: GraphMessage;
  opsetImport?: OperatorSetIdMessage[];
  metadataProps?: StringStringEntryMessage[];
}

/** onnx.SequenceProto (test data of sequence values). */
export interface SequenceMessage {
  name?: string;
  elemType?: number;
  tensorValues?: TensorProto[];
  sequenceValues?: SequenceMessage[];
  optionalValues?: OptionalMessage[];
}

/** onnx.OptionalProto (test data of optional values). */
export interface OptionalMessage {
  name?: string;
  elemType?: number;
  tensorValue?: TensorProto;
  sequenceValue?: SequenceMessage;
  optionalValue?: OptionalMessage;
}
