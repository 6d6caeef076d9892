/** Where tensor data stored outside the `.onnx` file (ONNX "external data") may be read from. */
export interface ExternalDataOptions {
  /**
   * The folder of the model file (Node only). External data is read only from files inside it: absolute locations,
   * `..` segments and symbolic links that lead out of it are refused.
   */
  baseDir?: string;
  /**
   * External data files already in memory, by their `location` as written in the model (e.g. for browsers, which have
   * no file system). Looked up before `baseDir`.
   */
  externalData?: Readonly<Record<string, Uint8Array>>;
}

/** Options of `decodeModel`. */
export type DecodeModelOptions = ExternalDataOptions;

/** Options of `decodeTensor`. */
export interface DecodeTensorOptions extends ExternalDataOptions {
  /** How error messages name the tensor (default: `tensor "<name>"`). */
  what?: string;
}
