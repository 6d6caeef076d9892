// The IDX format of the MNIST distribution (big-endian): two zero bytes, a type byte, a rank byte, one uint32 per dim,
// then the data. Used by the example and by tests to read the real MNIST test set.
import { Tensor } from '@qint/tensor';
import { InputError } from './input-error';

const TYPE_UINT8 = 0x08;
const TYPE_INT8 = 0x09;

/**
 * Parses an IDX file (MNIST's format) holding uint8 or int8 data.
 *
 * @param bytes - the file's bytes
 * @param name - the file name, for messages
 * @returns a uint8 or int8 tensor with the file's dims
 * @throws {@link InputError} on a bad magic, an unsupported element type or a length that does not match the dims
 * @example
 * ```ts
 * const images = readIdx(readFileSync('t10k-images-idx3-ubyte')); // uint8 [10000, 28, 28]
 * ```
 */
export function readIdx(bytes: Uint8Array, name = 'file.idx'): Tensor<'uint8' | 'int8'> {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) throw new InputError(`${name}: not an IDX file (bad magic)`);
  const type = bytes[2];
  if (type !== TYPE_UINT8 && type !== TYPE_INT8) {
    throw new InputError(`${name}: IDX element type 0x${type.toString(16)} is not supported (only uint8 0x08 and int8 0x09)`);
  }
  const rank = bytes[3];
  const header = 4 + 4 * rank;
  if (bytes.length < header) throw new InputError(`${name}: truncated IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    shape.push(d);
    count *= d;
  }
  if (bytes.length - header !== count) {
    throw new InputError(`${name}: IDX dims [${shape.join(', ')}] need ${count} data bytes, the file has ${bytes.length - header}`);
  }
  const data = Uint8Array.prototype.slice.call(bytes, header);
  return type === TYPE_UINT8 ? Tensor.from('uint8', shape, data) : Tensor.from('int8', shape, new Int8Array(data.buffer));
}
