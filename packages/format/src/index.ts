export { FormatError, type FormatErrorOptions, type FormatErrorReason } from './format-error';
export {
  QINT_ALIGNMENT,
  QINT_DEFAULT_MAX_HEADER_BYTES,
  QINT_FORMAT_MAJOR,
  QINT_FORMAT_MINOR,
  QINT_MAGIC,
  QINT_MAX_HEADER_BYTES_LIMIT,
  QINT_PREAMBLE_BYTES,
} from './constants';
export type {
  DecodeQintOptions,
  EncodeQintOptions,
  JsonObject,
  JsonValue,
  QintDocument,
  QintInfo,
  QintMetadata,
  QintTensorInfo,
} from './qint-types';
export { encodeQint } from './encode-qint';
export { decodeQint } from './decode-qint';
export { writeQint, type WriteQintOptions } from './write-qint';
export type { QintSink } from './qint-sink';
export type { RangeSource } from './range-source';
export type { QintReader } from './qint-reader';
export { openQint } from './open-qint';
export { blobSource } from './blob-source';
export { bytesSource } from './bytes-source';
export { httpSource, type HttpSourceOptions } from './http-source';
export { inspectQint } from './inspect-qint';
export { isQintFile } from './is-qint-file';
