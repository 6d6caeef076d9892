/**
 * Where {@link writeQint} sends bytes: anything with a `write` that accepts a chunk (and may return a promise,
 * which is awaited before the next chunk, so backpressure is respected). Chunks are views on the model's own
 * tensor storage: consume or copy them before the returned promise resolves if the model may change later.
 */
export interface QintSink {
  write(chunk: Uint8Array): unknown;
}
