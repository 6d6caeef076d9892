/**
 * Random access to a `.qint` file that is not (yet) in memory: a Node file, a `Blob`, an HTTP resource.
 * {@link openQint} reads the header with two small reads and each tensor with one read of its exact range.
 */
export interface RangeSource {
  /** Total size of the file in bytes. */
  readonly size: number;
  /** Reads `length` bytes at `offset`; must resolve to exactly `length` bytes. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Releases the underlying resource (file handle); optional. */
  close?(): Promise<void>;
}
