import type { Model } from '@qint/graph';
import { decodeModel as decodeOnnx } from '@qint/onnx';
import { InputError } from './input-error';

/** Where a model comes from: a file path (Node), or the file's bytes. */
export type ModelSource = string | Uint8Array | ArrayBuffer;

async function readFileBytes(path: string): Promise<Uint8Array> {
  // Imported lazily so that browser bundles of the facade never load node:fs.
  const { readFile } = await import('node:fs/promises');
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    throw new InputError(`cannot read model ${JSON.stringify(path)}${code === 'ENOENT' ? ': no such file' : code ? ` (${code})` : ''}`, { cause });
  }
}

async function dirnameOf(path: string): Promise<string> {
  const { dirname } = await import('node:path');
  return dirname(path);
}

/**
 * Loads a model from an ONNX file (or bytes).
 *
 * @param source - a path (Node) or the file's bytes
 * @returns the decoded model
 * @throws {@link InputError} when the file cannot be read; `OnnxError` when it does not decode
 * @example
 * ```ts
 * const model = await loadModel('mnist-8/model.onnx');
 * ```
 */
export async function loadModel(source: ModelSource): Promise<Model> {
  if (typeof source === 'string') {
    const bytes = await readFileBytes(source);
    return decodeOnnx(bytes, { baseDir: await dirnameOf(source) });
  }
  return decodeOnnx(source instanceof Uint8Array ? source : new Uint8Array(source));
}
