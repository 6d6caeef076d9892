// The `.onnx` writer in pieces: a model's file is mostly its initializers' raw_data, which already sits in the
// tensors. Encoding the small parts (model fields, graph without initializers, each TensorProto without raw_data)
// and handing out the raw data as views of the tensors lets a caller stream a model to disk without ever holding a
// second copy of it. Protobuf fields may come in any order, so initializers follow the graph's other fields and
// raw_data follows the other tensor fields; decoders (onnxruntime, onnx, qint) read it the same.
import type { Model } from '@qint/graph';
import { modelToProto, type Msg } from './encode-model';
import type { TensorProtoOut } from './encode-tensor';
import { OnnxError } from './onnx-error';
import { onnxTypes } from './proto/onnx-schema';

/** A model's `.onnx` bytes as pieces to write in order (see {@link encodeModelChunks}). */
export interface ModelChunks {
  /** Total bytes: the sum of the chunks' lengths. */
  readonly byteLength: number;
  /** The pieces, in file order; the large ones are views of the initializers' data (not copies). */
  readonly chunks: readonly Uint8Array[];
}

const MAX_BYTES = 2 ** 31 - 1;

function varint(n: number): Uint8Array {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

function encode(type: 'ModelProto' | 'GraphProto' | 'TensorProto', message: Msg): Uint8Array {
  try {
    return onnxTypes()[type].encode(message).finish();
  } catch (cause) {
    throw new OnnxError(`model could not be encoded: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * Serializes a model as an ONNX `ModelProto` in pieces, without building the whole file in memory: the initializers'
 * data are views of the tensors. Writing the chunks in order gives the same file `encodeModel` returns.
 *
 * @param model - the model
 * @returns the chunks and their total length
 * @throws {@link OnnxError} when the model is malformed or larger than protobuf's 2 GiB message limit
 * @example
 * ```ts
 * const { chunks } = encodeModelChunks(model);
 * const fd = openSync('out.onnx', 'w');
 * for (const c of chunks) writeSync(fd, c);
 * ```
 */
export function encodeModelChunks(model: Model): ModelChunks {
  const initializers: TensorProtoOut[] = [];
  const message = modelToProto(model, (proto) => initializers.push(proto));
  const graph = message.graph as Msg;
  graph.initializer = [];
  delete message.graph;
  const head = encode('ModelProto', message);
  const graphFields = encode('GraphProto', graph);
  const pieces: Uint8Array[] = [];
  let graphLength = graphFields.length;
  for (const proto of initializers) {
    const raw = proto.rawData ?? new Uint8Array(0);
    delete proto.rawData;
    const header = encode('TensorProto', proto as unknown as Msg);
    const rawLength = varint(raw.length);
    const tensorLength = header.length + 1 + rawLength.length + raw.length;
    if (tensorLength > MAX_BYTES) throw new OnnxError(`initializer "${proto.name ?? ''}" is ${raw.length} bytes, beyond protobuf's 2 GiB limit`);
    const prefix = varint(tensorLength);
    // GraphProto.initializer = field 5, TensorProto.raw_data = field 9, both length-delimited.
    pieces.push(Uint8Array.of((5 << 3) | 2), prefix, header, Uint8Array.of((9 << 3) | 2), rawLength, raw);
    graphLength += 1 + prefix.length + tensorLength;
  }
  const graphPrefix = varint(graphLength);
  const byteLength = head.length + 1 + graphPrefix.length + graphLength;
  if (byteLength > MAX_BYTES) throw new OnnxError(`encoded model is ${byteLength} bytes, beyond protobuf's 2 GiB limit`);
  // ModelProto.graph = field 7.
  return { byteLength, chunks: [head, Uint8Array.of((7 << 3) | 2), graphPrefix, graphFields, ...pieces] };
}

/**
 * Joins chunks into one buffer.
 *
 * @param c - from {@link encodeModelChunks}
 * @returns the bytes
 */
export function concatChunks(c: ModelChunks): Uint8Array {
  const out = new Uint8Array(c.byteLength);
  let at = 0;
  for (const chunk of c.chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
