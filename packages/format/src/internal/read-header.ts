// Validation of an untrusted .qint preamble and header. Nothing here allocates in proportion to numbers read from
// the file: every length, offset, count and shape product is checked against the file's real size first.
import { dtypeInfo, isDType, isQuantDType, type DType, type QuantDType, type QuantGranularity } from '@qint/tensor';
import {
  QINT_ALIGNMENT,
  QINT_DEFAULT_MAX_HEADER_BYTES,
  QINT_FORMAT_MAJOR,
  QINT_MAGIC,
  QINT_MAX_HEADER_BYTES_LIMIT,
  QINT_PREAMBLE_BYTES,
} from '../constants';
import { FormatError, type FormatErrorReason } from '../format-error';
import type { DecodeQintOptions, QintMetadata } from '../qint-types';
import { createChecksum } from './checksum';
import { KNOWN_TOP_LEVEL, PRODUCER, defineOwn } from './shared';
import { JsonSyntaxError, locate, parseStrictJson, type JsonObject, type JsonValue } from './strict-json';
import { decodeUtf8, utf8Length } from './utf8';

export interface Preamble {
  readonly major: number;
  readonly minor: number;
  readonly headerLength: number;
  readonly dataOffset: number;
  readonly dataLength: number;
  readonly fileLength: number;
}

/** Largest rank accepted for a tensor (ONNX itself has no cap; real models stay far below). */
export const MAX_RANK = 64;

function fail(reason: FormatErrorReason, message: string, field: string, offset: number): never {
  throw new FormatError(reason, message, { field, offset });
}

/** Resolves the header-size cap from options. */
export function headerCap(options: DecodeQintOptions): number {
  const cap = options.maxHeaderBytes ?? QINT_DEFAULT_MAX_HEADER_BYTES;
  if (!Number.isSafeInteger(cap) || cap < 2 || cap > QINT_MAX_HEADER_BYTES_LIMIT) {
    fail('BAD_ARGUMENT', `maxHeaderBytes must be an integer in [2, ${QINT_MAX_HEADER_BYTES_LIMIT}], got ${String(cap)}`, 'options.maxHeaderBytes', -1);
  }
  return cap;
}

/**
 * Checks the fixed 32-byte preamble. `head` holds the first min(32, fileLength) bytes of the file.
 */
export function parsePreamble(head: Uint8Array, fileLength: number, maxHeader: number): Preamble {
  for (let i = 0; i < QINT_MAGIC.length; i++) {
    if (i >= head.length) fail('TRUNCATED', `the file ends after ${fileLength} bytes, inside the 8-byte magic`, 'preamble.magic', fileLength);
    if (head[i] !== QINT_MAGIC[i]) {
      fail('BAD_MAGIC', `not a .qint file: byte ${i} is 0x${head[i].toString(16).padStart(2, '0')}, expected 0x${QINT_MAGIC[i].toString(16)} of the magic \\x89QINT\\r\\n\\x1a`, 'preamble.magic', i);
    }
  }
  if (head.length < QINT_PREAMBLE_BYTES) {
    fail('TRUNCATED', `the file ends after ${fileLength} bytes, inside the ${QINT_PREAMBLE_BYTES}-byte preamble`, 'preamble', fileLength);
  }
  const view = new DataView(head.buffer, head.byteOffset, QINT_PREAMBLE_BYTES);
  const major = view.getUint16(8, true);
  const minor = view.getUint16(10, true);
  if (major !== QINT_FORMAT_MAJOR) {
    fail(
      'UNSUPPORTED_VERSION',
      major > QINT_FORMAT_MAJOR
        ? `the file is .qint format ${major}.${minor}, which needs a reader of format ${major}.x; this reader (${PRODUCER.name} ${PRODUCER.version}) reads format ${QINT_FORMAT_MAJOR}.x: upgrade ${PRODUCER.name}`
        : `the file claims .qint format ${major}.${minor}, which was never released; this reader reads format ${QINT_FORMAT_MAJOR}.x`,
      'preamble.version',
      8,
    );
  }
  const headerLength = view.getUint32(12, true);
  if (headerLength > maxHeader) {
    fail('HEADER_TOO_LARGE', `the JSON header claims ${headerLength} bytes, above the cap of ${maxHeader} (raise maxHeaderBytes if the file is trusted)`, 'preamble.headerLength', 12);
  }
  if (headerLength < 2) fail('BAD_JSON', `the JSON header claims ${headerLength} bytes; the smallest header, {}, has 2`, 'preamble.headerLength', 12);
  if (headerLength > fileLength - QINT_PREAMBLE_BYTES) {
    fail('TRUNCATED', `the JSON header claims ${headerLength} bytes but the file has only ${fileLength - QINT_PREAMBLE_BYTES} after the preamble`, 'preamble.headerLength', 12);
  }
  const lo = view.getUint32(24, true);
  const hi = view.getUint32(28, true);
  if (hi >= 2 ** 21) fail('RANGE_OUT_OF_BOUNDS', `the data section length ${hi} * 2^32 + ${lo} exceeds 2^53 - 1`, 'preamble.dataLength', 24);
  const dataLength = hi * 2 ** 32 + lo;
  const dataOffset = Math.ceil((QINT_PREAMBLE_BYTES + headerLength) / QINT_ALIGNMENT) * QINT_ALIGNMENT;
  if (dataOffset > fileLength || dataLength > fileLength - dataOffset) {
    fail('TRUNCATED', `the file has ${fileLength} bytes but its data section claims bytes ${dataOffset} to ${dataOffset + dataLength}`, 'preamble.dataLength', 24);
  }
  if (dataLength < fileLength - dataOffset) {
    fail('TRAILING_BYTES', `the file has ${fileLength - dataOffset - dataLength} bytes after the end of its data section`, 'preamble.dataLength', 24);
  }
  return { major, minor, headerLength, dataOffset, dataLength, fileLength };
}

