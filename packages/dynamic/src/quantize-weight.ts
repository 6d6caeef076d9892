import { calculateQParams, roundHalfEven, type Convention, type ObserverOptions, type QParams } from '@qint/observers';
import { QuantizeError } from './quantize-error';
import type { RangeMethod, WeightBitWidth, WeightGranularity } from './quantize-dynamic-options';

const f = Math.fround;

/** Settings of {@link quantizeWeight}. */
export interface WeightQuantSettings {
  bits: WeightBitWidth;
  granularity: WeightGranularity;
  /** Block length along K (per block only). */
  blockSize: number;
  symmetric: boolean;
  weightType: 'int8' | 'uint8';
  reduceRange: boolean;
  convention: Convention;
  rangeMethod: RangeMethod;
  percentile: number;
}

/** A weight `[n, k]` quantized to signed values with scales (and zero points) per group. */
export interface QuantizedWeight {
  n: number;
  k: number;
  bits: WeightBitWidth;
  /** 0 for per tensor / per channel, else the block length along k. */
  blockSize: number;
  /** Signed values `[n, k]`: in the signed `bits` range (uint8 weights are stored shifted by −128). */
  values: Int8Array;
  /** One (per tensor), `n` (per channel) or `n · ceil(k / blockSize)` (per block). */
  scales: Float32Array;
  /** Signed zero points in the layout of `scales`; undefined when all are 0 (symmetric). */
  zeroPoints?: Int32Array;
}

/** The observer options that give the integer range of a bit width (sub-byte: a custom int8 range). */
function observerOptions(s: WeightQuantSettings): ObserverOptions {
  const perTensor = s.granularity === 'per_tensor';
  const qscheme = `${perTensor ? 'per_tensor' : 'per_channel'}_${s.symmetric ? 'symmetric' : 'affine'}` as ObserverOptions['qscheme'];
  if (s.bits === 8) return { dtype: s.weightType, qscheme, reduceRange: s.reduceRange, convention: s.convention };
  const half = 2 ** (s.bits - 1);
  return { dtype: 'int8', qscheme, reduceRange: s.reduceRange, convention: s.convention, quantMin: -half, quantMax: half - 1 };
}

/** Integer range of stored values (before the uint8 shift). Internal (GPTQ rounds into the same range). */
export function storedRange(s: Pick<WeightQuantSettings, 'bits' | 'weightType' | 'reduceRange'>): { lo: number; hi: number } {
  if (s.bits === 8 && s.weightType === 'uint8') return s.reduceRange ? { lo: 0, hi: 127 } : { lo: 0, hi: 255 };
  if (s.bits === 8) return s.reduceRange ? { lo: -64, hi: 63 } : { lo: -128, hi: 127 };
  const half = 2 ** (s.bits - 1);
  return s.reduceRange ? { lo: Math.floor(-half / 2), hi: Math.floor((half - 1) / 2) } : { lo: -half, hi: half - 1 };
}

/**
 * `q = clamp(round(x / scale) + zp)` with the rounding of the convention: PyTorch multiplies by the float32
 * reciprocal of the scale (fbgemm's `Quantize`), ONNX and TFLite divide; both round half to even. Internal (GPTQ
 * rounds each updated weight with it).
 */
export function quantizeValue(x: number, inv: number, scale: number, zp: number, lo: number, hi: number, byReciprocal: boolean): number {
  const r = roundHalfEven(byReciprocal ? f(x * inv) : f(x / scale)) + zp;
  return r < lo ? lo : r > hi ? hi : r;
}

/** Group index of element (row, col). */
function groupOf(s: Pick<WeightQuantSettings, 'granularity' | 'blockSize'>, n: number, k: number): { groups: number; of: (row: number, col: number) => number } {
  if (s.granularity === 'per_tensor') return { groups: 1, of: () => 0 };
  if (s.granularity === 'per_channel') return { groups: n, of: (row) => row };
  const per = Math.ceil(k / s.blockSize);
  return { groups: n * per, of: (row, col) => row * per + Math.floor(col / s.blockSize) };
}

/** The quantizer's groups of a weight `[n, k]` and the min and max of each group (an empty group: ±Infinity). */
export interface GroupRanges {
  /** Number of groups: 1 (per tensor), `n` (per channel) or `n · ceil(k / blockSize)` (per block). */
  groups: number;
  /** Group index of element (row, col). */
  of: (row: number, col: number) => number;
  mins: Float32Array;
  maxs: Float32Array;
}

/**
 * The groups {@link quantizeWeight} gives scales to, and each group's min-max range: what it quantizes with
 * `rangeMethod: 'minmax'`, and what clipping searches (e.g. `clipWeight` of @qint/mixed-precision) shrink.
 *
 * @param w - float32 values `[n, k]`, output-major
 * @param n - output channels
 * @param k - reduction length
 * @param s - the granularity and (per block) block length
 * @returns the group count, the element → group map, and the per-group min and max
 * @example
 * ```ts
 * groupRanges(Float32Array.from([1, -2, 3, 4]), 1, 4, { granularity: 'per_block', blockSize: 2 }); // mins [-2, 3], maxs [1, 4]
 * ```
 */
export function groupRanges(w: Float32Array, n: number, k: number, s: Pick<WeightQuantSettings, 'granularity' | 'blockSize'>): GroupRanges {
  const { groups, of } = groupOf(s, n, k);
  const mins = new Float32Array(groups).fill(Infinity);
  const maxs = new Float32Array(groups).fill(-Infinity);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < k; c++) {
      const g = of(r, c);
      const v = w[r * k + c];
      if (v < mins[g]) mins[g] = v;
      if (v > maxs[g]) maxs[g] = v;
    }
  }
  return { groups, of, mins, maxs };
}

