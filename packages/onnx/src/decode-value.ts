import { OptionalValue, TensorSequence, type ValueType } from '@qint/graph';
import type { Tensor } from '@qint/tensor';
import { tensorFromProto } from './decode-tensor';
import { OnnxError } from './onnx-error';
import type { OptionalMessage, SequenceMessage } from './proto/proto-messages';

// SequenceProto.DataType / OptionalProto.DataType numbers.
const TENSOR = 1;
const SEQUENCE = 3;
const OPTIONAL = 5;

/**
 * Converts a decoded `SequenceProto` (sequence test data) into a {@link TensorSequence}; only sequences of tensors.
 *
 * @param msg - the decoded message
 * @param what - where it came from, for messages
 * @param elem - the declared element type, which types an empty sequence
 * @returns the sequence
 * @throws {@link OnnxError} for sequences of maps, sparse tensors or nested sequences
 */
export function sequenceFromProto(msg: SequenceMessage, what: string, elem?: ValueType): TensorSequence {
  const kind = msg.elemType ?? TENSOR;
  if (kind !== TENSOR && (msg.tensorValues?.length ?? 0) === 0 && kind !== 0) {
    throw new OnnxError(`${what}: sequences of element kind ${kind} (not tensors) are not supported`);
  }
  const items: Tensor[] = (msg.tensorValues ?? []).map((t, i) => tensorFromProto(t, {}, `${what} tensor_values[${i}]`));
  const declared = elem?.kind === 'tensor' ? elem.dtype : undefined;
  return new TensorSequence(items[0]?.dtype ?? declared, items);
}

/**
 * Converts a decoded `OptionalProto` into an {@link OptionalValue} (of a tensor or a sequence of tensors).
 *
 * @param msg - the decoded message
 * @param what - where it came from, for messages
 * @param elem - the declared element type
 * @returns the optional
 * @throws {@link OnnxError} for optionals of maps or sparse tensors
 */
export function optionalFromProto(msg: OptionalMessage, what: string, elem?: ValueType): OptionalValue {
  const kind = msg.elemType ?? 0;
  if (msg.tensorValue) return new OptionalValue(tensorFromProto(msg.tensorValue, {}, `${what} tensor_value`));
  if (msg.sequenceValue) return new OptionalValue(sequenceFromProto(msg.sequenceValue, `${what} sequence_value`, elem?.kind === 'sequence' ? elem.elem : undefined));
  if (kind !== 0 && kind !== TENSOR && kind !== SEQUENCE && kind !== OPTIONAL) throw new OnnxError(`${what}: optionals of element kind ${kind} are not supported`);
  return new OptionalValue(undefined);
}
