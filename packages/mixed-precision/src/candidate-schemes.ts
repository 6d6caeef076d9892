import type { NodeQuantSettings } from '@qint/dynamic';
import type { QuantScheme } from './sensitivity-table';

/** A quantization scheme to try on every layer, with the id it gets in the sensitivity table. */
export interface CandidateScheme extends QuantScheme {
  id: string;
}

/**
 * The candidates measured by default: 8 bits per channel; 4, 3 and 2 bits both per channel (fewest scale bytes)
 * and per block of 32 (least error). `'float'` (keep the layer in float32) is always added. A scheme the quantizer
 * cannot apply to a layer (e.g. per-block Conv) is left out of that layer's candidates.
 */
export const DEFAULT_CANDIDATE_SCHEMES: readonly CandidateScheme[] = Object.freeze([
  { id: 'int8-per-channel', bits: 8, granularity: 'per-channel' },
  { id: 'int4-per-channel', bits: 4, granularity: 'per-channel' },
  { id: 'int4-block32', bits: 4, granularity: 'per-block', blockSize: 32 },
  { id: 'int3-per-channel', bits: 3, granularity: 'per-channel' },
  { id: 'int3-block32', bits: 3, granularity: 'per-block', blockSize: 32 },
  { id: 'int2-per-channel', bits: 2, granularity: 'per-channel' },
  { id: 'int2-block32', bits: 2, granularity: 'per-block', blockSize: 32 },
]);

/**
 * A wider search: 8 bits per channel; 4, 3 and 2 bits per channel and per block of 32, 64 and 128, each both with the
 * min-max range and with MSE-optimal clipping (`clip: 'mse'`, ids ending in `-mse`, see {@link clipWeight}). Costs
 * about 3.5× the measurements of {@link DEFAULT_CANDIDATE_SCHEMES}; finds smaller plans of the same damage, mostly
 * at 2–3 bits where clipping pays most.
 */
export const SEARCH_CANDIDATE_SCHEMES: readonly CandidateScheme[] = Object.freeze([
  { id: 'int8-per-channel', bits: 8, granularity: 'per-channel' },
  ...[4, 3, 2].flatMap((bits) =>
    [undefined, 32, 64, 128].flatMap((blockSize) => {
      const base: CandidateScheme = blockSize
        ? { id: `int${bits}-block${blockSize}`, bits, granularity: 'per-block', blockSize }
        : { id: `int${bits}-per-channel`, bits, granularity: 'per-channel' };
      return [base, { ...base, id: `${base.id}-mse`, clip: 'mse' as const }];
    }),
  ),
]);

/**
 * {@link SEARCH_CANDIDATE_SCHEMES} plus a GPTQ-rounded twin of every 4/3/2-bit candidate (`rounding: 'gptq'`, ids
 * ending in `-gptq`, e.g. `int3-block32-mse-gptq`: the clipped scales, GPTQ's integers). Same bytes as the twin;
 * lower output error when the layer's inputs are correlated. Only measurable with calibration data (the data-free
 * proxy skips them), and {@link applyPlan} then needs the calibration data (or its `layerGrams`) too. About twice the
 * measurements of the search set.
 */
export const GPTQ_SEARCH_CANDIDATE_SCHEMES: readonly CandidateScheme[] = Object.freeze([
  ...SEARCH_CANDIDATE_SCHEMES,
  ...SEARCH_CANDIDATE_SCHEMES.filter((s) => s.bits < 8).map((s) => ({ ...s, id: `${s.id}-gptq`, rounding: 'gptq' as const })),
]);

/** The id of the keep-in-float candidate. */
export const FLOAT_CANDIDATE_ID = 'float';

/**
 * Maps a candidate's scheme to the dynamic quantizer's per-node settings.
 *
 * @param scheme - an integer candidate (not `'float'`)
 * @returns settings for `quantizeDynamic`'s `overrides`
 * @example
 * ```ts
 * toQuantizerSettings({ bits: 4, granularity: 'per-block', blockSize: 32 }); // { bits: 4, granularity: 'per_block', blockSize: 32, symmetric: true }
 * ```
 */
export function toQuantizerSettings(scheme: QuantScheme): NodeQuantSettings {
  const granularity = scheme.granularity === 'per-block' ? 'per_block' : scheme.granularity === 'per-tensor' ? 'per_tensor' : 'per_channel';
  return {
    bits: scheme.bits as NodeQuantSettings['bits'],
    granularity,
    ...(scheme.granularity === 'per-block' ? { blockSize: scheme.blockSize ?? 32 } : {}),
    symmetric: !scheme.affine,
    ...(scheme.rounding === 'gptq' ? { rounding: 'gptq' as const } : {}),
  };
}
