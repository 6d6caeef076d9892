import { decodeQint, isQintFile, type DecodeQintOptions } from '@qint/format';
import type { Model } from '@qint/graph';
import { decodeModel as decodeOnnx } from '@qint/onnx';
import { readRegularFile } from './read-regular-file';

/** Where a model comes from: a file path (Node), or the file's bytes. */
export type ModelSource = string | Uint8Array | ArrayBuffer;

/** Options of {@link loadModel}. */
export interface LoadModelOptions {
  /** For `.qint` files: verify the checksums of the header and every tensor (default true). */
  verifyChecksums?: DecodeQintOptions['verifyChecksums'];
}

async function dirnameOf(path: string): Promise<string> {
  const { dirname } = await import('node:path');
  return dirname(path);
}

/**
 * Loads a model from an ONNX or `.qint` file (or its bytes); the kind is told by the file's magic bytes, not its name.
 *
 * @param source - a path (Node) or the file's bytes
 * @param options - {@link LoadModelOptions}
 * @returns the decoded model
 * @throws {@link InputError} when the file cannot be read; `OnnxError` / `FormatError` when it does not decode
 * @example
 * ```ts
 * const model = await loadModel('mnist-8/model.onnx');
 * const quantized = await loadModel('mnist-int8.qint');
 * ```
 */
export async function loadModel(source: ModelSource, options: LoadModelOptions = {}): Promise<Model> {
  const bytes = typeof source === 'string' ? await readRegularFile(source, 'model') : source instanceof Uint8Array ? source : new Uint8Array(source);
  if (isQintFile(bytes)) return (await decodeQint(bytes, { verifyChecksums: options.verifyChecksums })).model;
  return decodeOnnx(bytes, typeof source === 'string' ? { baseDir: await dirnameOf(source) } : {});
}
