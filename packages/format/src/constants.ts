/** The 8 magic bytes that open every `.qint` file: `\x89QINT\r\n\x1a` (the high byte and CR LF catch text-mode damage, as PNG's do). */
export const QINT_MAGIC: Uint8Array = Uint8Array.of(0x89, 0x51, 0x49, 0x4e, 0x54, 0x0d, 0x0a, 0x1a);

/** Major format version written by this package; readers refuse files with a larger major. */
export const QINT_FORMAT_MAJOR = 1;

/** Minor format version written by this package; a newer minor only adds optional header fields. */
export const QINT_FORMAT_MINOR = 1;

/** Bytes of the fixed preamble before the JSON header. */
export const QINT_PREAMBLE_BYTES = 32;

/** Alignment (bytes) of the data section and of every tensor written by this package. */
export const QINT_ALIGNMENT = 64;

/** Default cap on the JSON header's byte length (16 MiB); large arrays (scales) go to the data section instead. */
export const QINT_DEFAULT_MAX_HEADER_BYTES = 16 * 1024 * 1024;

/** Largest cap a caller may set on the header (256 MiB). */
export const QINT_MAX_HEADER_BYTES_LIMIT = 256 * 1024 * 1024;
