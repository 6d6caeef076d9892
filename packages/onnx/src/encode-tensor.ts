import { Tensor, byteLengthOf, type DType } from '@qint/tensor';
import { LITTLE_ENDIAN, swapBytes } from './byte-order';
import { dtypeToOnnx } from './onnx-data-type';
import { OnnxError } from './onnx-error';
import { onnxTypes } from './proto/onnx-schema';
import { toInt64Bits, type Int64Bits } from './proto/int64';

/** A TensorProto as handed to the protobuf writer. */
export interface TensorProtoOut {
  name?: string;
  dims: Int64Bits[];
  dataType: number;
  rawData?: Uint8Array;
}

function rawBytes(tensor: Tensor): Uint8Array {
  const data = tensor.data as ArrayBufferView;
  const dtype: DType = tensor.dtype;
  const length = byteLengthOf(dtype, tensor.size);
  if (data.byteLength !== length) {
    throw new OnnxError(`tensor data holds ${data.byteLength} bytes but ${tensor.size} ${dtype} elements need ${length}`);
  }
  const view = new Uint8Array(data.buffer, data.byteOffset, length);
  const width = (data as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  if (LITTLE_ENDIAN || width === 1) return view;
  const copy = view.slice();
  swapBytes(copy, width);
  return copy;
}

/**
 * Builds the TensorProto message of a tensor (data in `raw_data`, little-endian; sub-byte types packed, element 0 in
 * the low bits; bool one byte per element).
 *
 * @param tensor - the tensor
 * @param name - the TensorProto name
 * @returns the message object for the protobuf writer
 * @throws {@link OnnxError} when `tensor` is not a qint Tensor
 */
export function tensorToProto(tensor: Tensor, name: string): TensorProtoOut {
  if (!(tensor instanceof Tensor)) throw new OnnxError(`tensor ${JSON.stringify(name)} must be a qint Tensor`);
  const msg: TensorProtoOut = {
    dims: tensor.shape.map((d, i) => toInt64Bits(d, `tensor ${JSON.stringify(name)} dims[${i}]`)),
    dataType: dtypeToOnnx(tensor.dtype),
    rawData: rawBytes(tensor),
  };
  // An empty name is the same as none; leaving it out keeps attribute tensors minimal.
  if (name !== '') msg.name = name;
  return msg;
}

/**
 * Serializes a tensor as an ONNX `TensorProto` (the format of ONNX test data `.pb` files).
 *
 * @param tensor - the tensor
 * @param name - the TensorProto name (e.g. the model input it feeds)
 * @returns the protobuf bytes
 * @throws {@link OnnxError} when `tensor` is not a qint Tensor
 * @example
 * ```ts
 * writeFileSync('input_0.pb', encodeTensor(Tensor.from('float32', [2], [1, 2]), 'x'));
 * ```
 */
export function encodeTensor(tensor: Tensor, name = ''): Uint8Array {
  const type = onnxTypes().TensorProto;
  return type.encode(tensorToProto(tensor, name)).finish();
}
