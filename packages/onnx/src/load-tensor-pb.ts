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
  if (type === undefined || type.kind === 'tensor') {
    const { name, tensor } = loadTensorPb(path);
    return { name, value: tensor, tensor };
  }
  const { readFileSync } = nodeFs('loadValuePb');
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new OnnxError(`value file ${JSON.stringify(path)} cannot be read`, { cause });
  }
  if (type.kind === 'sequence') {
    const msg = decodeProto<SequenceMessage>('SequenceProto', bytes, `sequence file ${JSON.stringify(path)}`);
    return { name: msg.name ?? '', value: sequenceFromProto(msg, path, type.elem) };
  }
  const msg = decodeProto<OptionalMessage>('OptionalProto', bytes, `optional file ${JSON.stringify(path)}`);
  return { name: msg.name ?? '', value: optionalFromProto(msg, path, type.elem) };
}
