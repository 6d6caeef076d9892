import type { Tensor } from '@qint/tensor';
import { readNpy } from '../npy';
import { readRegularFile } from '../read-regular-file';

/** Reads the `.npy` file given to a command-line flag, with a one-line error naming the flag. */
export async function readNpyArg(path: string, flag: string): Promise<Tensor> {
  return readNpy(await readRegularFile(path, flag), path);
}
