import type { Model } from './internal/ir';
import type { DType, QuantDType, QuantGranularity } from '@qint/tensor';
import type { JsonValue } from './internal/strict-json';

export type { JsonValue, JsonObject } from './internal/strict-json';

/**
 * File-level metadata beside the model: how it was quantized and calibrated, plus free key/values. Keys other than
 * these four are kept as they are (a newer writer's fields survive a re-save).
 */
export interface QintMetadata {
  /** The quantization recipe (options given to the quantizer), as JSON. */
  recipe?: JsonValue;
  /** The per-layer quantization plan, as JSON. */
  plan?: JsonValue;
  /** A summary of calibration (sample count, ranges, ...), as JSON. */
  calibration?: JsonValue;
  /** Free user key/values. */
  user?: Record<string, string>;
  [key: string]: JsonValue | Record<string, string> | undefined;
}

/** A decoded `.qint` file: the model plus everything else the header held. Pass it back as options to re-save losslessly. */
export interface QintDocument {
  readonly model: Model;
  readonly metadata: QintMetadata;
  /** Top-level header fields this reader does not know (written by a newer minor version); preserved on re-save. */
  readonly extensions: Readonly<Record<string, JsonValue>>;
  /** The file's format version. */
  readonly version: { readonly major: number; readonly minor: number };
  /** The library that wrote the file. */
  readonly producer: { readonly name: string; readonly version: string };
}

/** Options of {@link encodeQint} and {@link writeQint}. */
export interface EncodeQintOptions {
  /** File-level metadata (recipe, plan, calibration summary, user key/values). */
  metadata?: QintMetadata;
  /** Extra top-level header fields to write verbatim (e.g. `doc.extensions` of a file being re-saved). */
  extensions?: Readonly<Record<string, JsonValue>>;
  /** Cap on the JSON header's byte length (default 16 MiB); the writer refuses to produce a header readers would refuse. */
  maxHeaderBytes?: number;
  /** Scale/zero-point arrays up to this length are written inline in the header, longer ones to the data section (default 64). */
  inlineQuantLimit?: number;
}

/** Options of every reader. */
export interface DecodeQintOptions {
  /** Verify the header's and every tensor's xxHash64 (default true). Structure is always validated. */
  verifyChecksums?: boolean;
  /** Refuse headers longer than this (default 16 MiB, at most 256 MiB). */
  maxHeaderBytes?: number;
}

/** One row of the tensor table, as {@link inspectQint} reports it. */
export interface QintTensorInfo {
  /** Position in the tensor table. */
  readonly index: number;
  readonly name: string;
  /** What the tensor is: a graph initializer, a node attribute, or the scales/zero points of another tensor. */
  readonly role: 'initializer' | 'attribute' | 'scale' | 'zero-point';
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Absolute byte offset of the data in the file. */
  readonly byteOffset: number;
  readonly byteLength: number;
  /** xxHash64 of the data, 16 hex digits. */
  readonly checksum: string;
  /** Quantization of an initializer, when the graph records it. */
  readonly quant?: {
    readonly granularity: QuantGranularity;
    readonly dtype: QuantDType;
    readonly axis?: number;
    readonly blockSize?: number;
    readonly scaleCount: number;
  };
}

/** A summary of a `.qint` file's header, read without touching tensor data. */
export interface QintInfo {
  readonly version: { readonly major: number; readonly minor: number };
  readonly producer: { readonly name: string; readonly version: string };
  readonly fileByteLength: number;
  readonly headerByteLength: number;
  /** Absolute offset of the data section. */
  readonly dataOffset: number;
  readonly dataByteLength: number;
  readonly model: {
    readonly irVersion: number;
    readonly opsetImports: Readonly<Record<string, number>>;
    readonly producerName: string;
    readonly producerVersion: string;
    readonly graphName: string;
    readonly nodeCount: number;
    /** Node count per op type (top-level graph). */
    readonly opTypes: Readonly<Record<string, number>>;
    readonly inputs: readonly string[];
    readonly outputs: readonly string[];
  };
  readonly tensors: readonly QintTensorInfo[];
  readonly metadata: QintMetadata;
  readonly extensions: Readonly<Record<string, JsonValue>>;
}