export interface QuantSpec {
  readonly granularity: QuantGranularity;
  readonly dtype: QuantDType;
  readonly axis: number;
  readonly blockSize: number;
  readonly count: number;
  /** Inline values, or the table index of a float32 / int32 tensor holding them. */
  readonly scale: number[] | number;
  readonly zeroPoint: number[] | number;
  readonly field: string;
  /** File offset of the `quant` object (computed on demand: only errors need it). */
  readonly offset: () => number;
}

export interface TensorEntry {
  readonly index: number;
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly size: number;
  /** Relative to the data section. */
  readonly offset: number;
  readonly length: number;
  readonly checksum: string;
  role: 'initializer' | 'attribute' | 'scale' | 'zero-point';
  quant?: QuantSpec;
  readonly field: string;
}

/** The header after structural validation: a tensor table whose ranges are proven in bounds and disjoint. */
export interface ValidHeader {
  readonly preamble: Preamble;
  readonly tensors: TensorEntry[];
  /** The header's `tensors` array, for error positions. */
  readonly tensorsJson: JsonValue[];
  readonly modelJson: JsonObject;
  readonly graphJson: JsonObject;
  readonly producer: { name: string; version: string };
  readonly metadata: QintMetadata;
  readonly extensions: Record<string, JsonValue>;
  readonly ctx: HeaderContext;
}

/** Maps JSON positions to file offsets, for error messages. */
export class HeaderContext {
  constructor(
    readonly text: string,
    readonly root: JsonValue,
  ) {}

  /** File offset where `container[key]` starts (or the header start when unknown). Only computed for errors. */
  at(container: object | undefined, key?: string | number): number {
    const idx = container && key !== undefined ? locate(this.text, this.root, container, key) : undefined;
    return QINT_PREAMBLE_BYTES + (idx === undefined ? 0 : utf8Length(this.text, idx));
  }

  fail(reason: FormatErrorReason, message: string, field: string, container?: object, key?: string | number): never {
    return fail(reason, message, field, this.at(container, key));
  }

  obj(parent: object, key: string | number, field: string, optional = false): JsonObject | undefined {
    const v = (parent as Record<string | number, JsonValue | undefined>)[key];
    if (v === undefined && optional) return undefined;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail('BAD_FIELD', `${field} must be an object, got ${kind(v)}`, field, parent, key);
    return v;
  }

  arr(parent: object, key: string | number, field: string, optional = false): JsonValue[] | undefined {
    const v = (parent as Record<string | number, JsonValue | undefined>)[key];
    if (v === undefined && optional) return undefined;
    if (!Array.isArray(v)) this.fail('BAD_FIELD', `${field} must be an array, got ${kind(v)}`, field, parent, key);
    return v;
  }

