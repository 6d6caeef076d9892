import type { Tensor } from '@qint/tensor';

/** A tensor with the name stored in its TensorProto. */
export interface NamedTensor {
  readonly name: string;
  readonly tensor: Tensor;
}
