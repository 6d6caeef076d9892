// Lays out a model as a .qint file without copying tensor data: the plan holds the preamble and header bytes and,
// per tensor, a byte view of the model's own storage and its offset. Writers emit these pieces in order.
import { nodeOpset, schemaSinceVersion } from '@qint/graph';
import { byteLengthOf, isDType, type DType, type QuantParams, type Tensor } from '@qint/tensor';
import { QINT_ALIGNMENT, QINT_FORMAT_MAJOR, QINT_FORMAT_MINOR, QINT_MAGIC, QINT_PREAMBLE_BYTES } from '../constants';
import { FormatError } from '../format-error';
import type { EncodeQintOptions } from '../qint-types';
import { checksumHex, createChecksum } from './checksum';
import type { Attribute, Graph, Model, Node, ValueInfo, ValueType } from './ir';
import { headerCap } from './read-header';
import { KNOWN_TOP_LEVEL, PRODUCER, assertLittleEndian, defineOwn, encodeNumber } from './shared';
import type { JsonObject, JsonValue } from './strict-json';
import { encodeUtf8 } from './utf8';

/** A tensor's place in the file. */
export interface PlannedTensor {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** Offset relative to the data section. */
  readonly offset: number;
}

export interface WritePlan {
  /** Preamble + JSON header + zero padding up to the data section. */
  readonly head: Uint8Array;
  readonly tensors: readonly PlannedTensor[];
  readonly dataLength: number;
  readonly totalLength: number;
  readonly dataOffset: number;
}

const align = (n: number): number => Math.ceil(n / QINT_ALIGNMENT) * QINT_ALIGNMENT;

function bad(reason: ConstructorParameters<typeof FormatError>[0], message: string, field: string): never {
  throw new FormatError(reason, message, { field, offset: -1 });
}

