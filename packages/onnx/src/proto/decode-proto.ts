import { OnnxError } from '../onnx-error';
import { checkWireTypes } from './check-wire-types';
import { onnxTypes, type OnnxTypes } from './onnx-schema';

/**
 * Decodes protobuf bytes with one of the ONNX message types, turning protobufjs's errors (truncated input, bad wire
 * types, nesting deeper than 100) into an {@link OnnxError}. Known fields with a wire type their declared type cannot
 * have are refused first (see check-wire-types.ts).
 *
 * @param type - the message type
 * @param source - the serialized message
 * @param what - what the bytes are, for the error message (e.g. a file name)
 * @returns the decoded message
 * @throws {@link OnnxError} when the bytes are not a valid message
 */
export function decodeProto<T>(type: keyof OnnxTypes, source: Uint8Array | ArrayBuffer, what: string): T {
  // An ArrayBuffer is what fetch(...).arrayBuffer() and FileReader give in browsers.
  const bytes = source instanceof ArrayBuffer ? new Uint8Array(source) : source;
  if (!(bytes instanceof Uint8Array)) {
    throw new OnnxError(`${what} must be protobuf bytes (a Uint8Array or ArrayBuffer), got ${bytes === null ? 'null' : typeof bytes}`);
  }
  // Wrong wire types on known fields are refused here: protobufjs would read them with the declared type's reader.
  checkWireTypes(bytes, type, what);
  try {
    return onnxTypes()[type].decode(bytes) as unknown as T;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new OnnxError(`${what} is not a valid ONNX ${type} (corrupt or truncated protobuf: ${reason})`, { cause });
  }
}