  str(parent: object, key: string | number, field: string, optional = false): string | undefined {
    const v = (parent as Record<string | number, JsonValue | undefined>)[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string') this.fail('BAD_FIELD', `${field} must be a string, got ${kind(v)}`, field, parent, key);
    return v;
  }

  int(parent: object, key: string | number, field: string, min = -Number.MAX_SAFE_INTEGER, optional = false): number | undefined {
    const v = (parent as Record<string | number, JsonValue | undefined>)[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
      this.fail('BAD_FIELD', `${field} must be an integer >= ${min}, got ${kind(v)}`, field, parent, key);
    }
    return v;
  }
}

function kind(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  if (typeof v === 'number') return `the number ${v}`;
  return `a ${typeof v}`;
}

const GRANULARITIES = new Set(['per-tensor', 'per-axis', 'blocked']);
const CHECKSUM_RE = /^[0-9a-f]{16}$/;

/**
 * Validates the JSON header. `headerBytes` are the `headerLength` bytes after the preamble; `preambleBytes` the first 32.
 */
export function parseHeader(preambleBytes: Uint8Array, headerBytes: Uint8Array, preamble: Preamble, verifyChecksums: boolean): ValidHeader {
  if (verifyChecksums) {
    const h = createChecksum();
    h.update(preambleBytes.subarray(0, 16));
    h.update(preambleBytes.subarray(24, QINT_PREAMBLE_BYTES));
    h.update(headerBytes);
    const expected = new DataView(preambleBytes.buffer, preambleBytes.byteOffset + 16, 8).getBigUint64(0, true).toString(16).padStart(16, '0');
    const actual = h.hex();
    if (actual !== expected) {
      fail('CHECKSUM_MISMATCH', `the header's xxHash64 is ${actual} but the preamble records ${expected}: the preamble or header is corrupt`, 'header', QINT_PREAMBLE_BYTES);
    }
  }
  const decoded = decodeUtf8(headerBytes);
  if ('badIndex' in decoded) {
    fail('BAD_UTF8', 'the JSON header is not valid UTF-8', 'header', QINT_PREAMBLE_BYTES + decoded.badIndex);
  }
  const text = decoded.text;
  let parsed;
  try {
    parsed = parseStrictJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) {
      fail(e.duplicateKey ? 'DUPLICATE_KEY' : 'BAD_JSON', `the JSON header is invalid: ${e.message}`, 'header', QINT_PREAMBLE_BYTES + utf8Length(text, e.index));
    }
    throw e;
  }
  const ctx = new HeaderContext(text, parsed.value);
  const value = parsed.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    ctx.fail('BAD_FIELD', `the header must be a JSON object, got ${kind(value)}`, 'header');
  }
  const root = value as JsonObject;
  const producerJson = ctx.obj(root, 'producer', 'producer')!;
  const producer = { name: ctx.str(producerJson, 'name', 'producer.name')!, version: ctx.str(producerJson, 'version', 'producer.version')! };
  const modelJson = ctx.obj(root, 'model', 'model')!;
  const graphJson = ctx.obj(root, 'graph', 'graph')!;
  const metadata = parseMetadata(ctx, root);
  const extensions: Record<string, JsonValue> = {};
  for (const key of Object.keys(root)) {
    if (!KNOWN_TOP_LEVEL.has(key)) defineOwn(extensions, key, root[key]);
  }
  const tensors = parseTensorTable(ctx, root, preamble);
  const tensorsJson = root.tensors as JsonValue[];
  return { preamble, tensors, tensorsJson, modelJson, graphJson, producer, metadata, extensions, ctx };
}

function parseMetadata(ctx: HeaderContext, root: JsonObject): QintMetadata {
  const m = ctx.obj(root, 'metadata', 'metadata', true);
  const out: QintMetadata = {};
  if (!m) return out;
  for (const key of Object.keys(m)) {
    if (key === 'user') {
      const user = ctx.obj(m, 'user', 'metadata.user')!;
      const u: Record<string, string> = {};
      for (const k of Object.keys(user)) {
        defineOwn(u, k, ctx.str(user, k, `metadata.user.${k}`));
      }
      out.user = u;
    } else {
      defineOwn(out, key, m[key]);
    }
  }
  return out;
}