function bytesOf(data: ArrayBufferView): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Plans the file. Call `loadChecksum()` first. */
export function planWrite(model: Model, options: EncodeQintOptions = {}): WritePlan {
  assertLittleEndian();
  if (model === null || typeof model !== 'object' || !model.graph) bad('BAD_ARGUMENT', 'model must be a qint Model with a graph', 'model');
  const maxHeader = headerCap(options);
  const opsets: Record<string, number> = {};
  if (model.opsetImports !== null && typeof model.opsetImports === 'object') {
    for (const [k, v] of Object.entries(model.opsetImports)) if (Number.isSafeInteger(v) && v > 0) opsets[k === 'ai.onnx' ? '' : k] = v;
  }
  const pinnedVersion = (node: Node): number | undefined => {
    if (typeof node.opType !== 'string' || typeof node.domain !== 'string') return undefined;
    return schemaSinceVersion(node.domain, node.opType, nodeOpset(node, opsets));
  };
  const inlineLimit = options.inlineQuantLimit ?? 64;
  const entries: JsonObject[] = [];
  const tensors: { name: string; bytes: Uint8Array }[] = [];

  const addRaw = (name: string, dtype: DType, shape: readonly number[], bytes: Uint8Array): JsonObject => {
    const entry: JsonObject = { name, dtype, shape: shape.slice(), offset: 0, length: bytes.byteLength, checksum: checksumHex(bytes) };
    entries.push(entry);
    tensors.push({ name, bytes });
    return entry;
  };
  const addTensor = (name: string, t: Tensor, field: string): { index: number; entry: JsonObject } => {
    if (t === null || typeof t !== 'object' || !isDType(t.dtype) || !ArrayBuffer.isView(t.data) || !Array.isArray(t.shape)) {
      bad('BAD_ARGUMENT', `${field} must be a Tensor`, field);
    }
    let size = 1;
    for (const d of t.shape) size *= d;
    const expected = byteLengthOf(t.dtype, size);
    if (t.data.byteLength !== expected) {
      bad('BAD_SHAPE', `${field} (${name}) holds ${t.data.byteLength} bytes but ${t.dtype}[${t.shape.join(',')}] needs ${expected}`, field);
    }
    const index = entries.length;
    return { index, entry: addRaw(name, t.dtype, t.shape, bytesOf(t.data)) };
  };

  const encodeQuant = (qp: QuantParams, name: string): JsonObject => {
    const q: JsonObject = { granularity: qp.granularity, dtype: qp.dtype };
    if (qp.granularity !== 'per-tensor') q.axis = qp.axis;
    if (qp.granularity === 'blocked') q.blockSize = qp.blockSize;
    if (qp.scale.length <= inlineLimit) {
      q.scale = Array.from(qp.scale);
      q.zeroPoint = Array.from(qp.zeroPoint);
    } else {
      q.scale = { tensor: entries.length };
      addRaw(`${name}::scale`, 'float32', [qp.scale.length], bytesOf(qp.scale));
      q.zeroPoint = { tensor: entries.length };
      addRaw(`${name}::zero_point`, 'int32', [qp.zeroPoint.length], bytesOf(qp.zeroPoint));
    }
    return q;
  };

  const encodeValueType = (t: ValueType): JsonObject => {
    if (t.kind === 'tensor') {
      const o: JsonObject = { kind: 'tensor' };
      if (t.dtype !== undefined) o.dtype = t.dtype;
      if (t.shape !== undefined) o.shape = t.shape.map((d) => (d === undefined ? null : d));
      return o;
    }
    return t.elem === undefined ? { kind: t.kind } : { kind: t.kind, elem: encodeValueType(t.elem) };
  };

  const encodeValueInfo = (v: ValueInfo): JsonObject => {
    const o: JsonObject = { name: v.name };
    if (v.dtype !== undefined) o.dtype = v.dtype;
    if (v.shape !== undefined) o.shape = v.shape.map((d) => (d === undefined ? null : d));
    if (v.type !== undefined) o.type = encodeValueType(v.type);
    if (v.docString !== undefined) o.docString = v.docString;
    return o;
  };

  const encodeAttribute = (a: Attribute, scope: string, field: string): JsonObject => {
    switch (a.type) {
      case 'float':
      case 'int':
        return { type: a.type, value: encodeNumber(a.value) };
      case 'floats':
      case 'ints':
        return { type: a.type, value: a.value.map(encodeNumber) };
      case 'string':
      case 'strings':
        return { type: a.type, value: a.type === 'string' ? a.value : a.value.slice() };
      case 'tensor':
        return { type: 'tensor', value: addTensor(scope, a.value, field).index };
      case 'tensors':
        return { type: 'tensors', value: a.value.map((t, i) => addTensor(`${scope}[${i}]`, t, `${field}[${i}]`).index) };
      case 'graph':
        return { type: 'graph', value: encodeGraph(a.value, `${scope}/`, `${field}.value`) };
      case 'type_proto':
        return { type: 'type_proto', value: encodeValueType(a.value) };
      default:
        return bad('BAD_FIELD', `${field} has unknown attribute type ${JSON.stringify((a as { type: unknown }).type)}`, field);
    }
  };

  const encodeNode = (node: Node, scope: string, field: string): JsonObject => {
    const attributes: JsonObject = {};
    const nodeScope = `${scope}${node.name || `#${field}`}`;
    for (const [key, a] of Object.entries(node.attributes)) {
      defineOwn(attributes, key, encodeAttribute(a, `${nodeScope}.${key}`, `${field}.attributes.${key}`));
    }
    const o: JsonObject = {
      name: node.name,
      opType: node.opType,
      domain: node.domain,
      inputs: node.inputs.slice(),
      outputs: node.outputs.slice(),
      attributes,
    };
    if (node.docString !== undefined) o.docString = node.docString;
    // Every node is written pinned to its operator version, so the file keeps its meaning whatever its opsets become.
    const since = node.sinceVersion ?? pinnedVersion(node);
    if (since !== undefined) o.sinceVersion = since;
    return o;
  };

  const encodeGraph = (g: Graph, scope: string, field: string): JsonObject => {
    const initializers: JsonValue[] = [];
    for (const [name, t] of g.initializers) {
      const { index, entry } = addTensor(scope + name, t, `${field}.initializers[${initializers.length}]`);
      const qp = g.quantParams?.get(name);
      if (qp) entry.quant = encodeQuant(qp, scope + name);
      initializers.push({ name, tensor: index });
    }
    const o: JsonObject = {
      name: g.name,
      nodes: g.nodes.map((n, i) => encodeNode(n, scope, `${field}.nodes[${i}]`)),
      initializers,
      inputs: g.inputs.map(encodeValueInfo),
      outputs: g.outputs.map(encodeValueInfo),
      valueInfo: g.valueInfo.map(encodeValueInfo),
    };
    if (g.quantParams !== undefined) {
      for (const name of g.quantParams.keys()) {
        if (!g.initializers.has(name)) {
          bad('DANGLING_REFERENCE', `${field}.quantParams names ${JSON.stringify(name)}, which is not an initializer`, `${field}.quantParams`);
        }
      }
      o.quantParams = [...g.quantParams.keys()];
    }
    if (g.docString !== undefined) o.docString = g.docString;
    return o;
  };

  const modelJson: JsonObject = {
    irVersion: model.irVersion,
    opsetImports: { ...model.opsetImports },
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    metadata: { ...model.metadata },
  };
  if (model.domain !== undefined) modelJson.domain = model.domain;
  if (model.modelVersion !== undefined) modelJson.modelVersion = model.modelVersion;
  if (model.docString !== undefined) modelJson.docString = model.docString;
  const graphJson = encodeGraph(model.graph, '', 'graph');

  let cursor = 0;
  const planned: PlannedTensor[] = tensors.map((t, i) => {
    const offset = cursor;
    entries[i].offset = offset;
    cursor = align(offset + t.bytes.byteLength);
    return { name: t.name, bytes: t.bytes, offset };
  });
  const dataLength = cursor;

  const header: JsonObject = {};
  for (const [k, v] of Object.entries(options.extensions ?? {})) {
    if (!KNOWN_TOP_LEVEL.has(k)) defineOwn(header, k, v);
  }
  header.producer = { ...PRODUCER };
  header.model = modelJson;
  header.graph = graphJson;
  header.tensors = entries;
  const metadata = options.metadata ?? {};
  if (Object.keys(metadata).length > 0) header.metadata = stripUndefined(metadata as JsonObject);
  // Extensions first so that the known fields follow; JSON.stringify writes own enumerable keys in insertion order.
  const json = encodeUtf8(JSON.stringify(header));
  if (json.byteLength > maxHeader) {
    bad('HEADER_TOO_LARGE', `the JSON header would be ${json.byteLength} bytes, above the cap of ${maxHeader}`, 'header');
  }
  const dataOffset = align(QINT_PREAMBLE_BYTES + json.byteLength);
  const head = new Uint8Array(dataOffset);
  head.set(QINT_MAGIC, 0);
  const view = new DataView(head.buffer);
  view.setUint16(8, QINT_FORMAT_MAJOR, true);
  view.setUint16(10, QINT_FORMAT_MINOR, true);
  view.setUint32(12, json.byteLength, true);
  view.setUint32(24, dataLength % 2 ** 32, true);
  view.setUint32(28, Math.floor(dataLength / 2 ** 32), true);
  head.set(json, QINT_PREAMBLE_BYTES);
  const h = createChecksum();
  h.update(head.subarray(0, 16));
  h.update(head.subarray(24, QINT_PREAMBLE_BYTES + json.byteLength));
  view.setBigUint64(16, BigInt(`0x${h.hex()}`), true);
  return { head, tensors: planned, dataLength, dataOffset, totalLength: dataOffset + dataLength };
}


function stripUndefined(o: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) {
    if (v !== undefined) defineOwn(out, k, v);
  }
  return out;
}

