// Node's fs and path, fetched on first use with process.getBuiltinModule (Node ≥ 20.16) instead of static imports:
// a browser bundle of @qint/onnx then contains no Node built-ins, and only the functions that touch files (loadModel,
// loadTensorPb, loadTestCase, external data from a baseDir) fail there, with an OnnxError that says so.
import type * as Fs from 'node:fs';
import type * as Path from 'node:path';
import { OnnxError } from './onnx-error';

type GetBuiltin = (id: string) => unknown;

function builtin<T>(id: string, what: string): T {
  const get = (globalThis as { process?: { getBuiltinModule?: GetBuiltin } }).process?.getBuiltinModule;
  if (typeof get !== 'function') {
    throw new OnnxError(
      `${what} reads files, which needs Node.js >= 20.16 (process.getBuiltinModule); in a browser, decode bytes with decodeModel/decodeTensor and pass external data as { externalData }`,
    );
  }
  return get(id) as T;
}

/**
 * Node's `fs` module.
 *
 * @param what - the operation that needs it, for the error message
 * @returns the module
 * @throws {@link OnnxError} outside Node
 */
export function nodeFs(what: string): typeof Fs {
  return builtin<typeof Fs>('node:fs', what);
}

/**
 * Node's `path` module.
 *
 * @param what - the operation that needs it, for the error message
 * @returns the module
 * @throws {@link OnnxError} outside Node
 */
export function nodePath(what: string): typeof Path {
  return builtin<typeof Path>('node:path', what);
}