function percentileOf(sorted: Float32Array, p: number): number {
  if (sorted.length === 0) return 0;
  const pos = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Quantizes one weight `[n, k]` (output-major) to signed integers. Every scale and zero point comes from
 * `calculateQParams` of @qint/observers (one code path for all scales); the range it is given is the min/max of each
 * group, or a clipped range (`'mse'`: the shrink factor in 1, 0.99, …, 0.5 with the least squared error per group;
 * `'percentile'`: the given percentile of the group's values).
 *
 * @param w - float32 values `[n, k]`
 * @param n - output channels
 * @param k - reduction length
 * @param s - {@link WeightQuantSettings}
 * @param node - node name for messages
 * @returns the {@link QuantizedWeight}
 * @throws {@link QuantizeError} for a NaN/Inf weight or settings the observers reject
 * @example
 * ```ts
 * const q = quantizeWeight(w, n, k, { bits: 4, granularity: 'per_block', blockSize: 32, symmetric: true, weightType: 'int8',
 *   reduceRange: false, convention: 'pytorch', rangeMethod: 'minmax', percentile: 100 }, 'fc1');
 * q.scales.length; // n * ceil(k / 32)
 * ```
 */
export function quantizeWeight(w: Float32Array, n: number, k: number, s: WeightQuantSettings, node: string): QuantizedWeight {
  for (let i = 0; i < w.length; i++) {
    if (!Number.isFinite(w[i])) {
      throw new QuantizeError(`node "${node}": weight element ${i} (row ${Math.floor(i / k)}, col ${i % k}) is ${w[i]}; weights must be finite to be quantized`, { node });
    }
  }
  const { groups, of, mins, maxs } = groupRanges(w, n, k, s);
  for (let g = 0; g < groups; g++) if (mins[g] > maxs[g]) mins[g] = maxs[g] = 0;
  const opts = observerOptions(s);
  const qparams = (lo: ArrayLike<number>, hi: ArrayLike<number>): QParams => {
    try {
      return calculateQParams(lo, hi, opts);
    } catch (e) {
      throw new QuantizeError(`node "${node}": cannot compute weight scales: ${(e as Error).message}`, { node, cause: e });
    }
  };
  const { lo, hi } = storedRange(s);
  const byReciprocal = s.convention === 'pytorch';
  const quantizeAll = (qp: QParams, out: Int32Array): void => {
    const inv = Float32Array.from(qp.scale, (x) => f(1 / x));
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < k; c++) {
        const g = of(r, c);
        out[r * k + c] = quantizeValue(w[r * k + c], inv[g], qp.scale[g], qp.zeroPoint[g], lo, hi, byReciprocal);
      }
    }
  };
  let qp: QParams;
  const q = new Int32Array(n * k);
  if (s.rangeMethod === 'minmax') {
    qp = qparams(mins, maxs);
    quantizeAll(qp, q);
  } else if (s.rangeMethod === 'percentile') {
    const buckets: number[][] = Array.from({ length: groups }, () => []);
    for (let r = 0; r < n; r++) for (let c = 0; c < k; c++) buckets[of(r, c)].push(w[r * k + c]);
    const plo = new Float32Array(groups);
    const phi = new Float32Array(groups);
    for (let g = 0; g < groups; g++) {
      if (s.symmetric) {
        const abs = Float32Array.from(buckets[g], Math.abs).sort();
        const a = percentileOf(abs, s.percentile);
        [plo[g], phi[g]] = [-a, a];
      } else {
        const sorted = Float32Array.from(buckets[g]).sort();
        [plo[g], phi[g]] = [percentileOf(sorted, 100 - s.percentile), percentileOf(sorted, s.percentile)];
      }
    }
    qp = qparams(plo, phi);
    quantizeAll(qp, q);
  } else {
    // MSE: per group, the shrink factor of the min-max range with the least squared reconstruction error.
    const best = new Float64Array(groups).fill(Infinity);
    qp = { scale: new Float32Array(groups), zeroPoint: new Int32Array(groups) };
    const trial = new Int32Array(n * k);
    const err = new Float64Array(groups);
    for (let step = 0; step <= 50; step++) {
      const c = 1 - step * 0.01;
      const t = qparams(Float32Array.from(mins, (v) => v * c), Float32Array.from(maxs, (v) => v * c));
      quantizeAll(t, trial);
      err.fill(0);
      for (let r = 0; r < n; r++) {
        for (let col = 0; col < k; col++) {
          const g = of(r, col);
          const d = (trial[r * k + col] - t.zeroPoint[g]) * t.scale[g] - w[r * k + col];
          err[g] += d * d;
        }
      }
      for (let g = 0; g < groups; g++) {
        if (err[g] < best[g]) {
          best[g] = err[g];
          qp.scale[g] = t.scale[g];
          qp.zeroPoint[g] = t.zeroPoint[g];
        }
      }
    }
    quantizeAll(qp, q);
  }
  const shift = s.bits === 8 && s.weightType === 'uint8' ? 128 : 0;
  const values = new Int8Array(n * k);
  for (let i = 0; i < q.length; i++) values[i] = q[i] - shift;
  let zeroPoints: Int32Array | undefined = Int32Array.from(qp.zeroPoint, (z) => z - shift);
  if (zeroPoints.every((z) => z === 0)) zeroPoints = undefined;
  return { n, k, bits: s.bits, blockSize: s.granularity === 'per_block' ? s.blockSize : 0, values, scales: Float32Array.from(qp.scale), zeroPoints };
}