function parseTensorTable(ctx: HeaderContext, root: JsonObject, preamble: Preamble): TensorEntry[] {
  const list = ctx.arr(root, 'tensors', 'tensors')!;
  const entries: TensorEntry[] = [];
  for (let index = 0; index < list.length; index++) {
    const field = `tensors[${index}]`;
    const e = ctx.obj(list, index, field)!;
    const name = ctx.str(e, 'name', `${field}.name`)!;
    const dtype = e.dtype;
    if (!isDType(dtype)) ctx.fail('BAD_DTYPE', `${field} (${name}) has unknown dtype ${kind(dtype)}`, `${field}.dtype`, e, 'dtype');
    const shapeJson = ctx.arr(e, 'shape', `${field}.shape`)!;
    if (shapeJson.length > MAX_RANK) ctx.fail('BAD_SHAPE', `${field} (${name}) has rank ${shapeJson.length}, above ${MAX_RANK}`, `${field}.shape`, e, 'shape');
    const shape: number[] = [];
    let size = 1;
    for (let d = 0; d < shapeJson.length; d++) {
      const dim = shapeJson[d];
      if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
        ctx.fail('BAD_SHAPE', `${field} (${name}) shape[${d}] must be a non-negative integer, got ${kind(dim)}`, `${field}.shape[${d}]`, shapeJson, d);
      }
      shape.push(dim);
    }
    // Multiply only while the product stays exact; a zero dim makes the tensor empty whatever the others are.
    if (shape.includes(0)) size = 0;
    else {
      for (const dim of shape) {
        if (size > Number.MAX_SAFE_INTEGER / dim) {
          ctx.fail('BAD_SHAPE', `${field} (${name}) shape [${shape.join(',')}] has more than 2^53 - 1 elements`, `${field}.shape`, e, 'shape');
        }
        size *= dim;
      }
    }
    const offset = ctx.int(e, 'offset', `${field}.offset`, 0)!;
    const length = ctx.int(e, 'length', `${field}.length`, 0)!;
    const { bits, elementsPerByte } = dtypeInfo(dtype);
    // Exact in float64: a division by 1, 2 or 4 of a safe integer, or a product bounded below 2^53 by the check.
    if (bits >= 8 && size > Number.MAX_SAFE_INTEGER / (bits / 8)) {
      ctx.fail('BAD_SHAPE', `${field} (${name}) shape [${shape.join(',')}] of ${dtype} needs more than 2^53 - 1 bytes`, `${field}.shape`, e, 'shape');
    }
    const expected = bits >= 8 ? size * (bits / 8) : Math.ceil(size / elementsPerByte);
    if (length !== expected) {
      ctx.fail('BAD_SHAPE', `${field} (${name}) has length ${length} but ${dtype}[${shape.join(',')}] needs ${expected} bytes`, `${field}.length`, e, 'length');
    }
    if (offset > preamble.dataLength || length > preamble.dataLength - offset) {
      ctx.fail('RANGE_OUT_OF_BOUNDS', `${field} (${name}) bytes ${offset}..${offset + length} lie outside the ${preamble.dataLength}-byte data section`, `${field}.offset`, e, 'offset');
    }
    const checksum = ctx.str(e, 'checksum', `${field}.checksum`)!;
    if (!CHECKSUM_RE.test(checksum)) ctx.fail('BAD_FIELD', `${field} (${name}) checksum must be 16 lower-case hex digits`, `${field}.checksum`, e, 'checksum');
    const entry: TensorEntry = { index, name, dtype, shape, size, offset, length, checksum, role: 'attribute', field };
    const q = ctx.obj(e, 'quant', `${field}.quant`, true);
    if (q) entry.quant = parseQuant(ctx, q, entry, e);
    entries.push(entry);
  }
  // safetensors' rule, loosened for alignment: ranges are disjoint and only padding (< 64 bytes) sits between them.
  const order = entries.slice().sort((a, b) => a.offset - b.offset || a.length - b.length);
  let end = 0;
  let prev: TensorEntry | undefined;
  for (const t of order) {
    const e = list[t.index] as JsonObject;
    if (t.offset < end) {
      ctx.fail('RANGE_OVERLAP', `${t.field} (${t.name}) bytes ${t.offset}..${t.offset + t.length} overlap ${prev!.field} (${prev!.name}) bytes ${prev!.offset}..${end}`, `${t.field}.offset`, e, 'offset');
    }
    if (t.offset - end >= QINT_ALIGNMENT) {
      ctx.fail('RANGE_GAP', `${t.field} (${t.name}) starts ${t.offset - end} bytes after the previous tensor ends; gaps must be padding of under ${QINT_ALIGNMENT} bytes`, `${t.field}.offset`, e, 'offset');
    }
    end = t.offset + t.length;
    prev = t;
  }
  if (preamble.dataLength - end >= QINT_ALIGNMENT) {
    fail('RANGE_GAP', `the data section has ${preamble.dataLength - end} bytes after the last tensor; at most ${QINT_ALIGNMENT - 1} bytes of padding are allowed`, 'preamble.dataLength', 24);
  }
  return entries;
}

