import { tensorFromProto } from './decode-tensor';
import type { ValueType } from '@qint/graph';
import { optionalFromProto, sequenceFromProto } from './decode-value';
import type { NamedTensor, NamedValue } from './named-tensor';
import { nodeFs } from './node-builtins';
import { OnnxError } from './onnx-error';
import { decodeProto } from './proto/decode-proto';
import type { OptionalMessage, SequenceMessage, TensorProto } from './proto/proto-messages';


/**
 * Reads a serialized `TensorProto` file (ONNX test data: `input_0.pb`, `output_0.pb`). Node only.
 *
 * @param path - the `.pb` file
 * @returns the tensor and its stored name
 * @throws {@link OnnxError} when the file cannot be read or does not hold a tensor qint can represent
 * @example
 * ```ts
 * const { name, tensor } = loadTensorPb('mnist-8/test_data_set_0/input_0.pb');
 * ```
 */
export function loadTensorPb(path: string): NamedTensor {
  const { readFileSync } = nodeFs('loadTensorPb');
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new OnnxError(`tensor file ${JSON.stringify(path)} cannot be read`, { cause });
  }
  const msg = decodeProto<TensorProto>('TensorProto', bytes, `tensor file ${JSON.stringify(path)}`);
  const name = typeof msg.name === 'string' ? msg.name : '';
  return { name, tensor: tensorFromProto(msg, {}, `tensor ${JSON.stringify(name)} in ${path}`) };
}

/**
 * Reads a test-data file holding a value of the declared type: a `TensorProto` for a tensor (or when nothing is
 * declared), a `SequenceProto` for a sequence, an `OptionalProto` for an optional. Node only.
 *
 * @param path - the `.pb` file
 * @param type - the graph input's or output's declared type (absent: a tensor)
 * @returns the value and its stored name
 * @throws {@link OnnxError} when the file cannot be read or does not hold such a value
 * @example
 * ```ts
 * const { value } = loadValuePb('test_sequence_insert_at_back/test_data_set_0/input_0.pb', { kind: 'sequence' });
 * ```
 */
export function loadValuePb(path: string, type?: ValueType): NamedValue {
  const { readFileSync } = nodeFs('loadValuePb');
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new OnnxError(`value file ${JSON.stringify(path)} cannot be read`, { cause });
  }
  return decodeValuePb(bytes, path, type);
}

/**
 * Decodes the bytes of a test-data file holding a value of the declared type (see {@link loadValuePb}); works without
 * Node's `fs` (archives, browsers).
 *
 * @param bytes - the file's bytes
 * @param where - the file's path or name, for messages
 * @param type - the declared type (absent: a tensor)
 * @returns the value and its stored name
 * @throws {@link OnnxError} when the bytes do not hold such a value
 * @example
 * ```ts
 * const { value } = decodeValuePb(bytes, 'test_abs/test_data_set_0/input_0.pb');
 * ```
 */
export function decodeValuePb(bytes: Uint8Array, where: string, type?: ValueType): NamedValue {
  if (type === undefined || type.kind === 'tensor') {
    const msg = decodeProto<TensorProto>('TensorProto', bytes, `tensor file ${JSON.stringify(where)}`);
    const name = typeof msg.name === 'string' ? msg.name : '';
    const tensor = tensorFromProto(msg, {}, `tensor ${JSON.stringify(name)} in ${where}`);
    return { name, value: tensor, tensor };
  }
  if (type.kind === 'sequence') {
    const msg = decodeProto<SequenceMessage>('SequenceProto', bytes, `sequence file ${JSON.stringify(where)}`);
    return { name: msg.name ?? '', value: sequenceFromProto(msg, where, type.elem) };
  }
  const msg = decodeProto<OptionalMessage>('OptionalProto', bytes, `optional file ${JSON.stringify(where)}`);
  return { name: msg.name ?? '', value: optionalFromProto(msg, where, type.elem) };
}
