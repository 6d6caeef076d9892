import type { Value } from '@qint/graph';
import type { Tensor } from '@qint/tensor';

/** A tensor with the name stored in its TensorProto. */
export interface NamedTensor {
  readonly name: string;
  readonly tensor: Tensor;
}

/**
 * A value of ONNX test data with its stored name: a tensor (then also in `tensor`), or a sequence / optional
 * (from a SequenceProto / OptionalProto file).
 */
export interface NamedValue {
  readonly name: string;
  readonly value: Value;
  /** Set when the value is a tensor. */
  readonly tensor?: Tensor;
}
