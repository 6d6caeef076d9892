/** Options of `encodeModelWithExternalData`. */
export interface ExternalDataWriteOptions {
  /** File name of the data file, relative to the model's folder (default `'model.onnx.data'`). */
  location?: string;
  /** Initializers with fewer bytes stay inline in the model (default 1024). */
  minBytes?: number;
  /** Each tensor starts at a multiple of this many bytes, so readers can map it (default 4096). */
  align?: number;
}

/** The two files written by `encodeModelWithExternalData`. */
export interface ModelWithExternalData {
  /** The `.onnx` bytes. */
  readonly model: Uint8Array;
  /** The data file's bytes, to be saved as `location` beside the model. */
  readonly data: Uint8Array;
  readonly location: string;
}
