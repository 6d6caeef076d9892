import type { Tensor } from '@qint/tensor';
import type { QintDocument, QintInfo } from './qint-types';

/**
 * A `.qint` file opened for lazy reading: the header is validated up front, tensors are read on demand, one range
 * read each, and verified against their checksums unless disabled.
 */
export interface QintReader {
  /** The header summary (no tensor data). */
  readonly info: QintInfo;
  /**
   * Reads one tensor of the tensor table.
   * @param nameOrIndex - its `name` (first match) or its table index
   */
  readTensor(nameOrIndex: string | number): Promise<Tensor>;
  /** Reads every tensor and builds the model. */
  readModel(): Promise<QintDocument>;
  /** Closes the source (a Node file handle); further reads fail. */
  close(): Promise<void>;
}
