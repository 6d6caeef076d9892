import type { Model } from '@qint/graph';
import { decodeModel } from './decode-model';
import { nodeFs, nodePath } from './node-builtins';
import { OnnxError } from './onnx-error';

/**
 * Reads an `.onnx` file and decodes it, resolving external data inside the file's folder. Node only.
 *
 * @param path - the model file
 * @returns the model
 * @throws {@link OnnxError} when the file cannot be read or decoded
 * @example
 * ```ts
 * const model = loadModel('super-resolution-10/model.onnx');
 * ```
 */
export function loadModel(path: string): Model {
  const { readFileSync } = nodeFs('loadModel');
  const { dirname } = nodePath('loadModel');
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new OnnxError(`model file ${JSON.stringify(path)} cannot be read`, { cause });
  }
  return decodeModel(bytes, { baseDir: dirname(path) });
}
