import { ValueError } from '@qint/tensor';
import type { Granularity } from './sensitivity-table';

/**
 * Arguments of {@link candidateBytes}.
 *
 * @example
 * ```ts
 * const o: CandidateBytesOptions = { n: 64, k: 128, bits: 4, blockSize: 32, hasZeroPoints: true, scaleBytes: 2 };
 * ```
 */
export interface CandidateBytesOptions {
  /** Output channels (rows of the output-major `[n, k]` weight). */
  n: number;
  /** Inputs per output channel. */
  k: number;
  /** Bits per stored weight: 1–8, or 32 for float. */
  bits: number;
  /** Defaults: `'float'` when `bits` is 32, `'per-block'` when `blockSize` is given, else `'per-channel'`. */
  granularity?: Granularity;
  /** Inputs per block (per-block only); the last block of a row may be shorter. */
  blockSize?: number;
  /** Affine schemes store one zero point per group, packed at `bits` bits. Default `false` (symmetric). */
  hasZeroPoints?: boolean;
  /** 4 (float32 scales, default) or 2 (float16). */
  scaleBytes?: 2 | 4;
}

/**
 * Exact stored bytes of an `[n, k]` weight under a quantization scheme:
 *
 * - packed weights: `ceil(n·k·bits / 8)` (the whole tensor packed densely, element 0 in the low bits, as ONNX
 *   stores int4/int2 tensors; MatMulNBits instead pads every row to whole blocks — equal when `k` is a multiple of
 *   `blockSize` and `blockSize·bits` of 8);
 * - groups: 1 (per-tensor), `n` (per-channel) or `n·ceil(k / blockSize)` (per-block);
 * - scales: `groups · scaleBytes`;
 * - zero points (affine only): `ceil(groups · bits / 8)`, packed at `bits` bits;
 * - `'float'`: `4·n·k` (float32, no scales). Biases stay float under every candidate and are not counted.
 *
 * @param options - shape, bits, granularity and storage options
 * @returns the byte count, a non-negative integer
 * @throws ValueError when `n`/`k` are not non-negative integers, `bits` is not 1–8 or 32, `blockSize` is missing or
 *   not a positive integer for per-block, `scaleBytes` is not 2 or 4, or the count exceeds 2^53 − 1
 * @example
 * ```ts
 * candidateBytes({ n: 64, k: 128, bits: 8 });                  // 8192 + 64·4 = 8448
 * candidateBytes({ n: 64, k: 128, bits: 4, blockSize: 32 });   // 4096 + 256·4 = 5120
 * candidateBytes({ n: 64, k: 128, bits: 32 });                 // 32768
 * ```
 */
export function candidateBytes(options: CandidateBytesOptions): number {
  const { n, k, bits, blockSize, hasZeroPoints = false, scaleBytes = 4 } = options;
  for (const [name, v] of [['n', n], ['k', k]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new ValueError(`candidateBytes: ${name} must be a non-negative integer, got ${String(v)}`);
  }
  const granularity: Granularity =
    options.granularity ?? (bits === 32 ? 'float' : blockSize !== undefined ? 'per-block' : 'per-channel');
  if (granularity === 'float') {
    if (bits !== 32) throw new ValueError(`candidateBytes: granularity 'float' stores 32 bits per weight, got bits ${String(bits)}`);
    return checked(4 * n * k);
  }
  if (!Number.isInteger(bits) || bits < 1 || bits > 8) {
    throw new ValueError(`candidateBytes: bits must be an integer 1–8 (or 32 for float), got ${String(bits)}`);
  }
  if (scaleBytes !== 2 && scaleBytes !== 4) throw new ValueError(`candidateBytes: scaleBytes must be 2 or 4, got ${String(scaleBytes)}`);
  let groups: number;
  if (granularity === 'per-block') {
    if (blockSize === undefined || !Number.isSafeInteger(blockSize) || blockSize < 1) {
      throw new ValueError(`candidateBytes: per-block needs blockSize, a positive integer, got ${String(blockSize)}`);
    }
    groups = n * Math.ceil(k / blockSize);
  } else if (granularity === 'per-channel') {
    groups = n;
  } else if (granularity === 'per-tensor') {
    groups = 1;
  } else {
    throw new ValueError(`candidateBytes: granularity must be 'per-tensor', 'per-channel', 'per-block' or 'float', got ${String(granularity)}`);
  }
  const packed = Math.ceil(checked(n * k * bits) / 8);
  const scales = groups * scaleBytes;
  const zeroPoints = hasZeroPoints ? Math.ceil(checked(groups * bits) / 8) : 0;
  return checked(packed + scales + zeroPoints);
}

function checked(v: number): number {
  if (!Number.isSafeInteger(v)) throw new ValueError(`candidateBytes: byte count ${v} exceeds 2^53 − 1`);
  return v;
}
