import { readFile } from 'node:fs/promises';
import type { Tensor } from '@qint/tensor';
import { InputError } from '../input-error';
import { readNpy } from '../npy';

/** Reads the `.npy` file given to a command-line flag, with a one-line error naming the flag. */
export async function readNpyArg(path: string, flag: string): Promise<Tensor> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    throw new InputError(`${flag} ${path}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? 'error'})`}`, { cause });
  }
  return readNpy(bytes, path);
}
