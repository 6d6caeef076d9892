import { groupRanges, quantizeWeight, type WeightQuantSettings } from '@qint/dynamic';
import { ShapeError, ValueError } from '@qint/tensor';
import type { QuantScheme } from './sensitivity-table';

/** Options of {@link clipWeight}. */
export interface ClipWeightOptions {
  /** Smallest shrink factor tried (default 0.3: 2-bit weights often want a range well inside the min-max). */
  minFactor?: number;
  /** Step between shrink factors, from 1 down to `minFactor` (default 0.02). */
  step?: number;
  /** Scale arithmetic of the quantizer that will store the weight (default `'pytorch'`, @qint/dynamic's default). */
  convention?: WeightQuantSettings['convention'];
}

/** The result of {@link clipWeight}. */
export interface ClippedWeight {
  /** The weight `[n, k]`, each group clipped to its chosen range (a new array; the input is not changed). */
  weights: Float32Array;
  /** The chosen shrink factor per group (1 = the min-max range), in the quantizer's group order. */
  factors: Float32Array;
  /** Squared reconstruction error Σ (w − ŵ)² before (min-max) and after clipping. */
  errorBefore: number;
  errorAfter: number;
}

/**
 * MSE-optimal clipping of a weight for a low-bit scheme. For each group of the scheme (output channel, or block of
 * `blockSize` inputs within a channel), tries the ranges `c · [min, max]` (symmetric: `c · [−absmax, absmax]`) for
 * `c` from 1 down to `minFactor`, quantizes with @qint/dynamic's own `quantizeWeight` (min-max of the clipped values,
 * so the error is exactly what the stored model will have), and keeps the `c` with the least squared
 * reconstruction error of the **unclipped** weights. Quantizing the returned weights with the plain min-max quantizer
 * then stores those clipped ranges: clipping never costs bytes, and at 2–4 bits it trades a little error on a few
 * outliers for finer steps everywhere else.
 *
 * @param w - float32 weights `[n, k]`, output-major (n outputs, k inputs)
 * @param shape - `[n, k]`
 * @param scheme - the integer scheme (`bits`, `granularity` `'per-channel'` or `'per-block'`, `blockSize`, `affine`)
 * @param options - {@link ClipWeightOptions}
 * @returns the clipped weights, the factors and the errors before and after
 * @throws {@link ShapeError} when `w.length ≠ n·k`
 * @throws {@link ValueError} for a float or per-tensor scheme, bits outside 2–8, a bad factor grid, or non-finite weights
 * @example
 * ```ts
 * const { weights, errorAfter } = clipWeight(w, [64, 128], { bits: 3, granularity: 'per-block', blockSize: 32 });
 * ```
 */
export function clipWeight(w: Float32Array, shape: readonly [number, number], scheme: QuantScheme, options: ClipWeightOptions = {}): ClippedWeight {
  const [n, k] = shape;
  if (w.length !== n * k) throw new ShapeError(`clipWeight: w has ${w.length} elements, expected n·k = ${n}·${k} = ${n * k}`);
  if (scheme.granularity !== 'per-channel' && scheme.granularity !== 'per-block') {
    throw new ValueError(`clipWeight: scheme.granularity must be 'per-channel' or 'per-block', got ${JSON.stringify(scheme.granularity)}`);
  }
  if (![2, 3, 4, 8].includes(scheme.bits)) throw new ValueError(`clipWeight: scheme.bits must be 2, 3, 4 or 8, got ${scheme.bits}`);
  const minFactor = options.minFactor ?? 0.3;
  const step = options.step ?? 0.02;
  if (!(minFactor > 0 && minFactor <= 1)) throw new ValueError(`clipWeight: options.minFactor must be in (0, 1], got ${minFactor}`);
  if (!(step > 0 && step < 1)) throw new ValueError(`clipWeight: options.step must be in (0, 1), got ${step}`);
  for (let i = 0; i < w.length; i++) {
    if (!Number.isFinite(w[i])) throw new ValueError(`clipWeight: weight ${i} is ${w[i]}; weights must be finite`);
  }
  const perBlock = scheme.granularity === 'per-block';
  const bs = perBlock ? (scheme.blockSize ?? 32) : Math.max(k, 1);
  const settings: WeightQuantSettings = {
    bits: scheme.bits as WeightQuantSettings['bits'],
    granularity: perBlock ? 'per_block' : 'per_channel',
    blockSize: bs,
    symmetric: !scheme.affine,
    weightType: 'int8',
    reduceRange: false,
    convention: options.convention ?? 'pytorch',
    rangeMethod: 'minmax',
    percentile: 100,
  };
  // The quantizer's own groups and their min-max ranges, so each factor shrinks exactly the range it would store.
  const { groups, of: group, mins: lo, maxs: hi } = groupRanges(w, n, k, settings);
  if (!scheme.affine) {
    for (let g = 0; g < groups; g++) {
      const a = Math.max(Math.abs(lo[g]), Math.abs(hi[g]));
      lo[g] = -a;
      hi[g] = a;
    }
  }
  const clipped = new Float32Array(w.length);
  const clipAll = (factor: (g: number) => number): void => {
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < k; c++) {
        const g = group(r, c);
        const f = factor(g);
        const v = w[r * k + c];
        const a = Math.fround(lo[g] * f);
        const b = Math.fround(hi[g] * f);
        clipped[r * k + c] = v < a ? a : v > b ? b : v;
      }
    }
  };
  const errors = new Float64Array(groups);
  const groupErrors = (): void => {
    const q = quantizeWeight(clipped, n, k, settings, 'clipWeight');
    errors.fill(0);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < k; c++) {
        const g = group(r, c);
        const zp = q.zeroPoints ? q.zeroPoints[g] : 0;
        const d = (q.values[r * k + c] - zp) * q.scales[g] - w[r * k + c];
        errors[g] += d * d;
      }
    }
  };
  const best = new Float64Array(groups).fill(Infinity);
  const factors = new Float64Array(groups).fill(1); // the exact factors tried, so the last pass clips identically
  let errorBefore = 0;
  const steps = Math.floor((1 - minFactor) / step + 1e-9);
  for (let s = 0; s <= steps; s++) {
    const f = 1 - s * step;
    clipAll(() => f);
    groupErrors();
    if (s === 0) for (let g = 0; g < groups; g++) errorBefore += errors[g];
    for (let g = 0; g < groups; g++) {
      // Strictly better only: ties keep the wider range (no clipping without a gain).
      if (errors[g] < best[g]) {
        best[g] = errors[g];
        factors[g] = f;
      }
    }
  }
  clipAll((g) => factors[g]);
  let errorAfter = 0;
  for (let g = 0; g < groups; g++) errorAfter += best[g];
  return { weights: Float32Array.from(clipped), factors: Float32Array.from(factors), errorBefore, errorAfter };
}
