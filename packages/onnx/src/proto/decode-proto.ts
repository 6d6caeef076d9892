import { OnnxError } from '../onnx-error';
import { onnxTypes, type OnnxTypes } from './onnx-schema';

/**
 * Decodes protobuf bytes with one of the ONNX message types, turning protobufjs's errors (truncated input, bad wire
 * types, nesting deeper than 100) into an {@link OnnxError}.
 *
 * @param type - the message type
 * @param bytes - the serialized message
 * @param what - what the bytes are, for the error message (e.g. a file name)
 * @returns the decoded message
 * @throws {@link OnnxError} when the bytes are not a valid message
 */
export function decodeProto<T>(type: keyof OnnxTypes, bytes: Uint8Array, what: string): T {
  if (!(bytes instanceof Uint8Array)) throw new OnnxError(`${what} must be a Uint8Array of protobuf bytes, got ${typeof bytes}`);
  try {
    return onnxTypes()[type].decode(bytes) as unknown as T;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new OnnxError(`${what} is not a valid ONNX ${type} (corrupt or truncated protobuf: ${reason})`, { cause });
  }
}