function parseQuant(ctx: HeaderContext, q: JsonObject, t: TensorEntry, e: JsonObject): QuantSpec {
  const field = `${t.field}.quant`;
  const offset = (): number => ctx.at(e, 'quant');
  const granularity = q.granularity;
  if (typeof granularity !== 'string' || !GRANULARITIES.has(granularity)) {
    ctx.fail('BAD_QUANT_PARAMS', `${field}.granularity must be per-tensor, per-axis or blocked, got ${kind(granularity)}`, `${field}.granularity`, q, 'granularity');
  }
  const dtype = q.dtype;
  if (typeof dtype !== 'string' || !isDType(dtype) || !isQuantDType(dtype)) {
    ctx.fail('BAD_QUANT_PARAMS', `${field}.dtype must be a quantized integer dtype, got ${kind(dtype)}`, `${field}.dtype`, q, 'dtype');
  }
  if (isQuantDType(t.dtype) && t.dtype !== dtype) {
    ctx.fail('BAD_QUANT_PARAMS', `${field}.dtype is ${dtype} but the tensor (${t.name}) is ${t.dtype}`, `${field}.dtype`, q, 'dtype');
  }
  const rank = t.shape.length;
  let axis = -1;
  let blockSize = 0;
  let count = 1;
  if (granularity !== 'per-tensor') {
    const a = q.axis;
    if (typeof a !== 'number' || !Number.isInteger(a) || a < -rank || a >= rank) {
      ctx.fail('BAD_QUANT_PARAMS', `${field}.axis must be an integer in [${-rank}, ${rank - 1}] for shape [${t.shape.join(',')}], got ${kind(a)}`, `${field}.axis`, q, 'axis');
    }
    axis = a;
    const ax = a < 0 ? a + rank : a;
    if (granularity === 'per-axis') count = t.shape[ax];
    else {
      const b = q.blockSize;
      if (typeof b !== 'number' || !Number.isSafeInteger(b) || b < 1) {
        ctx.fail('BAD_QUANT_PARAMS', `${field}.blockSize must be a positive integer, got ${kind(b)}`, `${field}.blockSize`, q, 'blockSize');
      }
      blockSize = b;
      // The blocked scale count is at most the element count (or the product with one dim shrunk), so it stays exact.
      count = 1;
      for (let d = 0; d < rank; d++) count *= d === ax ? Math.ceil(t.shape[d] / b) : t.shape[d];
    }
  }
  if (count < 1) ctx.fail('BAD_QUANT_PARAMS', `${field} needs ${count} scales for shape [${t.shape.join(',')}]; quantization params need at least one`, field, e, 'quant');
  const values = (key: 'scale' | 'zeroPoint'): number[] | number => {
    const v = q[key];
    if (Array.isArray(v)) {
      if (v.length !== count) {
        ctx.fail('BAD_QUANT_PARAMS', `${field}.${key} has ${v.length} entries but ${granularity} params for shape [${t.shape.join(',')}] need ${count}`, `${field}.${key}`, q, key);
      }
      for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'number') ctx.fail('BAD_QUANT_PARAMS', `${field}.${key}[${i}] must be a number, got ${kind(v[i])}`, `${field}.${key}[${i}]`, v, i);
      return v as number[];
    }
    if (v !== null && typeof v === 'object') return ctx.int(v, 'tensor', `${field}.${key}.tensor`, 0)!;
    return ctx.fail('BAD_QUANT_PARAMS', `${field}.${key} must be an array of numbers or {"tensor": index}, got ${kind(v)}`, `${field}.${key}`, q, key);
  };
  return { granularity: granularity as QuantGranularity, dtype, axis, blockSize, count, scale: values('scale'), zeroPoint: values('zeroPoint'), field, offset };
}
