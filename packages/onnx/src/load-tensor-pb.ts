import { tensorFromProto } from './decode-tensor';
import type { NamedTensor } from './named-tensor';
import { nodeFs } from './node-builtins';
import { OnnxError } from './onnx-error';
import { decodeProto } from './proto/decode-proto';
import type { TensorProto } from './proto/proto-messages';


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
