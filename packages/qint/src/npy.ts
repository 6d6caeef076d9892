// NumPy's .npy format (versions 1.0, 2.0 and 3.0): the tensor interchange of the command-line tool.
// Layout: "\x93NUMPY", major, minor, header length (uint16 for 1.x, uint32 for 2.x/3.x), a Python-literal dict
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded with spaces to a 64-byte boundary, then the data.
import { Tensor, type DType } from '@qint/tensor';
import { InputError } from './input-error';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
/** The largest header accepted; NumPy itself caps it at 10,000 bytes by default for safety. */
const MAX_HEADER = 65536;

const DESCR_TO_DTYPE: Record<string, { dtype: DType; bytes: number; fromFloat64?: boolean }> = {
  '<f4': { dtype: 'float32', bytes: 4 },
  '<f2': { dtype: 'float16', bytes: 2 },
  '<f8': { dtype: 'float32', bytes: 8, fromFloat64: true },
  '<i8': { dtype: 'int64', bytes: 8 },
  '<i4': { dtype: 'int32', bytes: 4 },
  '<i2': { dtype: 'int16', bytes: 2 },
  '<u2': { dtype: 'uint16', bytes: 2 },
  '|i1': { dtype: 'int8', bytes: 1 },
  '|u1': { dtype: 'uint8', bytes: 1 },
  '|b1': { dtype: 'bool', bytes: 1 },
};

const DTYPE_TO_DESCR: Partial<Record<DType, string>> = {
  float32: '<f4',
  float16: '<f2',
  int64: '<i8',
  int32: '<i4',
  int16: '<i2',
  uint16: '<u2',
  int8: '|i1',
  uint8: '|u1',
  bool: '|b1',
};

/**
 * Parses a `.npy` file into a tensor. float64 arrays (NumPy's default) are converted to float32; Fortran-ordered
 * arrays are transposed into row-major order. Big-endian data is refused.
 *
 * @param bytes - the file's bytes
 * @param name - the file name, used in error messages
 * @returns the tensor
 * @throws {@link InputError} on a malformed header, an unsupported dtype or a data length that does not match the shape
 * @example
 * ```ts
 * const x = readNpy(await fs.readFile('x.npy'), 'x.npy');
 * ```
 */
export function readNpy(bytes: Uint8Array, name = 'array.npy'): Tensor {
  const fail = (what: string): never => {
    throw new InputError(`${name}: not a valid .npy file: ${what}`);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail('missing the \\x93NUMPY magic');
  const major = bytes[6];
  if (major < 1 || major > 3) fail(`unsupported format version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerStart = major === 1 ? 10 : 12;
  if (bytes.length < headerStart) fail('truncated header');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerLength > MAX_HEADER) fail(`header length ${headerLength} exceeds ${MAX_HEADER} bytes`);
  if (headerStart + headerLength > bytes.length) fail(`header length ${headerLength} runs past the end of the file (${bytes.length} bytes)`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1] ?? fail(`no 'descr' in header ${JSON.stringify(header.trim())}`);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1] ?? fail("no 'fortran_order' in header");
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1] ?? fail("no 'shape' in header");
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : fail(`shape entry ${JSON.stringify(s)} is not a non-negative integer`)));
  const kind = DESCR_TO_DTYPE[descr.replace(/^=/, '<')];
  if (!kind) {
    fail(`dtype ${descr} is not supported (use one of ${Object.keys(DESCR_TO_DTYPE).join(', ')}; big-endian is not supported)`);
  }
  const { dtype, bytes: itemBytes, fromFloat64 } = kind!;
  let count = 1;
  for (const d of shape) {
    count *= d;
    if (!Number.isSafeInteger(count)) fail(`shape (${shapeText}) is too large`);
  }
  const dataStart = headerStart + headerLength;
  const expected = count * itemBytes;
  if (bytes.length - dataStart !== expected) {
    fail(`shape (${shapeText}) of ${descr} needs ${expected} data bytes, the file has ${bytes.length - dataStart}`);
  }
  // Copy into a fresh, aligned buffer: the file's bytes may start at any offset. (Uint8Array's slice, not Buffer's:
  // Node's Buffer.slice returns a view into a shared pool.)
  const raw = Uint8Array.prototype.slice.call(bytes, dataStart, dataStart + expected);
  let data: Float32Array | Uint16Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;
  switch (dtype) {
    case 'float32':
      data = fromFloat64 ? Float32Array.from(new Float64Array(raw.buffer)) : new Float32Array(raw.buffer);
      break;
    case 'float16':
    case 'uint16':
      data = new Uint16Array(raw.buffer);
      break;
    case 'int64':
      data = new BigInt64Array(raw.buffer);
      break;
    case 'int32':
      data = new Int32Array(raw.buffer);
      break;
    case 'int16':
      data = new Int16Array(raw.buffer);
      break;
    case 'int8':
      data = new Int8Array(raw.buffer);
      break;
    default:
      data = raw;
  }
  if (fortran === 'True' && shape.length > 1) {
    return Tensor.from(dtype, shape.slice().reverse(), data as never).transpose();
  }
  return Tensor.from(dtype, shape, data as never);
}

/**
 * Serializes a tensor as a version 1.0 `.npy` file (row-major, little-endian).
 *
 * @param tensor - a tensor of a dtype NumPy has (not the packed sub-byte types)
 * @returns the file's bytes
 * @throws {@link InputError} for int4/uint4/int2/uint2 tensors, which NumPy cannot represent
 * @example
 * ```ts
 * await fs.writeFile('y.npy', writeNpy(output));
 * ```
 */
export function writeNpy(tensor: Tensor): Uint8Array {
  const descr = DTYPE_TO_DESCR[tensor.dtype];
  if (!descr) throw new InputError(`cannot write a ${tensor.dtype} tensor as .npy: NumPy has no such dtype (unpack it first)`);
  const shape = tensor.shape.length === 1 ? `(${tensor.shape[0]},)` : `(${tensor.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const data = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  const out = new Uint8Array(10 + header.length + data.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(data, 10 + header.length);
  return out;
}
